"""A restart while a counsellor's phone rings for a caller.

Before it is answered, a leg the service originated is not in Stasis but in ``AppDial2``
(recordings-2 fact 15), so the restarted service cannot see it as one of its own through the
Stasis arguments. It knows it by the id it gave it: the stale ring stops at once (the phone is
free for the next offer) instead of ringing on until its own time-out, and the caller, adopted
back in line, rings a counsellor again.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from pbxsim.model.objects import PhoneBehaviour
from pbxsim.server import Simulator
from tests.e2e.harness import LAB_ETC, lab_settings, running_service, until


def ringing_legs(sim: Simulator, phone: str) -> set[str]:
    return {
        c.id
        for c in sim.pbx.channels.values()
        if c.name.startswith(f"PJSIP/{phone}-") and not c.destroyed
    }


async def test_a_stale_ring_stops_after_a_restart_and_the_caller_rings_again(
    sqlite_url: str, tmp_path: Path
) -> None:
    async with Simulator(LAB_ETC) as sim:
        sim.pbx.set_phone("hn-01", PhoneBehaviour(mode="noanswer"))
        settings = lab_settings(sim, sqlite_url, tmp_path, ring_timeout=60.0)
        async with running_service(settings) as service:
            service.presence.login("hn-01")
            caller = sim.pbx.originate_inbound("1800", "0912345678")
            await until(lambda: bool(service.app.calls), what="call in the app")
            for digit in ("1", "1"):
                await asyncio.sleep(0.05)
                sim.pbx.send_dtmf(caller.id, digit)
            await until(lambda: bool(ringing_legs(sim, "hn-01")), what="hn-01 ringing")
            stale = ringing_legs(sim, "hn-01")
            assert all(sim.pbx.channels[c].app_name == "AppDial2" for c in stale)
        # the service is gone; hn-01 rings on (nothing hangs up a ring when a service stops)
        assert ringing_legs(sim, "hn-01") == stale
        async with running_service(settings) as again:
            # well before the stale ring's own 60 s time-out
            await until(lambda: not stale & ringing_legs(sim, "hn-01"), within=10, what="stop")
            await until(lambda: bool(again.app.calls), what="caller adopted")
            await until(
                lambda: bool(ringing_legs(sim, "hn-01") - stale), what="the caller rings again"
            )
            assert not sim.pbx.channels[caller.id].destroyed
