"""Retention: purge direct identifiers older than a configurable period, keep the figures.

For contacts started, cases closed and callers last seen before the cut-off, every encrypted
identifier column is set to NULL (and the caller's keyed hash too, so the number can no longer be
matched), ``pii_purged_at`` is stamped, and the coded, anonymous fields (kinds, codes, age bands,
provinces, dates) stay for the statistics. The call records' caller hash and number are purged
with the same cut-off. The purge is audited. Open cases are never purged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Update, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from callcenter.calls.models import CallRow
from callcenter.cases import audit
from callcenter.cases.access import AccessDeniedError, Reader
from callcenter.cases.models import (
    Caller,
    Case,
    Consent,
    Contact,
    FollowUp,
    PerpetratorContext,
    Person,
    Referral,
    TraffickingEvent,
)
from callcenter.privacy import Crypto

CLOSED = ("closed", "closed_referred")


@dataclass(frozen=True, slots=True)
class PurgeReport:
    cutoff: dt.datetime
    contacts: int
    cases: int
    people: int
    callers: int
    calls: int


async def _count(session: AsyncSession, stmt: Update) -> int:
    result = await session.execute(stmt.execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)


async def purge_identifiers(
    session: AsyncSession,
    crypto: Crypto,
    reader: Reader,
    *,
    older_than: dt.timedelta,
    now: dt.datetime,
) -> PurgeReport:
    """Purge identifiers of records older than ``older_than`` (in the caller's transaction)."""
    if reader.role != "admin":
        raise AccessDeniedError(reader, "retention purge / xóa dữ liệu định danh")
    if older_than < dt.timedelta(days=1):
        raise ValueError("thời hạn lưu giữ quá ngắn / retention period must be at least a day")
    cutoff = now - older_than
    await audit.begin_append(session)
    contacts = await _count(
        session,
        update(Contact)
        .where(Contact.started_at < cutoff, Contact.pii_purged_at.is_(None))
        .values(notes_enc=None, pii_purged_at=now),
    )
    old_cases = select(Case.id).where(Case.status.in_(CLOSED), Case.closed_at < cutoff)
    old_cases = old_cases.where(Case.pii_purged_at.is_(None))
    old_people = select(Person.id).where(Person.case_id.in_(old_cases))
    await session.execute(
        update(TraffickingEvent)
        .where(TraffickingEvent.person_id.in_(old_people))
        .values(description_enc=None)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(Consent)
        .where(Consent.person_id.in_(old_people))
        .values(told_enc=None)
        .execution_options(synchronize_session=False)
    )
    for model in (PerpetratorContext,):
        await session.execute(
            update(model)
            .where(model.case_id.in_(old_cases))
            .values(details_enc=None)
            .execution_options(synchronize_session=False)
        )
    for note_model in (Referral, FollowUp):
        await session.execute(
            update(note_model)
            .where(note_model.case_id.in_(old_cases))
            .values(notes_enc=None)
            .execution_options(synchronize_session=False)
        )
    people = await _count(
        session,
        update(Person)
        .where(Person.case_id.in_(old_cases))
        .values(
            given_name_enc=None,
            family_name_enc=None,
            birth_date_enc=None,
            id_number_enc=None,
            phone_enc=None,
            address_enc=None,
            ethnicity_enc=None,
            pii_purged_at=now,
        ),
    )
    cases = await _count(
        session,
        update(Case).where(Case.id.in_(old_cases)).values(summary_enc=None, pii_purged_at=now),
    )
    callers = await _count(
        session,
        update(Caller)
        .where(Caller.last_seen_at < cutoff, Caller.pii_purged_at.is_(None))
        .values(
            phone_hash=None,
            phone_enc=None,
            safe_times_enc=None,
            safety_note_enc=None,
            pii_purged_at=now,
        ),
    )
    calls = await _count(
        session,
        update(CallRow)
        .where(CallRow.arrived_at < cutoff, CallRow.caller_hash.is_not(None))
        .values(caller_hash=None, caller_number_enc=None),
    )
    await audit.append(
        session,
        crypto.hash_value,
        reader,
        action="purge",
        entity="retention",
        entity_id=cutoff.isoformat(timespec="seconds"),
        at=now,
    )
    return PurgeReport(cutoff, contacts, cases, people, callers, calls)
