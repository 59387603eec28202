"""One hotline call at a time, end to end: simulator (real ARI/AMI sockets) + the whole service."""

from __future__ import annotations

import asyncio
from pathlib import Path

from callcenter.service.runtime import HotlineService
from pbxsim.model import happenings as h
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
            await asyncio.sleep(settings.routing.wrap_up + 0.3)  # the counsellor's wrap-up
            rows = await call_rows(service)
    assert len(rows) == 1
    row = rows[0]
    assert row.outcome == "answered"
    assert row.talk_s is not None
    assert row.wrapup_s is not None
    assert abs(row.wrapup_s - settings.routing.wrap_up) < 0.3
    assert row.answered_by == "hn-01"
    assert row.home_centre == "HN"
    assert row.language == "vi"
    assert row.caller_hash is not None
    assert "912345678" not in (row.caller_number_enc or "")


async def _through_ivr(sim: Simulator, caller_id: str, *digits: str) -> None:
    for digit in digits:
        await asyncio.sleep(0.05)
        sim.pbx.send_dtmf(caller_id, digit)


def _bridged(sim: Simulator, channel_id: str) -> bool:
    return any(channel_id in b.channels and len(b.channels) == 2 for b in sim.pbx.bridges.values())


async def test_no_answer_moves_the_call_to_the_next_counsellor(
    sqlite_url: str, tmp_path: Path
) -> None:
    async with Simulator(LAB_ETC) as sim:
        sim.pbx.set_phone("hn-01", PhoneBehaviour(mode="noanswer"))
        sim.pbx.set_phone("hn-02", PhoneBehaviour(mode="answer", answer_after=0.1))
        settings = lab_settings(sim, sqlite_url, tmp_path, ring_timeout=1.0)
        async with running_service(settings) as service:
            service.presence.login("hn-01")  # logged in first: longest idle, rung first
            await asyncio.sleep(0.05)
            service.presence.login("hn-02")
            caller = sim.pbx.originate_inbound("1800", "0912345678")
            await until(lambda: bool(service.app.calls), what="call in the app")
            await _through_ivr(sim, caller.id, "1", "1")
            await until(lambda: _bridged(sim, caller.id), within=8, what="bridged with hn-02")
            states = {v.counsellor_id: v.state for v in service.engine.counsellors()}
            sim.pbx.hangup(caller.id)
            await until(lambda: not service.app.calls, what="call ended")
            rows = await call_rows(service)
            offers = await offer_rows(service)
    assert states["hn-01"] == "missed"  # paused after the unanswered ring, until they resume
    assert rows[0].answered_by == "hn-02"
    assert [(o.counsellor, o.outcome) for o in offers] == [
        ("hn-01", "no_answer"),
        ("hn-02", "answered"),
    ]


async def test_caller_hanging_up_while_ringing_stops_the_counsellors_phone(
    sqlite_url: str, tmp_path: Path
) -> None:
    async with Simulator(LAB_ETC) as sim:
        sim.pbx.set_phone("hn-01", PhoneBehaviour(mode="noanswer"))
        settings = lab_settings(sim, sqlite_url, tmp_path, ring_timeout=10.0)
        async with running_service(settings) as service:
            service.presence.login("hn-01")
            caller = sim.pbx.originate_inbound("1800", "0912345678")
            await until(lambda: bool(service.app.calls), what="call in the app")
            await _through_ivr(sim, caller.id, "1", "1")

            def ringing() -> list[str]:
                return [
                    c.id
                    for c in sim.pbx.channels.values()
                    if c.id != caller.id and not c.destroyed and c.name.startswith("PJSIP/hn-01")
                ]

            await until(lambda: bool(ringing()), what="hn-01 ringing")
            sim.pbx.hangup(caller.id)
            await until(lambda: not ringing(), within=3, what="counsellor leg hung up")
            rows = await call_rows(service)
            view = {v.counsellor_id: v for v in service.engine.counsellors()}["hn-01"]
    assert rows[0].outcome == "abandoned_ringing"
    assert view.state == "available"  # the caller left; the counsellor did nothing wrong


async def test_a_failing_operation_sends_the_caller_to_the_fallback_queue(
    sqlite_url: str, tmp_path: Path
) -> None:
    """A Stasis app that breaks mid-call must not strand the caller: the dialplan's
    Queue(hanoi) takes them, and the record says so."""
    async with Simulator(LAB_ETC) as sim:
        sim.pbx.set_phone("hn-01", PhoneBehaviour(mode="answer", answer_after=0.1))
        settings = lab_settings(sim, sqlite_url, tmp_path)
        async with running_service(settings) as service:
            service.presence.login("hn-01")
            caller = sim.pbx.originate_inbound("1811", "0912345678")  # Stasis, then Queue(hanoi)
            await until(lambda: bool(service.app.calls), what="call in the app")
            call = next(iter(service.app.calls.values()))

            async def broken() -> None:  # any bug in any step of a call
                raise RuntimeError("boom")

            service.app.op(call, broken)
            await until(lambda: service.app.sent_to_fallback == 1, what="sent to fallback")
            await until(
                lambda: (
                    any(caller.id in q.callers for q in sim.pbx.queues.queues.values())
                    or _bridged(sim, caller.id)
                ),
                what="caller in the fallback queue",
            )
            rows = await call_rows(service)
    assert rows[0].fallback_at is not None
    assert rows[0].outcome == "sent_to_fallback"


async def test_callback_request_keeps_the_place_and_the_survivor_is_called_back(
    sqlite_url: str, tmp_path: Path
) -> None:
    """Nobody is staffed: the caller is offered a callback, confirms the number and "any
    time", and hangs up. When a counsellor logs in, their phone rings for the request first;
    once they answer, the service calls the survivor back and bridges the two."""
    async with Simulator(LAB_ETC) as sim:
        sim.pbx.set_phone("hn-01", PhoneBehaviour(mode="answer", answer_after=0.1))
        sim.pbx.set_phone("dn-01", PhoneBehaviour(mode="answer", answer_after=0.1))
        # the outbound trunk of the lab: dn-01's phone plays the survivor's own phone
        settings = lab_settings(sim, sqlite_url, tmp_path, outbound_trunk="PJSIP/dn-01")
        async with running_service(settings) as service:
            caller = sim.pbx.originate_inbound("1800", "0912345678")
            await until(lambda: bool(service.app.calls), what="call in the app")
            await _through_ivr(sim, caller.id, "1", "1")
            await until(
                lambda: any(c.phase == "callback_menu" for c in service.app.calls.values()),
                what="callback offered (nobody staffed)",
            )
            await _through_ivr(sim, caller.id, "1", "1", "0")  # yes, this number, any time
            await until(lambda: caller.destroyed, what="goodbye")
            assert service.app.callbacks.pending, "the request waits in line"
            service.presence.login("hn-01")

            def callback_bridge() -> bool:
                for bridge in sim.pbx.bridges.values():
                    names = {sim.pbx.channels[c].name.rsplit("-", 1)[0] for c in bridge.channels}
                    if names == {"PJSIP/hn-01", "PJSIP/dn-01"}:
                        return True
                return False

            await until(callback_bridge, what="counsellor and survivor bridged")
            survivor = next(
                c.id
                for c in sim.pbx.channels.values()
                if c.name.startswith("PJSIP/dn-01") and not c.destroyed
            )
            sim.pbx.hangup(survivor)
            await until(lambda: service.app.callbacks.completed == 1, what="callback done")
            rows = await call_rows(service)
            view = {v.counsellor_id: v for v in service.engine.counsellors()}["hn-01"]
    assert rows[0].outcome == "callback_requested"
    assert view.calls_handled == 1


async def test_withheld_number_is_never_promised_a_callback(
    sqlite_url: str, tmp_path: Path
) -> None:
    async with Simulator(LAB_ETC) as sim:
        settings = lab_settings(sim, sqlite_url, tmp_path)
        async with running_service(settings) as service:
            caller = sim.pbx.originate_inbound("1800", "anonymous")
            await until(lambda: bool(service.app.calls), what="call in the app")
            await _through_ivr(sim, caller.id, "1", "1")
            await until(
                lambda: any(c.phase == "waiting" for c in service.app.calls.values()),
                what="waiting",
            )
            await asyncio.sleep(0.5)
            assert all(c.phase == "waiting" for c in service.app.calls.values())
            sim.pbx.hangup(caller.id)
            await until(lambda: not service.app.calls, what="ended")


async def _connected_call(sim: Simulator, service: HotlineService, caller_id: str) -> str:
    await until(lambda: bool(service.app.calls), what="call in the app")
    await _through_ivr(sim, caller_id, "1", "1")
    await until(
        lambda: any(c.bridged for c in service.app.calls.values()), what="caller and counsellor"
    )
    return next(iter(service.app.calls))


async def test_blind_transfer_to_a_colleague_in_another_centre(
    sqlite_url: str, tmp_path: Path
) -> None:
    async with Simulator(LAB_ETC) as sim:
        for phone in ("hn-01", "dn-01"):
            sim.pbx.set_phone(phone, PhoneBehaviour(mode="answer", answer_after=0.1))
        async with running_service(lab_settings(sim, sqlite_url, tmp_path)) as service:
            service.presence.login("hn-01")
            caller = sim.pbx.originate_inbound("1800", "0912345678")
            call_id = await _connected_call(sim, service, caller.id)
            service.app.transfers.transfer(call_id, counsellor_id="dn-01")

            def partner() -> str:
                bridge = sim.pbx.bridges[sim.pbx.channels[caller.id].bridge_id or ""]
                others = [c for c in bridge.channels if c != caller.id]
                return sim.pbx.channels[others[0]].name if len(others) == 1 else ""

            await until(lambda: partner().startswith("PJSIP/dn-01"), what="now with dn-01")
            sim.pbx.hangup(caller.id)
            await until(lambda: not service.app.calls, what="ended")
            rows = await call_rows(service)
    assert rows[0].outcome == "answered"
    assert rows[0].counsellors == ["hn-01", "dn-01"]


async def test_supervisor_listens_and_is_released_when_the_call_ends(
    sqlite_url: str, tmp_path: Path
) -> None:
    async with Simulator(LAB_ETC) as sim:
        for phone in ("hn-01", "ag-01"):
            sim.pbx.set_phone(phone, PhoneBehaviour(mode="answer", answer_after=0.1))
        async with running_service(lab_settings(sim, sqlite_url, tmp_path)) as service:
            service.presence.login("hn-01")
            caller = sim.pbx.originate_inbound("1800", "0912345678")
            call_id = await _connected_call(sim, service, caller.id)
            service.app.transfers.supervise(call_id, "PJSIP/ag-01", "listen")

            def supervisor_legs() -> list[str]:
                return [
                    c.id
                    for c in sim.pbx.channels.values()
                    if c.name.startswith("PJSIP/ag-01") and not c.destroyed
                ]

            def listening() -> bool:
                for bridge in sim.pbx.bridges.values():
                    names = [sim.pbx.channels[c].name for c in bridge.channels]
                    if any(n.startswith("Snoop/") for n in names) and any(
                        n.startswith("PJSIP/ag-01") for n in names
                    ):
                        return True
                return False

            await until(listening, what="supervisor bridged with the snoop channel")
            assert caller.id not in [
                c for b in sim.pbx.bridges.values() for c in b.channels if b.id != caller.bridge_id
            ]
            sim.pbx.hangup(caller.id)
            await until(lambda: not supervisor_legs(), what="supervisor released")


async def test_in_danger_now_alerts_supervisors_widens_at_once_and_marks_the_channel(
    sqlite_url: str, tmp_path: Path
) -> None:
    """Pressing 9 alerts supervisors at once, reaches a counsellor of any centre without
    waiting for the home centre, and leaves the flag on the channel for the fallback queue."""
    async with Simulator(LAB_ETC) as sim:
        sim.pbx.set_phone("dn-01", PhoneBehaviour(mode="answer", answer_after=0.1))
        async with running_service(lab_settings(sim, sqlite_url, tmp_path)) as service:
            service.presence.login("dn-01")  # nobody in the caller's own region is free
            caller = sim.pbx.originate_inbound("1800", "+842412345678")  # a Hanoi number
            await until(lambda: bool(service.app.calls), what="call in the app")
            await _through_ivr(sim, caller.id, "9")
            await until(lambda: bool(service.alerts), what="supervisors alerted")
            await until(lambda: _bridged(sim, caller.id), what="a counsellor of any centre")
            assert caller.variables.get("HOTLINE_DANGER") == "1"
            sim.pbx.hangup(caller.id)
            await until(lambda: not service.app.calls, what="ended")
            rows = await call_rows(service)
    assert service.alerts[0].call_id == rows[0].call_id
    assert rows[0].in_danger
    assert rows[0].answered_by == "dn-01"


async def test_waiting_caller_hears_position_and_expected_wait_then_music(
    sqlite_url: str, tmp_path: Path
) -> None:
    async with Simulator(LAB_ETC) as sim:
        sim.pbx.set_phone("hn-01", PhoneBehaviour(mode="answer", answer_after=0.1))
        settings = lab_settings(sim, sqlite_url, tmp_path)
        settings.routing.announce_interval = 1.0
        plays: list[tuple[str, str | None]] = []  # (item, next item) as each item starts

        def heard(x: h.Happening) -> None:
            if isinstance(x, h.PlaybackStarted):
                plays.append((x.playback.media_uri, x.playback.next_media_uri))

        sim.pbx.subscribe(heard)
        async with running_service(settings) as service:
            service.presence.login("hn-01")
            service.presence.pause("hn-01", "meeting")  # staffed, but nobody free: a wait
            caller = sim.pbx.originate_inbound("1800", "0912345678")
            await until(lambda: bool(service.app.calls), what="call in the app")
            await _through_ivr(sim, caller.id, "1", "1")
            await until(
                lambda: ("sound:queue-thereare", "number:1") in plays, what="position announced"
            )
            await until(lambda: ("number:1", None) in plays, what="the announcement plays out")
            await until(lambda: caller.moh, what="music on hold again after the announcement")
            sim.pbx.hangup(caller.id)
            await until(lambda: not service.app.calls, what="ended")
    first = plays.index(("sound:queue-thereare", "number:1"))
    assert plays[first + 1] == ("number:1", None), "not cut short by the next announcement"
