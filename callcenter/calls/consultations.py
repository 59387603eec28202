"""Consultation facts -> ``call_consultations`` rows (called by the repository, idempotently:
each column is set once, so replaying the facts changes nothing)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from callcenter.calls.facts import ConsultAnswered, ConsultEnded, ConsultStarted
from callcenter.calls.models import CallConsultRow

ConsultFact = ConsultStarted | ConsultAnswered | ConsultEnded
Rows = dict[tuple[str, str], CallConsultRow]


def apply_consult(session: AsyncSession, rows: Rows, fact: ConsultFact) -> None:
    key = (fact.call_id, fact.consult_id)
    row = rows.get(key)
    if row is None:  # its start, or the first of its facts seen
        row = CallConsultRow(call_id=fact.call_id, consult_id=fact.consult_id, started_at=fact.at)
        rows[key] = row
        session.add(row)
    if isinstance(fact, ConsultStarted):
        row.from_counsellor = row.from_counsellor or fact.from_counsellor
        row.to_counsellor = row.to_counsellor or fact.to_counsellor
        row.to_centre = row.to_centre or fact.to_centre
        row.to_agency = row.to_agency or fact.to_agency
    elif isinstance(fact, ConsultAnswered):
        row.answered_at = row.answered_at or fact.at
    elif row.outcome is None:
        row.outcome = fact.outcome.value
        row.ended_at = fact.at
