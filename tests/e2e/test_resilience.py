"""Never lose a call: dropped ARI WebSocket, caller hang-up in the gap, service restart,
and a service that does not come back (the watchdog). Built on recordings-2 facts 1-8."""

from __future__ import annotations

import asyncio
from pathlib import Path

from ari.client import AriClient
from ari.config import AriConfig
from callcenter.flow.call import Phase
from callcenter.flow.watchdog import StrandedCallWatchdog
from pbxsim.model import dialing
from pbxsim.model.objects import PhoneBehaviour
from pbxsim.server import Simulator
from tests.e2e.harness import (
    LAB_ETC,
    call_rows,
    lab_settings,
    offer_rows,
    running_service,
    until,
)


async def _waiting_caller(sim: Simulator, service_calls: dict[str, object], exten: str) -> str:
    caller = sim.pbx.originate_inbound(exten, "0912345678")
    await until(lambda: bool(service_calls), what="call in the app")
    for digit in ("1", "1"):
        await asyncio.sleep(0.05)
        sim.pbx.send_dtmf(caller.id, digit)
    return caller.id


def _bridged(sim: Simulator, channel_id: str) -> bool:
    return any(channel_id in b.channels and len(b.channels) == 2 for b in sim.pbx.bridges.values())


async def test_websocket_drop_while_waiting_then_counsellor_takes_the_call(
    sqlite_url: str, tmp_path: Path
) -> None:
    """Fact 1-4: the caller stays in Stasis, nothing is replayed; the service reconnects,
    reconciles from GET /channels and routes the caller as soon as someone is free."""
    async with Simulator(LAB_ETC) as sim:
        sim.pbx.set_phone("hn-01", PhoneBehaviour(mode="answer", answer_after=0.1))
        async with running_service(lab_settings(sim, sqlite_url, tmp_path)) as service:
            caller = await _waiting_caller(sim, service.app.calls, "1800")
            await until(
                lambda: any(c.phase is Phase.WAITING for c in service.app.calls.values()),
                what="waiting",
            )
            assert service.ari_stream is not None
            stats = service.ari_stream.stats
            connections = stats.connections
            sim.drop_ari_connections()
            await until(lambda: stats.connections > connections, what="reconnect")
            await until(lambda: service.health().ari_connected, what="reconciled")
            assert service.app.calls, "the waiting caller is still known after the drop"
            service.presence.login("hn-01")
            await until(lambda: _bridged(sim, caller), what="bridged after the reconnect")
            sim.pbx.hangup(caller)
            await until(lambda: not service.app.calls, what="ended")
            rows = await call_rows(service)
    assert [r.outcome for r in rows] == ["answered"]


async def test_caller_hangs_up_while_the_websocket_is_down(sqlite_url: str, tmp_path: Path) -> None:
    """Fact 4: the hang-up in the gap sends no event at all; the reconnect finds the channel
    gone and the record still ends (abandoned in the queue)."""
    async with Simulator(LAB_ETC) as sim:
        settings = lab_settings(sim, sqlite_url, tmp_path)
        settings.ari.reconnect_initial = 1.0  # a gap long enough to hang up in
        async with running_service(settings) as service:
            caller = await _waiting_caller(sim, service.app.calls, "1800")
            await until(
                lambda: any(c.phase is Phase.WAITING for c in service.app.calls.values()),
                what="waiting",
            )
            sim.drop_ari_connections()
            await until(lambda: not service.health().ari_connected, what="disconnected")
            sim.pbx.hangup(caller)
            await until(lambda: not service.app.calls, what="reconciled away")
            rows = await call_rows(service)
    assert len(rows) == 1
    assert rows[0].ended_at is not None
    assert rows[0].outcome == "abandoned_queue"


async def test_restart_keeps_bridged_calls_and_routes_waiting_ones(
    sqlite_url: str, tmp_path: Path
) -> None:
    async with Simulator(LAB_ETC) as sim:
        sim.pbx.set_phone("hn-01", PhoneBehaviour(mode="answer", answer_after=0.1))
        sim.pbx.set_phone("hn-02", PhoneBehaviour(mode="answer", answer_after=0.1))
        settings = lab_settings(sim, sqlite_url, tmp_path)
        async with running_service(settings) as first:
            first.presence.login("hn-01")
            talking = await _waiting_caller(sim, first.app.calls, "1800")
            await until(lambda: _bridged(sim, talking), what="first caller bridged")
            waiting = await _waiting_caller(sim, first.app.calls, "1800")
            await until(
                lambda: any(
                    c.phase is Phase.WAITING and c.channel_id == waiting
                    for c in first.app.calls.values()
                ),
                what="second caller waiting",
            )
        # the first service is gone (its WebSocket closed); both callers are still in Asterisk
        assert _bridged(sim, talking)
        async with running_service(settings) as second:
            await until(lambda: len(second.app.calls) == 2, what="both calls adopted")
            second.presence.login("hn-02")
            await until(lambda: _bridged(sim, waiting), what="waiting caller routed")
            assert _bridged(sim, talking), "the bridged call was not touched"
            sim.pbx.hangup(talking)
            sim.pbx.hangup(waiting)
            await until(lambda: not second.app.calls, what="both ended")
            rows = await call_rows(second)
    assert sorted(r.outcome or "" for r in rows) == ["answered", "answered"]
    assert len({r.call_id for r in rows}) == 2


async def test_watchdog_sends_stranded_callers_to_the_fallback_queue(
    sqlite_url: str, tmp_path: Path
) -> None:
    """The service dies and does not come back: after stranded_after the waiting caller is
    continued into the dialplan's fallback queue; a bridged call is left alone."""
    async with Simulator(LAB_ETC) as sim:
        sim.pbx.set_phone("hn-01", PhoneBehaviour(mode="answer", answer_after=0.1))
        settings = lab_settings(sim, sqlite_url, tmp_path)
        async with running_service(settings) as service:
            service.presence.login("hn-01")
            talking = await _waiting_caller(sim, service.app.calls, "1811")
            await until(lambda: _bridged(sim, talking), what="bridged")
            stranded = await _waiting_caller(sim, service.app.calls, "1811")
            await until(lambda: len(service.app.calls) == 2, what="second caller in")
        config = AriConfig(url=sim.ari_base, username="lab", password="lab", app="hotline")
        async with AriClient(config) as ari:
            watchdog = StrandedCallWatchdog(ari, app="hotline", stranded_after=0.5)
            assert await watchdog.poll() == []  # app just went away: not yet
            await asyncio.sleep(0.6)
            assert await watchdog.poll() == [stranded]
        rescued = sim.pbx.channels[stranded]
        await until(
            lambda: rescued.app_name == "Queue" or rescued.bridge_id is not None,
            what="stranded caller taken by the fallback queue",
        )
        assert not rescued.destroyed
        assert rescued.stasis_app is None
        assert _bridged(sim, talking)


async def test_calls_the_fallback_queue_took_while_away_are_imported_on_start(
    sqlite_url: str, tmp_path: Path
) -> None:
    """Asterisk replays nothing, so the service reads Asterisk's own CDR file when it starts:
    the call the fallback queue answered while nobody was connected gets its record."""
    recorded = Path(__file__).parents[1] / "fixtures" / "asterisk" / "recordings"
    async with Simulator(LAB_ETC) as sim:
        settings = lab_settings(sim, sqlite_url, tmp_path)
        settings.service.cdr_csv = [recorded / "cdr-custom-Master.csv"]
        settings.service.queue_log = [recorded / "queue_log.txt"]
        settings.calls.fallback_queues = {"hanoi": "HN"}  # the lab's one queue
        async with running_service(settings) as service:
            rows = await call_rows(service)
        async with running_service(settings) as again:  # a second start imports nothing twice
            rows_again = await call_rows(again)
    assert rows
    assert all(r.source == "fallback_import" for r in rows)
    assert {r.outcome for r in rows} <= {"fallback_answered", "fallback_abandoned"}
    assert len(rows_again) == len(rows)


async def test_ami_cut_and_restored_phone_state_is_reread(sqlite_url: str, tmp_path: Path) -> None:
    """While AMI is down a counsellor's phone gets busy with a call that is not the hotline's
    (the event is lost). After the reconnect the service re-reads device states: the next
    hotline call goes to the free colleague, not to the busy phone."""
    async with Simulator(LAB_ETC) as sim:
        for phone in ("hn-01", "hn-02"):
            sim.pbx.set_phone(phone, PhoneBehaviour(mode="answer", answer_after=0.05))
        async with running_service(lab_settings(sim, sqlite_url, tmp_path)) as service:
            await until(lambda: service.health().ami_connected, what="AMI synchronized")
            service.presence.login("hn-01")  # longest idle: would be rung first
            await asyncio.sleep(0.05)
            service.presence.login("hn-02")
            ami_server, port = sim._ami, sim.ami_port
            await ami_server.stop()
            await until(lambda: not service.health().ami_connected, what="AMI lost")
            other = dialing.originate(
                sim.pbx, "PJSIP/hn-01", context="from-trunk", extension="1802"
            )
            await until(lambda: other.state == "Up", what="hn-01 busy with another call")
            await ami_server.start(sim.host, port)
            await until(lambda: service.health().ami_connected, what="AMI back and re-read")
            caller = await _waiting_caller(sim, service.app.calls, "1800")
            await until(lambda: _bridged(sim, caller), what="hotline call answered")
            sim.pbx.hangup(caller)
            await until(lambda: not service.app.calls, what="ended")
            rows = await call_rows(service)
            offers = await offer_rows(service)
    assert rows[0].answered_by == "hn-02"
    assert [o.counsellor for o in offers] == ["hn-02"], "the busy phone was not even rung"
