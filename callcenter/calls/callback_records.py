"""Callback requests and attempts: facts -> rows (idempotent), and the reads the service needs.

Written by :class:`callcenter.calls.repository.CallRepository` in the same transaction as the
call records, from the same outbox, so a database outage loses nothing and a replay after a
crash changes nothing: a request is created once per call, an attempt once per outbound leg,
an ended attempt or a closed request is never changed again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from callcenter.calls.callback_models import CallbackAttemptRow, CallbackRequestRow
from callcenter.calls.facts import (
    CallbackAttemptEnded,
    CallbackAttemptStarted,
    CallbackClosed,
    CallbackRequested,
    Fact,
)
from callcenter.calls.outcomes import OPEN_CALLBACK_STATES, CallbackState
from callcenter.privacy.crypto import Crypto

CallbackFact = CallbackRequested | CallbackAttemptStarted | CallbackAttemptEnded | CallbackClosed
CHUNK = 500


def is_callback_fact(fact: Fact) -> bool:
    """True for the facts this module writes (a request fact without a safe window predates
    durable requests and only marks the call record)."""
    if isinstance(fact, CallbackRequested):
        return fact.safe_window is not None
    return isinstance(fact, CallbackAttemptStarted | CallbackAttemptEnded | CallbackClosed)


def callback_only(fact: Fact) -> bool:
    """True for facts that concern the callback tables only, never the call record."""
    return isinstance(fact, CallbackAttemptStarted | CallbackAttemptEnded | CallbackClosed)


async def apply_callback_facts(session: AsyncSession, facts: Sequence[Fact]) -> None:
    mine = [f for f in facts if is_callback_fact(f)]
    if not mine:
        return
    ids = sorted({f.call_id for f in mine})
    requests: dict[str, CallbackRequestRow] = {}
    attempts: dict[str, CallbackAttemptRow] = {}
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        query = select(CallbackRequestRow).where(CallbackRequestRow.call_id.in_(chunk))
        requests.update((r.call_id, r) for r in await session.scalars(query))
        query_a = select(CallbackAttemptRow).where(CallbackAttemptRow.call_id.in_(chunk))
        attempts.update((a.attempt_id, a) for a in await session.scalars(query_a))
    for fact in mine:
        _apply(session, requests, attempts, fact)  # type: ignore[arg-type]
    await session.flush()


def _apply(
    session: AsyncSession,
    requests: dict[str, CallbackRequestRow],
    attempts: dict[str, CallbackAttemptRow],
    fact: CallbackFact,
) -> None:
    request = requests.get(fact.call_id)
    if isinstance(fact, CallbackRequested):
        if request is None and fact.safe_window is not None:
            request = CallbackRequestRow(
                call_id=fact.call_id,
                node=fact.node,
                caller_hash=fact.caller_hash,
                caller_number_enc=fact.caller_number_enc,
                safe_window=fact.safe_window,
                language=fact.language,
                home_centre=fact.home_centre,
                in_danger=fact.in_danger,
                arrived_at=fact.arrived_at or fact.at,
                requested_at=fact.at,
                state=CallbackState.PENDING.value,
                attempts=0,
            )
            requests[fact.call_id] = request
            session.add(request)
    elif isinstance(fact, CallbackAttemptStarted):
        if fact.attempt_id in attempts:
            return  # replayed
        attempt = CallbackAttemptRow(
            attempt_id=fact.attempt_id,
            call_id=fact.call_id,
            counsellor=fact.counsellor,
            counsellor_leg=fact.counsellor_leg,
            dialled_at=fact.at,
        )
        attempts[fact.attempt_id] = attempt
        session.add(attempt)
        if request is not None and request.state in OPEN_CALLBACK_STATES:
            request.attempts += 1
            request.state = CallbackState.DIALLING.value
            request.last_attempt_at = fact.at
    elif isinstance(fact, CallbackAttemptEnded):
        found = attempts.get(fact.attempt_id)
        if found is None:  # never dialled (outside the safe window), or its start was lost
            found = CallbackAttemptRow(
                attempt_id=fact.attempt_id, call_id=fact.call_id, counsellor=fact.counsellor
            )
            attempts[fact.attempt_id] = found
            session.add(found)
        if found.outcome is not None:
            return  # replayed
        found.outcome = fact.outcome.value
        found.ended_at = fact.at
        found.talk_s = fact.talk_s
        found.counsellor = found.counsellor or fact.counsellor
        if request is not None and request.state == CallbackState.DIALLING.value:
            request.state = CallbackState.PENDING.value
    elif request is not None and request.state in OPEN_CALLBACK_STATES:  # CallbackClosed
        request.state = fact.state.value
        request.closed_at = fact.at


# -- reads ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class OpenAttempt:
    attempt_id: str  # the outbound leg's channel id
    counsellor_leg: str | None
    counsellor: str | None
    dialled_at: datetime | None


@dataclass(frozen=True, slots=True)
class StoredCallback:
    """A request still to be served, as the service reloads it on start."""

    call_id: str
    number: str
    safe_window: str
    language: str | None
    home_centre: str | None
    in_danger: bool
    arrived_at: datetime
    requested_at: datetime
    attempts: int
    open_attempt: OpenAttempt | None  # in flight when the previous process stopped


async def load_open(session: AsyncSession, crypto: Crypto, node: str) -> list[StoredCallback]:
    """The pending and dialling requests of ``node``, oldest arrival first (numbers decrypted)."""
    query = (
        select(CallbackRequestRow)
        .where(
            CallbackRequestRow.node == node,
            CallbackRequestRow.state.in_([s.value for s in OPEN_CALLBACK_STATES]),
        )
        .order_by(CallbackRequestRow.arrived_at)
    )
    rows = list(await session.scalars(query))
    open_attempts = await _open_attempts(session, [r.call_id for r in rows])
    out = []
    for row in rows:
        number = crypto.decrypt_optional(row.caller_number_enc)
        if number is None:
            continue  # nothing to call (cannot happen for requests the service made)
        out.append(
            StoredCallback(
                call_id=row.call_id,
                number=number,
                safe_window=row.safe_window,
                language=row.language,
                home_centre=row.home_centre,
                in_danger=row.in_danger,
                arrived_at=row.arrived_at,
                requested_at=row.requested_at,
                attempts=row.attempts,
                open_attempt=open_attempts.get(row.call_id),
            )
        )
    return out


async def _open_attempts(session: AsyncSession, ids: list[str]) -> dict[str, OpenAttempt]:
    found: dict[str, OpenAttempt] = {}
    for i in range(0, len(ids), CHUNK):
        query = select(CallbackAttemptRow).where(
            CallbackAttemptRow.call_id.in_(ids[i : i + CHUNK]),
            CallbackAttemptRow.outcome.is_(None),
        )
        for a in await session.scalars(query):
            found[a.call_id] = OpenAttempt(a.attempt_id, a.counsellor_leg, a.counsellor,
                                           a.dialled_at)  # fmt: skip
    return found


@dataclass(frozen=True, slots=True)
class CallbackView:
    """A request as supervisors see it (no phone number)."""

    call_id: str
    state: str
    safe_window: str
    language: str | None
    home_centre: str | None
    in_danger: bool
    arrived_at: datetime
    requested_at: datetime
    attempts: int
    closed_at: datetime | None
    attempt_log: tuple[tuple[str | None, datetime | None, str | None, float | None], ...]
    """(counsellor, dialled_at, outcome, talk_s) per attempt, oldest first."""


async def list_requests(
    session: AsyncSession, states: Iterable[str], *, limit: int = 500
) -> list[CallbackView]:
    query = (
        select(CallbackRequestRow)
        .where(CallbackRequestRow.state.in_(list(states)))
        .order_by(CallbackRequestRow.arrived_at)
        .limit(limit)
    )
    rows = list(await session.scalars(query))
    log: dict[str, list[CallbackAttemptRow]] = {r.call_id: [] for r in rows}
    ids = list(log)
    for i in range(0, len(ids), CHUNK):
        query_a = select(CallbackAttemptRow).where(
            CallbackAttemptRow.call_id.in_(ids[i : i + CHUNK])
        )
        for a in await session.scalars(query_a):
            log[a.call_id].append(a)
    return [
        CallbackView(
            call_id=r.call_id,
            state=r.state,
            safe_window=r.safe_window,
            language=r.language,
            home_centre=r.home_centre,
            in_danger=r.in_danger,
            arrived_at=r.arrived_at,
            requested_at=r.requested_at,
            attempts=r.attempts,
            closed_at=r.closed_at,
            attempt_log=tuple(
                (a.counsellor, a.dialled_at, a.outcome, a.talk_s)
                for a in sorted(log[r.call_id], key=_attempt_order)
            ),
        )
        for r in rows
    ]


def _attempt_order(a: CallbackAttemptRow) -> tuple[datetime, str]:
    return (a.dialled_at or a.ended_at or datetime.max.replace(tzinfo=UTC), a.attempt_id)
