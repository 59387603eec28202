"""Callback requests and attempts in the call records (SQLite and PostgreSQL): written once
however often the outbox replays them, the number only encrypted, and read back on a restart."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import inspect, select

from callcenter.calls.callback_models import CallbackAttemptRow, CallbackRequestRow
from callcenter.calls.callback_records import list_requests, load_open
from callcenter.calls.facts import (
    CallArrived,
    CallbackAttemptEnded,
    CallbackAttemptStarted,
    CallbackClosed,
    CallbackRequested,
    CallEnded,
    Fact,
)
from callcenter.calls.models import CallRow
from callcenter.calls.outcomes import CallbackAttemptOutcome, CallbackState
from callcenter.calls.recorder import CallRecorder
from callcenter.calls.repository import CallRepository
from callcenter.db import Database, migrate
from callcenter.privacy import Crypto
from tests.conftest import PG_ADMIN_URL, _pg_admin

from .helpers import NODE, T0

NUMBER = "0912345678"


def _request(n: int, *, minutes: int = 0, window: str = "any") -> list[Fact]:
    ch = f"cb.{n}"
    at = T0 + timedelta(minutes=minutes)
    return [
        CallArrived(node=NODE, channel_id=ch, at=at, caller_number=NUMBER, dialled="111"),
        CallbackRequested(
            node=NODE,
            channel_id=ch,
            at=at + timedelta(minutes=5),
            caller_number=NUMBER,
            safe_window=window,
            language="vi",
            home_centre="HN",
            in_danger=True,
            arrived_at=at,
        ),
        CallEnded(node=NODE, channel_id=ch, at=at + timedelta(minutes=5, seconds=8)),
    ]


def _attempt(n: int, leg: str, minutes: int, outcome: CallbackAttemptOutcome) -> list[Fact]:
    at = T0 + timedelta(minutes=minutes)
    talk = 95.0 if outcome is CallbackAttemptOutcome.ANSWERED else None
    return [
        CallbackAttemptStarted(
            node=NODE,
            channel_id=f"cb.{n}",
            at=at,
            attempt_id=leg,
            counsellor="HN-01",
            counsellor_leg=f"cb-{leg}",
        ),
        CallbackAttemptEnded(
            node=NODE,
            channel_id=f"cb.{n}",
            at=at + timedelta(seconds=40),
            attempt_id=leg,
            outcome=outcome,
            talk_s=talk,
        ),
    ]


async def test_a_request_and_its_attempts_are_recorded_once_however_often_replayed(
    recorder: CallRecorder, db: Database, crypto: Crypto
) -> None:
    facts = [
        *_request(1),
        *_attempt(1, "cbo-1", 30, CallbackAttemptOutcome.NO_ANSWER),
        *_attempt(1, "cbo-2", 60, CallbackAttemptOutcome.ANSWERED),
        CallbackClosed(
            node=NODE, channel_id="cb.1", at=T0 + timedelta(minutes=62), state=CallbackState.DONE
        ),
    ]
    recorder.record_many(facts)
    journaled = [e.payload for e in recorder._outbox.peek(100)]  # before the drainer runs
    assert journaled and not any("912345678" in p for p in journaled), "number journaled"
    await recorder.flush(timeout_s=10)
    async with db.sessions.begin() as session:  # a crash before the outbox ack: replayed
        await CallRepository(crypto).apply_many(session, facts)
    async with db.sessions() as session:
        requests = list(await session.scalars(select(CallbackRequestRow)))
        attempts = list(await session.scalars(select(CallbackAttemptRow)))
        call = await session.get(CallRow, f"{NODE}/cb.1")
    assert len(requests) == 1 and len(attempts) == 2
    (request,) = requests
    assert (request.state, request.attempts) == ("done", 2)
    assert request.arrived_at == T0 and request.in_danger and request.safe_window == "any"
    assert request.caller_number_enc is not None and NUMBER not in request.caller_number_enc
    assert crypto.decrypt(request.caller_number_enc) == "+84912345678"
    assert request.caller_hash == crypto.hash_phone(NUMBER)
    by_leg = {a.attempt_id: a for a in attempts}
    assert by_leg["cbo-1"].outcome == "no_answer" and by_leg["cbo-1"].talk_s is None
    assert by_leg["cbo-2"].outcome == "answered" and by_leg["cbo-2"].talk_s == 95.0
    assert {a.call_id for a in attempts} == {f"{NODE}/cb.1"}  # linked to the call's record
    assert call is not None and call.outcome == "callback_requested"
    assert call.arrived_at == T0, "attempts never touch the call record's times"


async def test_open_requests_are_read_back_with_their_place_and_attempt_in_flight(
    recorder: CallRecorder, db: Database, crypto: Crypto
) -> None:
    recorder.record_many(
        [
            *_request(1, minutes=10),  # pending
            *_request(2, minutes=0),  # dialling when the service stopped
            CallbackAttemptStarted(
                node=NODE,
                channel_id="cb.2",
                at=T0 + timedelta(hours=1),
                attempt_id="cbo-9",
                counsellor="DN-01",
                counsellor_leg="cb-9",
            ),
            *_request(3, minutes=5),  # given up
            *_attempt(3, "cbo-3", 30, CallbackAttemptOutcome.BUSY),
            CallbackClosed(
                node=NODE, channel_id="cb.3", at=T0 + timedelta(hours=1), state=CallbackState.FAILED
            ),
            # outside the safe window: recorded, never counted as dialled
            CallbackAttemptEnded(
                node=NODE,
                channel_id="cb.1",
                at=T0 + timedelta(hours=2),
                attempt_id="skip-1",
                counsellor="HN-02",
                outcome=CallbackAttemptOutcome.OUTSIDE_WINDOW,
            ),
        ]
    )
    await recorder.flush(timeout_s=10)
    async with db.sessions() as session:
        stored = await load_open(session, crypto, NODE)
        other_node = await load_open(session, crypto, "pbx-dn")
        failed = await list_requests(session, ["failed"])
        pending = await list_requests(session, ["pending"])
    assert other_node == []
    assert [s.call_id for s in stored] == [f"{NODE}/cb.2", f"{NODE}/cb.1"], "oldest first"
    assert {s.number for s in stored} == {"+84912345678"}
    dialling, waiting = stored
    assert dialling.open_attempt is not None and dialling.open_attempt.attempt_id == "cbo-9"
    assert dialling.open_attempt.counsellor_leg == "cb-9" and dialling.attempts == 1
    assert waiting.open_attempt is None and waiting.attempts == 0
    assert waiting.arrived_at == T0 + timedelta(minutes=10)
    assert [(v.call_id, v.attempts) for v in failed] == [(f"{NODE}/cb.3", 1)]
    assert failed[0].attempt_log[0][2] == "busy"
    assert [v.attempt_log for v in pending] == [(("HN-02", None, "outside_window", None),)]


async def test_a_request_from_before_durable_callbacks_only_marks_the_call(
    recorder: CallRecorder, db: Database
) -> None:
    """Outbox entries written by an older service (no safe window) still replay cleanly."""
    recorder.record(CallbackRequested(node=NODE, channel_id="old.1", at=T0))
    await recorder.flush(timeout_s=10)
    async with db.sessions() as session:
        call = await session.get(CallRow, f"{NODE}/old.1")
        requests = list(await session.scalars(select(CallbackRequestRow)))
    assert call is not None and call.callback_requested_at == T0
    assert requests == []


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
async def test_migration_0005_runs_up_and_down(
    kind: str, sqlite_url: str, request: pytest.FixtureRequest
) -> None:
    if kind == "sqlite":
        url = sqlite_url
    else:
        request.getfixturevalue("pg_url")  # skips like the shared fixture when PG is away
        name = f"cc_cb_{uuid.uuid4().hex[:12]}"
        await _pg_admin(f'CREATE DATABASE "{name}"')
        url = f"postgresql+asyncpg://{PG_ADMIN_URL.split('://', 1)[1].rsplit('/', 1)[0]}/{name}"
    try:
        await migrate.upgrade(url)
        assert {"callback_requests", "callback_attempts"} <= await _tables(url)
        await migrate.downgrade(url, "0004_call_hour_stats")
        left = await _tables(url)
        assert "calls" in left and not {"callback_requests", "callback_attempts"} & left
        await migrate.upgrade(url)
        assert {"callback_requests", "callback_attempts"} <= await _tables(url)
    finally:
        if kind == "postgres":
            await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _tables(url: str) -> set[str]:
    db = Database.from_url(url)
    try:
        async with db.engine.connect() as conn:
            names = await conn.run_sync(lambda c: inspect(c).get_table_names())
    finally:
        await db.dispose()
    return set(names)
