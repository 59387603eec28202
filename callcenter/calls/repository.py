"""Applies call-lifecycle facts to the call-record tables, idempotently, on both databases.

Each fact is one insert-or-ignore or one "set if not yet set" update, so applying the same fact
twice (after a crash between the database commit and the outbox acknowledgement) changes
nothing. The caller is a keyed hash plus an encrypted copy; the number is never stored in clear.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

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
    Fact,
    FallbackCallImported,
    IvrCompleted,
    OfferEnded,
    WrapUpEnded,
)
from callcenter.calls.models import CallOfferRow, CallRow, CallTransferRow
from callcenter.calls.outcomes import CallOutcome, RecordSource
from callcenter.db.upsert import insert_ignore
from callcenter.privacy.crypto import Crypto


def _add(items: list[str], item: str | None) -> list[str]:
    if item is None or item in items:
        return items
    return [*items, item]


class CallRepository:
    def __init__(self, crypto: Crypto) -> None:
        self._crypto = crypto

    def pseudonymise(self, fact: Fact) -> Fact:
        """Replace a raw ``caller_number`` by its keyed hash and encrypted copy."""
        if isinstance(fact, CallerFields) and fact.caller_number is not None:
            raw = fact.caller_number
            return fact.model_copy(
                update={
                    "caller_number": None,
                    "caller_hash": self._crypto.hash_phone(raw),
                    "caller_number_enc": self._crypto.encrypt_phone(raw),
                }
            )
        return fact

    async def apply(self, session: AsyncSession, fact: Fact) -> None:
        fact = self.pseudonymise(fact)
        if isinstance(fact, CallArrived):
            if not await insert_ignore(session, CallRow, self._new_call(fact)):
                await self._arrived_late(session, fact)
        elif isinstance(fact, FallbackCallImported):
            await self._imported(session, fact)
        else:
            row = await self._row(session, fact)
            await self._update(session, row, fact)

    # -- helpers ----------------------------------------------------------------------------
    @staticmethod
    def _new_call(fact: CallFact, **extra: Any) -> dict[str, Any]:
        values: dict[str, Any] = {
            "call_id": fact.call_id,
            "node": fact.node,
            "channel_id": fact.channel_id,
            "source": RecordSource.SERVICE.value,
            "arrived_at": fact.at,
            "in_danger": False,
            "centres": [],
            "counsellors": [],
        }
        if isinstance(fact, CallArrived):
            values.update(
                dialled=fact.dialled,
                channel_name=fact.channel_name,
                caller_hash=fact.caller_hash,
                caller_number_enc=fact.caller_number_enc,
            )
        values.update(extra)
        return values

    async def _row(self, session: AsyncSession, fact: CallFact) -> CallRow:
        row = await session.get(CallRow, fact.call_id)
        if row is None:  # a fact for a call whose arrival was never seen: keep what we know
            await insert_ignore(session, CallRow, self._new_call(fact))
            row = await session.get(CallRow, fact.call_id)
            assert row is not None
        return row

    async def _update(self, session: AsyncSession, row: CallRow, fact: Fact) -> None:
        if isinstance(fact, IvrCompleted):
            row.ivr_done_at = row.ivr_done_at or fact.at
            row.language = row.language or fact.language
            row.province = row.province or fact.province
            row.home_centre = row.home_centre or fact.home_centre
            row.in_danger = row.in_danger or fact.in_danger
        elif isinstance(fact, CallQueued):
            row.queued_at = row.queued_at or fact.at
            row.home_centre = row.home_centre or fact.centre
        elif isinstance(fact, CallOffered):
            await insert_ignore(
                session,
                CallOfferRow,
                {
                    "call_id": fact.call_id,
                    "offer_id": fact.offer_id,
                    "counsellor": fact.counsellor,
                    "centre": fact.centre,
                    "offered_at": fact.at,
                },
            )
            row.first_offered_at = row.first_offered_at or fact.at
            row.centres = _add(row.centres, fact.centre)
        elif isinstance(fact, OfferEnded):
            await self._offer_ended(session, fact)
        elif isinstance(fact, CallAnswered):
            row.answered_at = row.answered_at or fact.at
            row.answered_by = row.answered_by or fact.counsellor
            row.answered_centre = row.answered_centre or fact.centre
            row.counsellors = _add(row.counsellors, fact.counsellor)
            row.centres = _add(row.centres, fact.centre)
        elif isinstance(fact, CallTransferred):
            await insert_ignore(
                session,
                CallTransferRow,
                {
                    "call_id": fact.call_id,
                    "transfer_id": fact.transfer_id,
                    "transferred_at": fact.at,
                    "kind": fact.transfer_kind.value,
                    "from_counsellor": fact.from_counsellor,
                    "to_counsellor": fact.to_counsellor,
                    "to_centre": fact.to_centre,
                    "to_agency": fact.to_agency,
                },
            )
            row.counsellors = _add(row.counsellors, fact.to_counsellor)
            row.centres = _add(row.centres, fact.to_centre)
        elif isinstance(fact, CallbackRequested):
            row.callback_requested_at = row.callback_requested_at or fact.at
        elif isinstance(fact, CallSentToFallback):
            row.fallback_at = row.fallback_at or fact.at
            if row.outcome is None:  # provisional: the fallback import completes it
                row.outcome = CallOutcome.SENT_TO_FALLBACK.value
                self._durations(row, await self._timeline(session, row))
        elif isinstance(fact, CallEnded):
            if row.ended_at is None:
                row.ended_at = fact.at
                row.hangup_by = fact.hangup_by.value
                timeline = await self._timeline(session, row)
                row.outcome = (fact.outcome or derive_outcome(timeline)).value
                self._durations(row, timeline)
        elif isinstance(fact, WrapUpEnded) and row.wrapup_ended_at is None:
            row.wrapup_ended_at = fact.at
            self._durations(row, await self._timeline(session, row))

    async def _arrived_late(self, session: AsyncSession, fact: CallArrived) -> None:
        """The call already has a row (a later fact came first): fill in what it lacks."""
        row = await session.get(CallRow, fact.call_id)
        assert row is not None
        row.arrived_at = min(row.arrived_at, fact.at)
        row.caller_hash = row.caller_hash or fact.caller_hash
        row.caller_number_enc = row.caller_number_enc or fact.caller_number_enc
        row.dialled = row.dialled or fact.dialled
        row.channel_name = row.channel_name or fact.channel_name

    async def _offer_ended(self, session: AsyncSession, fact: OfferEnded) -> None:
        result = await session.execute(
            update(CallOfferRow)
            .where(
                CallOfferRow.call_id == fact.call_id,
                CallOfferRow.offer_id == fact.offer_id,
                CallOfferRow.outcome.is_(None),
            )
            .values(outcome=fact.outcome.value, ended_at=fact.at)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 0:  # type: ignore[attr-defined]
            await insert_ignore(
                session,
                CallOfferRow,
                {
                    "call_id": fact.call_id,
                    "offer_id": fact.offer_id,
                    "counsellor": "unknown",
                    "offered_at": fact.at,
                    "ended_at": fact.at,
                    "outcome": fact.outcome.value,
                },
            )

    async def _timeline(self, session: AsyncSession, row: CallRow) -> Timeline:
        outcomes = (
            await session.scalars(
                select(CallOfferRow.outcome)
                .where(CallOfferRow.call_id == row.call_id)
                .order_by(CallOfferRow.offered_at, CallOfferRow.offer_id)
            )
        ).all()
        return Timeline(
            arrived_at=row.arrived_at,
            ivr_done_at=row.ivr_done_at,
            queued_at=row.queued_at,
            answered_at=row.answered_at,
            callback_requested_at=row.callback_requested_at,
            fallback_at=row.fallback_at,
            ended_at=row.ended_at,
            wrapup_ended_at=row.wrapup_ended_at,
            offer_outcomes=tuple(outcomes),
        )

    @staticmethod
    def _durations(row: CallRow, t: Timeline) -> None:
        row.wait_s = wait_seconds(t)
        row.talk_s = talk_seconds(t)
        row.wrapup_s = wrapup_seconds(t)

    async def _imported(self, session: AsyncSession, fact: FallbackCallImported) -> None:
        timeline = Timeline(
            arrived_at=fact.at,
            ivr_done_at=None,
            queued_at=fact.queued_at,
            answered_at=fact.answered_at,
            callback_requested_at=None,
            fallback_at=None,
            ended_at=fact.ended_at,
            wrapup_ended_at=None,
        )
        answered_centre = fact.home_centre if fact.answered_at else None
        new = await insert_ignore(
            session,
            CallRow,
            self._new_call(
                fact,
                source=RecordSource.FALLBACK_IMPORT.value,
                dialled=fact.dialled,
                channel_name=fact.channel_name,
                caller_hash=fact.caller_hash,
                caller_number_enc=fact.caller_number_enc,
                queued_at=fact.queued_at,
                first_offered_at=min((o.offered_at for o in fact.offers), default=None),
                answered_at=fact.answered_at,
                fallback_at=fact.at,
                ended_at=fact.ended_at,
                home_centre=fact.home_centre,
                answered_centre=answered_centre,
                answered_by=fact.answered_by,
                language=fact.language,
                province=fact.province,
                in_danger=fact.in_danger,
                centres=[fact.home_centre] if fact.home_centre else [],
                counsellors=[fact.answered_by] if fact.answered_by else [],
                outcome=fact.outcome.value,
                wait_s=wait_seconds(timeline),
                talk_s=talk_seconds(timeline),
            ),
        )
        if not new and not await self._complete_from_fallback(session, fact):
            return
        if fact.offers:
            await insert_ignore(
                session,
                CallOfferRow,
                [
                    {
                        "call_id": fact.call_id,
                        "offer_id": o.offer_id,
                        "counsellor": o.counsellor,
                        "centre": o.centre,
                        "offered_at": o.offered_at,
                        "ended_at": o.ended_at,
                        "outcome": o.outcome.value if o.outcome else None,
                    }
                    for o in fact.offers
                ],
            )

    async def _complete_from_fallback(
        self, session: AsyncSession, fact: FallbackCallImported
    ) -> bool:
        """A call the service handed to the fallback queue: complete its record from Asterisk's.

        Only records still open or marked ``sent_to_fallback`` change, so a second import of
        the same files changes nothing. Returns whether the record was completed.
        """
        row = await session.get(CallRow, fact.call_id)
        if row is None or row.outcome not in (None, CallOutcome.SENT_TO_FALLBACK.value):
            return False
        row.fallback_at = row.fallback_at or fact.at
        row.answered_at = row.answered_at or fact.answered_at
        row.answered_by = row.answered_by or fact.answered_by
        if fact.answered_at is not None:
            row.answered_centre = row.answered_centre or fact.home_centre
            row.counsellors = _add(row.counsellors, fact.answered_by)
        row.centres = _add(row.centres, fact.home_centre)
        row.ended_at = fact.ended_at or row.ended_at
        row.outcome = fact.outcome.value
        queued = row.queued_at or fact.queued_at
        left_queue = fact.answered_at or fact.ended_at
        if queued is not None and left_queue is not None:
            row.wait_s = max(0.0, (left_queue - queued).total_seconds())
        if fact.answered_at is not None and fact.ended_at is not None:
            row.talk_s = max(0.0, (fact.ended_at - fact.answered_at).total_seconds())
        return True
