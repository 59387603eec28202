"""SIGKILL of the service in the middle of calls (issue 4): 50 callers talking to counsellors,
20 waiting. Asterisk (here the simulator, on the product's configuration) keeps every call;
a new service process adopts them: nobody talking is cut off, the waiting callers are routed
as soon as counsellors free up, and every call has exactly one record."""

from __future__ import annotations

import asyncio
from pathlib import Path

from callcenter.flow.config import CounsellorEntry
from callcenter.settings import RoutingSettings
from pbxsim.model.objects import PhoneBehaviour
from pbxsim.server import Simulator
from routing.model import Gender
from tests.e2e.harness import rows_in, until
from tests.e2e.process import ServiceProcess
from tests.e2e.product import product_conf_with_phones, service_settings

TALKING, WAITING = 50, 20


def _bridged(sim: Simulator, channel_id: str) -> bool:
    channel = sim.pbx.channels.get(channel_id)
    if channel is None or channel.destroyed or channel.bridge_id is None:
        return False
    bridge = sim.pbx.bridges.get(channel.bridge_id)
    return bridge is not None and len(bridge.channels) == 2


async def test_sigkill_with_calls_bridged_and_waiting(fresh_pg_url: str, tmp_path: Path) -> None:
    pg_url = fresh_pg_url
    conf_dir = product_conf_with_phones(tmp_path, per_centre=20)
    phones = [f"{c}-{n:02d}" for c in ("hn", "dn", "ag") for n in range(1, 21)][:TALKING]
    counsellors = [
        CounsellorEntry(
            id=ep.upper(), centre=ep[:2].upper(), endpoint=f"PJSIP/{ep}", gender=Gender.FEMALE
        )
        for ep in phones
    ]
    async with Simulator(conf_dir) as sim:
        for ep in phones:
            sim.pbx.register_contact(ep, f"sip:{ep}@127.0.0.1:5090", 3600)
            sim.pbx.set_phone(ep, PhoneBehaviour(mode="answer", answer_after=0.05))
        routing = RoutingSettings(wrap_up=0.5, announce_interval=None, overflow_after=1.0)
        settings = service_settings(
            sim, conf_dir, counsellors, pg_url, tmp_path / "var", routing, ring_timeout=10.0
        )
        settings.flow.missed_auto_resume = 1.0  # a loaded machine may miss a ring: come back
        settings.flow.ivr.digit_timeout = 0.3  # callers press nothing: national pool, Vietnamese
        first = ServiceProcess(settings, tmp_path / "service-1.log")
        await first.start()
        try:
            await asyncio.gather(*(first.presence(c.id, "login") for c in counsellors))
            talking = [sim.pbx.originate_inbound("111", f"09{i:08d}", endpoint="carrier-in").id
                       for i in range(TALKING)]  # fmt: skip
            await until(lambda: all(_bridged(sim, c) for c in talking), within=120,
                        what="50 callers talking")  # fmt: skip
            waiting = [sim.pbx.originate_inbound("111", f"08{i:08d}", endpoint="carrier-in").id
                       for i in range(WAITING)]  # fmt: skip
            await until(
                lambda: (
                    (health := first.last_health) is not None
                    and health["calls_in_service"] == TALKING + WAITING
                ),
                within=30,
                what="20 more callers in line",
                poll=first.refresh_health,
            )
            await asyncio.sleep(1.0)  # well past the IVR: they wait in line
            first.kill()
        finally:
            first.stop()

        # Asterisk kept everything: the talking callers are still talking, nobody hung up
        assert all(_bridged(sim, c) for c in talking)
        assert all(not sim.pbx.channels[c].destroyed for c in waiting)

        second = ServiceProcess(settings, tmp_path / "service-2.log")
        await second.start()
        try:
            for caller in talking[:WAITING]:  # 20 conversations end: those counsellors free up
                sim.pbx.hangup(caller)
            await until(lambda: all(_bridged(sim, c) for c in waiting), within=120,
                        what="the waiting callers routed after the restart")  # fmt: skip
            assert all(_bridged(sim, c) for c in talking[WAITING:]), "nobody was cut off"
            for caller in talking[WAITING:] + waiting:
                sim.pbx.hangup(caller)
            await until(
                lambda: (
                    (health := second.last_health) is not None
                    and health["calls_in_service"] == 0
                    and health["outbox_backlog"] == 0
                ),
                within=30,
                what="every call ended and recorded",
                poll=second.refresh_health,
            )
        finally:
            second.stop()

    rows = await rows_in(pg_url)
    by_channel = {r.channel_id: r for r in rows}
    assert len(rows) == len(by_channel) == TALKING + WAITING, "every call exactly once"
    assert set(by_channel) == set(talking + waiting)
    assert {by_channel[c].outcome for c in talking + waiting} == {"answered"}
