"""Consultations of consult transfers are kept in the call record, each with its outcome."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from callcenter.calls.facts import ConsultAnswered, ConsultEnded, ConsultStarted, Fact
from callcenter.calls.models import CallConsultRow
from callcenter.calls.outcomes import ConsultOutcome
from callcenter.calls.recorder import CallRecorder
from callcenter.db import Database

from .helpers import NODE, answered_call


async def test_every_consultation_is_recorded_once_with_its_times_and_outcome(
    recorder: CallRecorder, db: Database
) -> None:
    facts = answered_call(3)
    channel = "1795381364.3"
    t = facts[-1].at - timedelta(seconds=60)
    consultations: list[Fact] = [
        ConsultStarted(
            node=NODE,
            channel_id=channel,
            at=t,
            consult_id="k1",
            from_counsellor="HN-01",
            to_agency="113",
        ),
        ConsultEnded(
            node=NODE,
            channel_id=channel,
            at=t + timedelta(seconds=20),
            consult_id="k1",
            outcome=ConsultOutcome.NO_ANSWER,
        ),
        ConsultStarted(
            node=NODE,
            channel_id=channel,
            at=t + timedelta(seconds=25),
            consult_id="k2",
            from_counsellor="HN-01",
            to_counsellor="DN-03",
            to_centre="DN",
        ),
        ConsultAnswered(
            node=NODE, channel_id=channel, at=t + timedelta(seconds=30), consult_id="k2"
        ),
        ConsultEnded(
            node=NODE,
            channel_id=channel,
            at=t + timedelta(seconds=40),
            consult_id="k2",
            outcome=ConsultOutcome.CANCELLED,
        ),
    ]
    recorder.record_many([*facts, *consultations])
    recorder.record_many(consultations)  # replayed after a crash: nothing changes
    await recorder.flush(timeout_s=10)
    async with db.sessions() as session:
        query = select(CallConsultRow).order_by(CallConsultRow.started_at)
        rows = (await session.scalars(query)).all()
    assert [(r.consult_id, r.to_agency, r.to_counsellor, r.outcome) for r in rows] == [
        ("k1", "113", None, "no_answer"),
        ("k2", None, "DN-03", "cancelled"),
    ]
    assert rows[0].answered_at is None
    assert rows[1].answered_at == t + timedelta(seconds=30)
    assert rows[1].ended_at == t + timedelta(seconds=40)
    assert all(r.call_id == f"{NODE}/{channel}" for r in rows)
