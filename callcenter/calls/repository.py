"""Applies call-lifecycle facts to the call-record tables, idempotently, on both databases.

Facts are applied a batch at a time: the rows of the batch's calls are loaded with one query
per table, every fact changes them in memory ("set if not yet set", "add if missing"), and the
session writes the result in one transaction. Applying the same facts again (after a crash
between the database commit and the outbox acknowledgement) finds them already there and
changes nothing. The caller is a keyed hash plus an encrypted copy, never the number in clear.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from callcenter.calls.callback_records import apply_callback_facts, callback_only
from callcenter.calls.consultations import apply_consult
from callcenter.calls.derive import (
    Timeline,
    derive_outcome,
    talk_seconds,
    wait_seconds,
    wrapup_seconds,
)
from callcenter.calls.facts import (
    CallAnswered,
    CallArrived,
    CallbackRequested,
    CallEnded,
    CallerFields,
    CallFact,
    CallOffered,
    CallQueued,
    CallSentToFallback,
    CallTransferred,
    ConsultAnswered,
    ConsultEnded,
    ConsultStarted,
    Fact,
    FallbackCallImported,
    IvrCompleted,
    OfferEnded,
    WrapUpEnded,
)
from callcenter.calls.fallback_merge import complete_from_fallback, imported_row
from callcenter.calls.models import CallConsultRow, CallOfferRow, CallRow, CallTransferRow
from callcenter.calls.options import StatsOptions
from callcenter.calls.outcomes import CallOutcome, RecordSource
from callcenter.calls.rollup import hour_of, recompute_hours
from callcenter.privacy.crypto import Crypto

CHUNK = 500  # ids per IN (...) query


def add_item(items: list[str], item: str | None) -> list[str]:
    """``items`` plus ``item`` if new (a new list, so the ORM sees the change)."""
    if item is None or item in items:
        return items
    return [*items, item]


@dataclass
class _Batch:
    session: AsyncSession
    rows: dict[str, CallRow] = field(default_factory=dict)
    offers: dict[tuple[str, str], CallOfferRow] = field(default_factory=dict)
    transfers: set[tuple[str, str]] = field(default_factory=set)
    consults: dict[tuple[str, str], CallConsultRow] = field(default_factory=dict)

    def add_offer(self, offer: CallOfferRow) -> None:
        key = (offer.call_id, offer.offer_id)
        if key not in self.offers:
            self.offers[key] = offer
            self.session.add(offer)

    def offer_outcomes(self, call_id: str) -> tuple[str | None, ...]:
        mine = [o for (cid, _), o in self.offers.items() if cid == call_id]
        mine.sort(key=lambda o: (o.offered_at, o.offer_id))
        return tuple(o.outcome for o in mine)


class CallRepository:
    """``stats_options``: the thresholds the hourly rollup is kept with (docs/calls.md)."""

    def __init__(self, crypto: Crypto, stats_options: StatsOptions | None = None) -> None:
        self._crypto = crypto
        self._options = stats_options or StatsOptions()

    def pseudonymise(self, fact: Fact) -> Fact:
        """Replace a raw ``caller_number`` by its keyed hash and encrypted copy."""
        if isinstance(fact, CallerFields) and fact.caller_number is not None:
            hashed, encrypted = self._crypto.pseudonymise_phone(fact.caller_number)
            return fact.model_copy(
                update={
                    "caller_number": None,
                    "caller_hash": hashed,
                    "caller_number_enc": encrypted,
                }
            )
        return fact

    async def apply(self, session: AsyncSession, fact: Fact) -> None:
        await self.apply_many(session, (fact,))

    async def apply_many(self, session: AsyncSession, facts: Iterable[Fact]) -> None:
        """Apply ``facts`` in order within the caller's transaction."""
        all_facts = [self.pseudonymise(f) for f in facts]
        batch_facts = [f for f in all_facts if not callback_only(f)]
        batch = await self._load(session, sorted({f.call_id for f in batch_facts}))
        hours: set[datetime] = set()
        for fact in batch_facts:
            before = batch.rows.get(fact.call_id)
            if before is not None:
                hours.add(hour_of(before.arrived_at))
            self._apply(batch, fact)
            hours.add(hour_of(batch.rows[fact.call_id].arrived_at))
        await session.flush()
        await recompute_hours(session, hours, self._options)
        await apply_callback_facts(session, all_facts)

    async def _load(self, session: AsyncSession, ids: Sequence[str]) -> _Batch:
        batch = _Batch(session)
        for i in range(0, len(ids), CHUNK):
            chunk = ids[i : i + CHUNK]
            for row in await session.scalars(select(CallRow).where(CallRow.call_id.in_(chunk))):
                batch.rows[row.call_id] = row
            offers = await session.scalars(
                select(CallOfferRow).where(CallOfferRow.call_id.in_(chunk))
            )
            for offer in offers:
                batch.offers[(offer.call_id, offer.offer_id)] = offer
            keys = await session.execute(
                select(CallTransferRow.call_id, CallTransferRow.transfer_id).where(
                    CallTransferRow.call_id.in_(chunk)
                )
            )
            batch.transfers.update((c, t) for c, t in keys)
            consults = await session.scalars(
                select(CallConsultRow).where(CallConsultRow.call_id.in_(chunk))
            )
            batch.consults.update(((c.call_id, c.consult_id), c) for c in consults)
        return batch

    # -- one fact ---------------------------------------------------------------------------
    def _apply(self, batch: _Batch, fact: Fact) -> None:
        row = batch.rows.get(fact.call_id)
        if isinstance(fact, FallbackCallImported):
            if row is None:
                row = imported_row(fact)
                batch.rows[row.call_id] = row
                batch.session.add(row)
            elif not complete_from_fallback(row, fact):
                return
            for imp in fact.offers:
                batch.add_offer(
                    CallOfferRow(
                        call_id=fact.call_id,
                        offer_id=imp.offer_id,
                        counsellor=imp.counsellor,
                        centre=imp.centre,
                        offered_at=imp.offered_at,
                        ended_at=imp.ended_at,
                        outcome=imp.outcome.value if imp.outcome else None,
                    )
                )
            return
        if row is None:  # the first fact of this call (or a call whose arrival was never seen)
            row = _new_row(fact)
            batch.rows[row.call_id] = row
            batch.session.add(row)
        if isinstance(fact, CallArrived):
            row.arrived_at = min(row.arrived_at, fact.at)
            row.caller_hash = row.caller_hash or fact.caller_hash
            row.caller_number_enc = row.caller_number_enc or fact.caller_number_enc
            row.dialled = row.dialled or fact.dialled
            row.channel_name = row.channel_name or fact.channel_name
        elif isinstance(fact, IvrCompleted):
            row.ivr_done_at = row.ivr_done_at or fact.at
            row.language = row.language or fact.language
            row.province = row.province or fact.province
            row.home_centre = row.home_centre or fact.home_centre
            row.in_danger = row.in_danger or fact.in_danger
        elif isinstance(fact, CallQueued):
            row.queued_at = row.queued_at or fact.at
            row.home_centre = row.home_centre or fact.centre
        elif isinstance(fact, CallOffered):
            batch.add_offer(
                CallOfferRow(
                    call_id=fact.call_id,
                    offer_id=fact.offer_id,
                    counsellor=fact.counsellor,
                    centre=fact.centre,
                    offered_at=fact.at,
                )
            )
            row.first_offered_at = row.first_offered_at or fact.at
            row.centres = add_item(row.centres, fact.centre)
        elif isinstance(fact, OfferEnded):
            offer = batch.offers.get((fact.call_id, fact.offer_id))
            if offer is None:  # its start was never seen
                offer = CallOfferRow(
                    call_id=fact.call_id,
                    offer_id=fact.offer_id,
                    counsellor="unknown",
                    offered_at=fact.at,
                )
                batch.add_offer(offer)
            if offer.outcome is None:
                offer.outcome = fact.outcome.value
                offer.ended_at = fact.at
        elif isinstance(fact, CallAnswered):
            row.answered_at = row.answered_at or fact.at
            row.answered_by = row.answered_by or fact.counsellor
            row.answered_centre = row.answered_centre or fact.centre
            row.counsellors = add_item(row.counsellors, fact.counsellor)
            row.centres = add_item(row.centres, fact.centre)
        elif isinstance(fact, CallTransferred):
            if (fact.call_id, fact.transfer_id) not in batch.transfers:
                batch.transfers.add((fact.call_id, fact.transfer_id))
                batch.session.add(
                    CallTransferRow(
                        call_id=fact.call_id,
                        transfer_id=fact.transfer_id,
                        transferred_at=fact.at,
                        kind=fact.transfer_kind.value,
                        from_counsellor=fact.from_counsellor,
                        to_counsellor=fact.to_counsellor,
                        to_centre=fact.to_centre,
                        to_agency=fact.to_agency,
                    )
                )
            row.counsellors = add_item(row.counsellors, fact.to_counsellor)
            row.centres = add_item(row.centres, fact.to_centre)
        elif isinstance(fact, ConsultStarted | ConsultAnswered | ConsultEnded):
            apply_consult(batch.session, batch.consults, fact)
        elif isinstance(fact, CallbackRequested):
            row.callback_requested_at = row.callback_requested_at or fact.at
        elif isinstance(fact, CallSentToFallback):
            row.fallback_at = row.fallback_at or fact.at
            if row.outcome is None:  # provisional: the fallback import completes it
                row.outcome = CallOutcome.SENT_TO_FALLBACK.value
                _durations(row, _timeline(batch, row))
        elif isinstance(fact, CallEnded):
            if row.ended_at is None:
                row.ended_at = fact.at
                row.hangup_by = fact.hangup_by.value
                timeline = _timeline(batch, row)
                row.outcome = (fact.outcome or derive_outcome(timeline)).value
                _durations(row, timeline)
        elif isinstance(fact, WrapUpEnded) and row.wrapup_ended_at is None:
            row.wrapup_ended_at = fact.at
            _durations(row, _timeline(batch, row))


def _new_row(fact: CallFact) -> CallRow:
    return CallRow(
        call_id=fact.call_id,
        node=fact.node,
        channel_id=fact.channel_id,
        source=RecordSource.SERVICE.value,
        arrived_at=fact.at,
        in_danger=False,
        centres=[],
        counsellors=[],
    )


def _timeline(batch: _Batch, row: CallRow) -> Timeline:
    return Timeline(
        arrived_at=row.arrived_at,
        ivr_done_at=row.ivr_done_at,
        queued_at=row.queued_at,
        answered_at=row.answered_at,
        callback_requested_at=row.callback_requested_at,
        fallback_at=row.fallback_at,
        ended_at=row.ended_at,
        wrapup_ended_at=row.wrapup_ended_at,
        offer_outcomes=batch.offer_outcomes(row.call_id),
    )


def _durations(row: CallRow, t: Timeline) -> None:
    row.wait_s = wait_seconds(t)
    row.talk_s = talk_seconds(t)
    row.wrapup_s = wrapup_seconds(t)
