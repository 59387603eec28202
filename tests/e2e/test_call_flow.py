"""One hotline call at a time, end to end: simulator (real ARI/AMI sockets) + the whole service."""

from __future__ import annotations

import asyncio
from pathlib import Path

from pbxsim.model.objects import PhoneBehaviour
from pbxsim.server import Simulator
from tests.e2e.harness import LAB_ETC, call_rows, lab_settings, running_service, until


async def test_caller_reaches_counsellor_and_the_record_says_answered(
    sqlite_url: str, tmp_path: Path
) -> None:
    async with Simulator(LAB_ETC) as sim:
        sim.pbx.set_phone("hn-01", PhoneBehaviour(mode="answer", answer_after=0.2))
        settings = lab_settings(sim, sqlite_url, tmp_path)
        async with running_service(settings) as service:
            service.presence.login("hn-01")
            caller = sim.pbx.originate_inbound("1800", "0912345678")
            await until(lambda: bool(service.app.calls), what="call in the app")
            sim.pbx.send_dtmf(caller.id, "1")  # Vietnamese
            await asyncio.sleep(0.05)
            sim.pbx.send_dtmf(caller.id, "1")  # north
            await until(
                lambda: any(b.channels and len(b.channels) == 2 for b in sim.pbx.bridges.values()),
                what="caller bridged with hn-01",
            )
            await asyncio.sleep(0.3)
            sim.pbx.hangup(caller.id)
            await until(lambda: not service.app.calls, what="call ended in the service")
            rows = await call_rows(service)
    assert len(rows) == 1
    row = rows[0]
    assert row.outcome == "answered"
    assert row.answered_by == "hn-01"
    assert row.home_centre == "HN"
    assert row.language == "vi"
    assert row.caller_hash is not None
    assert "912345678" not in (row.caller_number_enc or "")
