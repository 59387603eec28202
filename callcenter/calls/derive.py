"""Pure rules that turn a call's timestamps into its outcome and durations (no I/O)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from callcenter.calls.outcomes import CallOutcome, OfferOutcome

RINGING_AT_HANGUP = frozenset({None, OfferOutcome.CALLER_HUNG_UP.value})


@dataclass(frozen=True, slots=True)
class Timeline:
    arrived_at: datetime
    ivr_done_at: datetime | None
    queued_at: datetime | None
    answered_at: datetime | None
    callback_requested_at: datetime | None
    fallback_at: datetime | None
    ended_at: datetime | None
    wrapup_ended_at: datetime | None
    offer_outcomes: Sequence[str | None] = ()  # in offer order


def derive_outcome(t: Timeline) -> CallOutcome:
    """What happened to a call that ended without the call flow naming the outcome."""
    if t.answered_at is not None:
        return CallOutcome.ANSWERED
    if t.callback_requested_at is not None:
        return CallOutcome.CALLBACK_REQUESTED
    if t.fallback_at is not None:
        return CallOutcome.SENT_TO_FALLBACK
    if t.queued_at is None and not t.offer_outcomes:
        return CallOutcome.ABANDONED_IVR
    if t.offer_outcomes and t.offer_outcomes[-1] in RINGING_AT_HANGUP:
        return CallOutcome.ABANDONED_RINGING
    return CallOutcome.ABANDONED_QUEUE


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return max(0.0, (end - start).total_seconds())


def wait_seconds(t: Timeline) -> float | None:
    """From entering the queue (or the end of the IVR) until answered, or until the caller left
    the queue (hung up, asked for a callback, went to the fallback). None if never queued."""
    start = t.queued_at
    if start is None:
        return None
    candidates = [
        x for x in (t.answered_at, t.callback_requested_at, t.fallback_at, t.ended_at) if x
    ]
    return _seconds(start, min(candidates)) if candidates else None


def talk_seconds(t: Timeline) -> float | None:
    return _seconds(t.answered_at, t.ended_at)


def wrapup_seconds(t: Timeline) -> float | None:
    if t.answered_at is None:
        return None
    return _seconds(t.ended_at, t.wrapup_ended_at)
