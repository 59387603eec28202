"""Consult transfer end to end: simulator (real ARI/AMI sockets) + the whole service + its API.

The counsellor (hn-01) talks with a caller, asks for a consultation with a colleague (dn-01):
the caller holds with music, dn-01 and hn-01 talk privately, then the counsellor completes or
cancels; a target that does not answer, or a caller who hangs up on hold, ends it safely.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from callcenter.calls.models import CallConsultRow, CallTransferRow
from callcenter.flow.config import AgencyEntry
from callcenter.service.api import create_app
from callcenter.service.runtime import HotlineService
from pbxsim.model import happenings as h
from pbxsim.model.objects import PhoneBehaviour
from pbxsim.server import Simulator
from tests.e2e.harness import LAB_ETC, call_rows, lab_settings, running_service, until


@asynccontextmanager
async def connected(
    sim: Simulator, db_url: str, var_dir: Path, dialled: str = "1800", **flow: Any
) -> AsyncIterator[tuple[HotlineService, httpx.AsyncClient, str, str]]:
    """hn-01 talking with a caller; yields the service, an API client, the call and caller ids."""
    settings = lab_settings(sim, db_url, var_dir, **flow)
    async with running_service(settings) as service:
        api = create_app(settings, service=service)  # the service is already started
        transport = httpx.ASGITransport(app=api)
        async with httpx.AsyncClient(transport=transport, base_url="http://hotline") as client:
            service.presence.login("hn-01")
            caller = sim.pbx.originate_inbound(dialled, "0912345678")
            await until(lambda: bool(service.app.calls), what="call in the app")
            for digit in ("1", "1"):
                await asyncio.sleep(0.05)
                sim.pbx.send_dtmf(caller.id, digit)
            await until(
                lambda: any(c.bridged for c in service.app.calls.values()),
                what="caller and counsellor",
            )
            yield service, client, next(iter(service.app.calls)), caller.id


def live(sim: Simulator, phone: str) -> list[str]:
    return [
        c.id
        for c in sim.pbx.channels.values()
        if c.name.startswith(f"PJSIP/{phone}-") and not c.destroyed
    ]


def partners(sim: Simulator, channel_id: str) -> set[str]:
    """The phones in the same bridge as ``channel_id`` ("MOH" for bridge music)."""
    bridge = sim.pbx.bridges.get(sim.pbx.channels[channel_id].bridge_id or "")
    if bridge is None:
        return set()
    names = {sim.pbx.channels[c].name.rsplit("-", 1)[0].removeprefix("PJSIP/")
             for c in bridge.channels if c != channel_id}  # fmt: skip
    return names | ({"MOH"} if bridge.moh_channel else set())


async def consulting(sim: Simulator, caller_id: str) -> None:
    """The caller holds alone with music; hn-01 and dn-01 talk in a bridge of their own."""
    await until(lambda: partners(sim, caller_id) == {"MOH"}, what="caller on hold with music")
    await until(
        lambda: any(partners(sim, leg) == {"dn-01"} for leg in live(sim, "hn-01")),
        what="counsellor and target talking privately",
    )


async def transfers(service: HotlineService) -> list[CallTransferRow]:
    await service.recorder.flush(timeout_s=10)
    async with service.database.sessions() as session:
        return list((await session.execute(select(CallTransferRow))).scalars())


async def consultations(service: HotlineService) -> list[tuple[str | None, ...]]:
    """(to, outcome, answered?) of each consultation in the record."""
    await service.recorder.flush(timeout_s=10)
    async with service.database.sessions() as session:
        rows = (await session.execute(select(CallConsultRow))).scalars()
        return [
            (r.to_counsellor or r.to_agency, r.outcome, "answered" if r.answered_at else None)
            for r in rows
        ]


async def test_consult_then_complete_hands_the_caller_to_the_colleague(
    sqlite_url: str, tmp_path: Path
) -> None:
    async with Simulator(LAB_ETC) as sim:
        for phone in ("hn-01", "dn-01"):
            sim.pbx.set_phone(phone, PhoneBehaviour(mode="answer", answer_after=0.1))
        async with connected(sim, sqlite_url, tmp_path) as (service, api, call_id, caller):
            early = await api.post(f"/api/calls/{call_id}/consult/complete")
            myself = await api.post(
                f"/api/calls/{call_id}/consult", json={"to_counsellor": "hn-01"}
            )
            started = await api.post(
                f"/api/calls/{call_id}/consult", json={"to_counsellor": "dn-01"}
            )
            assert started.status_code == 200, started.text
            await consulting(sim, caller)
            state = (await api.get(f"/api/calls/{call_id}/consult")).json()
            done = await api.post(f"/api/calls/{call_id}/consult/complete")
            assert done.status_code == 200, done.text
            await until(lambda: partners(sim, caller) == {"dn-01"}, what="caller with dn-01")
            await until(lambda: not live(sim, "hn-01"), what="hn-01 left (to wrap-up)")
            over = await api.get(f"/api/calls/{call_id}/consult")
            sim.pbx.hangup(caller)
            await until(lambda: not service.app.calls, what="ended")
            rows = await call_rows(service)
            moves = await transfers(service)
            consulted = await consultations(service)
    assert early.status_code == 409
    assert myself.status_code == 409
    assert (state["to"], state["state"]) == ("dn-01", "talking")
    assert over.status_code == 404
    assert "tham khảo" in early.json()["detail"] and "consultation" in early.json()["detail"]
    assert rows[0].outcome == "answered"
    assert rows[0].counsellors == ["hn-01", "dn-01"]
    assert [(m.kind, m.from_counsellor, m.to_counsellor) for m in moves] == [
        ("consult", "hn-01", "dn-01")
    ]
    assert consulted == [("dn-01", "completed", "answered")]


async def test_consult_then_cancel_brings_the_counsellor_back_to_the_caller(
    sqlite_url: str, tmp_path: Path
) -> None:
    """The counsellor asks for "somebody free in Đà Nẵng" (dn-01), then cancels."""
    async with Simulator(LAB_ETC) as sim:
        for phone in ("hn-01", "dn-01"):
            sim.pbx.set_phone(phone, PhoneBehaviour(mode="answer", answer_after=0.1))
        async with connected(sim, sqlite_url, tmp_path) as (service, api, call_id, caller):
            service.presence.login("dn-01")
            nobody = await api.post(f"/api/calls/{call_id}/consult", json={"to_centre": "AG"})
            started = await api.post(f"/api/calls/{call_id}/consult", json={"to_centre": "DN"})
            assert started.status_code == 200, started.text
            await consulting(sim, caller)
            again = await api.post(f"/api/calls/{call_id}/consult", json={"to_agency": "113"})
            blind = await api.post(
                f"/api/calls/{call_id}/transfer", json={"to_counsellor": "ag-01"}
            )
            cancelled = await api.post(f"/api/calls/{call_id}/consult/cancel")
            assert cancelled.status_code == 200, cancelled.text
            await until(lambda: partners(sim, caller) == {"hn-01"}, what="back with hn-01")
            await until(lambda: not live(sim, "dn-01"), what="dn-01 released")
            sim.pbx.hangup(caller)
            await until(lambda: not service.app.calls, what="ended")
            rows = await call_rows(service)
            moves = await transfers(service)
            consulted = await consultations(service)
    assert nobody.status_code == 409 and "không có tư vấn viên rảnh" in nobody.json()["detail"]
    assert again.status_code == 409
    assert blind.status_code == 409 and "tham khảo" in blind.json()["detail"]
    assert rows[0].counsellors == ["hn-01"]
    assert rows[0].answered_by == "hn-01"
    assert moves == []
    assert consulted == [("dn-01", "cancelled", "answered")]


async def test_target_not_answering_returns_the_counsellor_to_the_caller(
    sqlite_url: str, tmp_path: Path
) -> None:
    async with Simulator(LAB_ETC) as sim:
        sim.pbx.set_phone("hn-01", PhoneBehaviour(mode="answer", answer_after=0.1))
        sim.pbx.set_phone("dn-01", PhoneBehaviour(mode="noanswer"))
        tones: list[str] = []  # where a ringing tone played

        def heard(x: h.Happening) -> None:
            if isinstance(x, h.PlaybackStarted) and x.playback.media_uri == "tone:ring":
                tones.append(x.playback.target_uri)

        sim.pbx.subscribe(heard)
        async with connected(sim, sqlite_url, tmp_path, consult_ring_timeout=1.0) as (
            service,
            api,
            call_id,
            caller,
        ):
            await api.post(f"/api/calls/{call_id}/consult", json={"to_counsellor": "dn-01"})
            await until(lambda: partners(sim, caller) == {"MOH"}, what="caller on hold")
            await until(lambda: bool(live(sim, "dn-01")), what="dn-01 ringing")
            await until(lambda: partners(sim, caller) == {"hn-01"}, within=10, what="back")
            assert not live(sim, "dn-01")
            refused = await api.post(f"/api/calls/{call_id}/consult/complete")
            sim.pbx.hangup(caller)
            await until(lambda: not service.app.calls, what="ended")
            rows = await call_rows(service)
            consulted = await consultations(service)
    assert consulted == [("dn-01", "no_answer", None)]
    assert len(tones) == 1 and tones[0].startswith("bridge:consult-"), (
        "the counsellor heard it ring"
    )
    assert refused.status_code == 409
    assert rows[0].counsellors == ["hn-01"]
    assert rows[0].outcome == "answered"


async def test_caller_hanging_up_on_hold_ends_the_consultation_cleanly(
    sqlite_url: str, tmp_path: Path
) -> None:
    async with Simulator(LAB_ETC) as sim:
        for phone in ("hn-01", "dn-01"):
            sim.pbx.set_phone(phone, PhoneBehaviour(mode="answer", answer_after=0.1))
        async with connected(sim, sqlite_url, tmp_path) as (service, api, call_id, caller):
            await api.post(f"/api/calls/{call_id}/consult", json={"to_counsellor": "dn-01"})
            await consulting(sim, caller)
            sim.pbx.hangup(caller)
            await until(lambda: not service.app.calls, what="ended")
            await until(
                lambda: not live(sim, "dn-01") and not live(sim, "hn-01"), what="phones released"
            )
            await until(lambda: not sim.pbx.bridges, what="bridges destroyed")
            rows = await call_rows(service)
            consulted = await consultations(service)
    assert rows[0].hangup_by == "caller"
    assert rows[0].counsellors == ["hn-01"]
    assert consulted == [("dn-01", "caller_hung_up", "answered")]


async def test_busy_agency_through_the_outbound_trunk_returns_the_counsellor(
    sqlite_url: str, tmp_path: Path
) -> None:
    """Police 113 is reached by number through the outbound trunk (in the lab, the trunk is
    ag-01's phone); it is busy: the counsellor is back with the caller at once."""
    police = AgencyEntry(id="113", name_vi="Công an", name_en="Police", number="113")
    async with Simulator(LAB_ETC) as sim:
        sim.pbx.set_phone("hn-01", PhoneBehaviour(mode="answer", answer_after=0.1))
        sim.pbx.set_phone("ag-01", PhoneBehaviour(mode="busy"))
        async with connected(
            sim, sqlite_url, tmp_path, agencies=[police], outbound_trunk="PJSIP/ag-01"
        ) as (service, api, call_id, caller):
            wrong = await api.post(f"/api/calls/{call_id}/consult", json={"to_agency": "114"})
            started = await api.post(f"/api/calls/{call_id}/consult", json={"to_agency": "113"})
            assert started.status_code == 200, started.text
            assert started.json()["to"] == "agency:113"
            await until(lambda: bool(service.app.consults.by_call), what="consulting")
            await until(lambda: not service.app.consults.by_call, what="consultation over")
            await until(lambda: partners(sim, caller) == {"hn-01"}, what="back with hn-01")
            sim.pbx.hangup(caller)
            await until(lambda: not service.app.calls, what="ended")
            consulted = await consultations(service)
    assert wrong.status_code == 409 and "không có cơ quan" in wrong.json()["detail"]
    assert consulted == [("113", "busy", None)]


async def test_counsellor_hanging_up_during_the_consultation_never_strands_the_caller(
    sqlite_url: str, tmp_path: Path
) -> None:
    async with Simulator(LAB_ETC) as sim:
        for phone in ("hn-01", "dn-01"):
            sim.pbx.set_phone(phone, PhoneBehaviour(mode="answer", answer_after=0.1))
        # 1811: Stasis, then the fallback Queue(hanoi) in the dialplan
        async with connected(sim, sqlite_url, tmp_path, "1811") as (service, api, call_id, caller):
            await api.post(f"/api/calls/{call_id}/consult", json={"to_counsellor": "dn-01"})
            await consulting(sim, caller)
            sim.pbx.hangup(live(sim, "hn-01")[0])
            await until(lambda: service.app.sent_to_fallback == 1, what="sent to fallback")
            ch = sim.pbx.channels[caller]

            def in_fallback_queue() -> bool:  # waiting in Queue(hanoi), or answered there
                queued = any(
                    w.channel.id == caller
                    for q in sim.pbx.queues.queues.values()
                    for w in q.callers
                )
                return ch.stasis_app is None and (queued or bool(partners(sim, caller)))

            await until(in_fallback_queue, what="caller in the fallback queue")
            await until(lambda: not live(sim, "dn-01"), what="dn-01 released")
            rows = await call_rows(service)
            consulted = await consultations(service)
    assert rows[0].fallback_at is not None
    assert consulted == [("dn-01", "counsellor_hung_up", "answered")]


async def test_restart_during_a_consultation_puts_the_caller_back_in_line(
    sqlite_url: str, tmp_path: Path
) -> None:
    """The service stops while the caller holds: the next one finds the caller alone with the
    music and routes them to whoever is free; the counsellor's and the target's legs belong to
    no call any more and are hung up, so the counsellor (still signed in) is free again."""
    async with Simulator(LAB_ETC) as sim:
        for phone in ("hn-01", "hn-02", "dn-01"):
            sim.pbx.set_phone(phone, PhoneBehaviour(mode="answer", answer_after=0.1))
        async with connected(sim, sqlite_url, tmp_path) as (_, api, call_id, caller):
            await api.post(f"/api/calls/{call_id}/consult", json={"to_counsellor": "dn-01"})
            await consulting(sim, caller)
        async with running_service(lab_settings(sim, sqlite_url, tmp_path)) as again:
            await until(lambda: bool(again.app.calls), what="caller adopted")
            await until(lambda: not live(sim, "dn-01"), what="the target's leg hung up")
            again.presence.login("hn-02")
            await until(
                lambda: partners(sim, caller) in ({"hn-01"}, {"hn-02"}),
                what="caller with a counsellor again",
            )
            sim.pbx.hangup(caller)
            await until(lambda: not again.app.calls, what="ended")


async def test_an_ari_reconnect_during_a_consultation_leaves_it_alone(
    sqlite_url: str, tmp_path: Path
) -> None:
    """The WebSocket drops while counsellor and target talk: reconciliation on the reconnect
    knows both legs as the service's own, so nobody is hung up and the transfer completes."""
    async with Simulator(LAB_ETC) as sim:
        for phone in ("hn-01", "dn-01"):
            sim.pbx.set_phone(phone, PhoneBehaviour(mode="answer", answer_after=0.1))
        async with connected(sim, sqlite_url, tmp_path) as (service, api, call_id, caller):
            await api.post(f"/api/calls/{call_id}/consult", json={"to_counsellor": "dn-01"})
            await consulting(sim, caller)
            target = live(sim, "dn-01")
            assert service.ari_stream is not None
            stats = service.ari_stream.stats
            connections = stats.connections
            sim.drop_ari_connections()
            await until(lambda: stats.connections > connections, what="reconnect")
            await until(lambda: service.health().ari_connected, what="reconciled")
            await asyncio.sleep(0.5)
            assert live(sim, "dn-01") == target, "the target was not hung up"
            done = await api.post(f"/api/calls/{call_id}/consult/complete")
            assert done.status_code == 200, done.text
            await until(lambda: partners(sim, caller) == {"dn-01"}, what="caller with dn-01")


async def test_blind_transfer_to_a_centre_through_the_api(sqlite_url: str, tmp_path: Path) -> None:
    """``to_centre``: the centre's free counsellor takes the caller; a centre with nobody free
    is refused (409, vi + en) and the caller stays with their counsellor."""
    async with Simulator(LAB_ETC) as sim:
        for phone in ("hn-01", "dn-01"):
            sim.pbx.set_phone(phone, PhoneBehaviour(mode="answer", answer_after=0.1))
        async with connected(sim, sqlite_url, tmp_path) as (service, api, call_id, caller):
            refused = await api.post(f"/api/calls/{call_id}/transfer", json={"to_centre": "DN"})
            assert refused.status_code == 409 and "không có tư vấn viên rảnh" in refused.text
            assert partners(sim, caller) == {"hn-01"}
            service.presence.login("dn-01")
            await asyncio.sleep(0.2)
            done = await api.post(f"/api/calls/{call_id}/transfer", json={"to_centre": "DN"})
            assert done.status_code == 200, done.text
            await until(lambda: partners(sim, caller) == {"dn-01"}, what="caller with dn-01")
            both = await api.post(
                f"/api/calls/{call_id}/transfer", json={"to_centre": "DN", "to_agency": "police"}
            )
            assert both.status_code == 422
            sim.pbx.hangup(caller)
            await until(lambda: not service.app.calls, what="ended")
            rows = await call_rows(service)
            moved = await transfers(service)
    assert rows[0].counsellors == ["hn-01", "dn-01"]
    assert [(t.kind, t.to_counsellor, t.to_centre) for t in moved] == [("blind", "dn-01", "DN")]
