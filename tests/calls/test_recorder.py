from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from callcenter.calls.facts import (
    CallArrived,
    CallbackRequested,
    CallEnded,
    CallOffered,
    CallQueued,
    CallTransferred,
    IvrCompleted,
    OfferEnded,
)
from callcenter.calls.models import CallOfferRow, CallRow, CallTransferRow
from callcenter.calls.outcomes import CallOutcome, OfferOutcome, TransferKind
from callcenter.calls.recorder import CallRecorder
from callcenter.db import Database
from callcenter.db.outbox import Outbox
from callcenter.privacy import Crypto

from .helpers import NODE, T0, abandoned_in_queue, answered_call


async def _call(db: Database, call_id: str) -> CallRow:
    async with db.sessions() as session:
        row = await session.get(CallRow, call_id)
    assert row is not None, call_id
    return row


async def test_an_answered_call_becomes_one_complete_record(
    recorder: CallRecorder, db: Database, crypto: Crypto
) -> None:
    recorder.record_many(answered_call(1, wait_s=12, talk_s=60, wrapup_s=30))
    await recorder.flush(timeout_s=10)
    row = await _call(db, f"{NODE}/1795381364.1")
    assert row.outcome == CallOutcome.ANSWERED
    assert (row.wait_s, row.talk_s, row.wrapup_s) == (12.0, 60.0, 30.0)
    assert row.arrived_at == T0
    assert row.answered_by == "HN-01"
    assert row.counsellors == ["HN-01"]
    assert row.home_centre == row.answered_centre == "HN"
    assert row.caller_hash == crypto.hash_phone("+84912345678")
    assert row.caller_number_enc is not None
    assert crypto.decrypt(row.caller_number_enc) == "+84912345678"
    assert recorder.health.backlog == 0
    assert recorder.health.database_ok


async def test_recording_every_fact_twice_writes_each_record_once(
    recorder: CallRecorder, db: Database
) -> None:
    facts = answered_call(1) + abandoned_in_queue(2)
    recorder.record_many(facts)
    recorder.record_many(facts)
    await recorder.flush(timeout_s=10)
    async with db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(CallRow)) == 2
        assert await session.scalar(select(func.count()).select_from(CallOfferRow)) == 1
    row = await _call(db, f"{NODE}/1795381364.2")
    assert row.outcome == CallOutcome.ABANDONED_QUEUE
    assert row.wait_s == 30.0


async def test_where_the_caller_hung_up_decides_the_outcome(
    recorder: CallRecorder, db: Database
) -> None:
    def at(s: float) -> object:
        return T0 + timedelta(seconds=s)

    # 1: hung up in the IVR; 2: while a phone rang; 3: asked for a callback; 4: no counsellor
    recorder.record_many(
        [
            CallArrived(node=NODE, channel_id="c1", at=T0, caller_number="anonymous"),
            CallEnded(node=NODE, channel_id="c1", at=T0 + timedelta(seconds=4)),
            CallArrived(node=NODE, channel_id="c2", at=T0),
            IvrCompleted(node=NODE, channel_id="c2", at=T0 + timedelta(seconds=10)),
            CallQueued(node=NODE, channel_id="c2", at=T0 + timedelta(seconds=10), centre="DN"),
            CallOffered(
                node=NODE,
                channel_id="c2",
                at=T0 + timedelta(seconds=11),
                offer_id="o1",
                counsellor="DN-01",
                centre="DN",
            ),
            OfferEnded(
                node=NODE,
                channel_id="c2",
                at=T0 + timedelta(seconds=26),
                offer_id="o1",
                outcome=OfferOutcome.NO_ANSWER,
            ),
            CallOffered(
                node=NODE,
                channel_id="c2",
                at=T0 + timedelta(seconds=26),
                offer_id="o2",
                counsellor="HN-02",
                centre="HN",
            ),
            CallEnded(node=NODE, channel_id="c2", at=T0 + timedelta(seconds=28)),
            CallArrived(node=NODE, channel_id="c3", at=T0),
            CallQueued(node=NODE, channel_id="c3", at=T0 + timedelta(seconds=5)),
            CallbackRequested(node=NODE, channel_id="c3", at=T0 + timedelta(seconds=65)),
            CallEnded(node=NODE, channel_id="c3", at=T0 + timedelta(seconds=80)),
            CallArrived(node=NODE, channel_id="c4", at=T0),
            CallQueued(node=NODE, channel_id="c4", at=T0 + timedelta(seconds=5)),
            CallEnded(
                node=NODE,
                channel_id="c4",
                at=T0 + timedelta(seconds=300),
                outcome=CallOutcome.NO_COUNSELLOR,
            ),
        ]
    )
    await recorder.flush(timeout_s=10)
    c1, c2, c3, c4 = [await _call(db, f"{NODE}/c{i}") for i in (1, 2, 3, 4)]
    assert c1.outcome == CallOutcome.ABANDONED_IVR and c1.wait_s is None
    assert c1.caller_hash is None and c1.caller_number_enc is None
    assert c2.outcome == CallOutcome.ABANDONED_RINGING and c2.wait_s == 18.0
    assert c2.centres == ["DN", "HN"]
    assert c3.outcome == CallOutcome.CALLBACK_REQUESTED and c3.wait_s == 60.0
    assert c4.outcome == CallOutcome.NO_COUNSELLOR and c4.wait_s == 295.0


async def test_transfers_are_kept_with_every_counsellor(
    recorder: CallRecorder, db: Database
) -> None:
    facts = answered_call(7)
    end = facts.index(next(f for f in facts if isinstance(f, CallEnded)))
    transfer = CallTransferred(
        node=NODE,
        channel_id="1795381364.7",
        at=facts[end].at - timedelta(seconds=10),
        transfer_id="t1",
        transfer_kind=TransferKind.CONSULT,
        from_counsellor="HN-01",
        to_counsellor="DN-03",
        to_centre="DN",
    )
    recorder.record_many([*facts[:end], transfer, transfer, *facts[end:]])
    await recorder.flush(timeout_s=10)
    row = await _call(db, f"{NODE}/1795381364.7")
    assert row.counsellors == ["HN-01", "DN-03"]
    assert row.centres == ["HN", "DN"]
    async with db.sessions() as session:
        transfers = (await session.scalars(select(CallTransferRow))).all()
    assert [(t.kind, t.to_counsellor) for t in transfers] == [("consult", "DN-03")]


async def test_facts_gathered_into_one_batch_still_make_each_record_once(
    db: Database, crypto: Crypto, tmp_path: Path
) -> None:
    """With a linger (the service's group commit), facts recorded one event-loop turn apart
    end up in the same batches: every call still gets its one complete record."""
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    recorder = CallRecorder(db.sessions, outbox, crypto, linger_s=0.05)
    recorder.start()
    try:
        for n in range(1, 6):
            for fact in answered_call(n) + abandoned_in_queue(10 + n):
                recorder.record(fact)
                await asyncio.sleep(0)
        await recorder.flush(timeout_s=10)
    finally:
        await recorder.stop()
        outbox.close()
    async with db.sessions() as session:
        outcomes = (await session.scalars(select(CallRow.outcome))).all()
    expected = [CallOutcome.ANSWERED] * 5 + [CallOutcome.ABANDONED_QUEUE] * 5
    assert sorted(outcomes) == sorted(expected)
