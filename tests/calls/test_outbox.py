from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import func, select

from callcenter.calls.facts import CallArrived, CallEnded
from callcenter.calls.models import CallRow
from callcenter.calls.recorder import CallRecorder
from callcenter.db import Database
from callcenter.db.outbox import Outbox
from callcenter.privacy import Crypto

from .helpers import NODE, T0, answered_call


async def _count(db: Database) -> int:
    async with db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(CallRow)) or 0)


async def test_the_outbox_survives_a_process_restart(
    db: Database, crypto: Crypto, tmp_path: Path
) -> None:
    path = tmp_path / "var" / "outbox.sqlite3"
    first = Outbox(path)
    # the process records calls, then dies before its drainer ever ran
    CallRecorder(db.sessions, first, crypto).record_many(answered_call(1) + answered_call(2))
    first.close()
    assert await _count(db) == 0

    reopened = Outbox(path)
    assert reopened.backlog == 16
    recorder = CallRecorder(db.sessions, reopened, crypto)
    recorder.start()
    await recorder.flush(timeout_s=10)
    await recorder.stop()
    reopened.close()
    assert await _count(db) == 2
    assert Outbox(path).backlog == 0


async def test_replaying_entries_already_written_changes_nothing(
    db: Database, crypto: Crypto, tmp_path: Path
) -> None:
    """A crash after the database commit but before the outbox acknowledgement."""
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    recorder = CallRecorder(db.sessions, outbox, crypto)
    facts = answered_call(1)
    recorder.record_many(facts)
    payloads = [e.payload for e in outbox.peek()]
    await recorder.drain_once()
    outbox.append_many(payloads)  # as if the ack had been lost
    await recorder.drain_once()
    async with db.sessions() as session:
        row = await session.get(CallRow, f"{NODE}/1795381364.1")
    assert row is not None and row.talk_s == 60.0 and row.counsellors == ["HN-01"]
    assert await _count(db) == 1
    outbox.close()


async def test_a_record_the_database_refuses_is_kept_aside_not_lost(
    db: Database, crypto: Crypto, tmp_path: Path
) -> None:
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    recorder = CallRecorder(db.sessions, outbox, crypto)
    recorder.record_many([CallArrived(node=NODE, channel_id="ok-1", at=T0)])
    outbox.append('{"kind": "call_arrived", "node": "n"}')  # damaged entry
    recorder.record_many([CallEnded(node=NODE, channel_id="ok-1", at=T0)])
    while outbox.backlog:
        await recorder.drain_once()
    assert await _count(db) == 1
    assert outbox.dead_letters == 1
    assert recorder.health.dead_letters == 1
    outbox.close()


async def test_a_broken_outbox_never_breaks_the_call(
    db: Database, crypto: Crypto, tmp_path: Path
) -> None:
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    recorder = CallRecorder(db.sessions, outbox, crypto)
    outbox.close()  # e.g. the disk went away under the service
    recorder.record_many(answered_call(1))  # does not raise: the call goes on
    assert recorder.health.unjournaled == 8


async def test_a_call_whose_arrival_is_recorded_late_keeps_its_caller(
    db: Database, crypto: Crypto, tmp_path: Path
) -> None:
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    recorder = CallRecorder(db.sessions, outbox, crypto)
    arrived, *rest = answered_call(1)
    recorder.record_many([*rest, arrived])
    while outbox.backlog:
        await recorder.drain_once()
    async with db.sessions() as session:
        row = await session.get(CallRow, f"{NODE}/1795381364.1")
    assert row is not None
    assert row.arrived_at == T0 and row.caller_hash == crypto.hash_phone("0912345678")
    outbox.close()


async def test_facts_of_one_loop_turn_are_journaled_together_right_after_it(
    db: Database, crypto: Crypto, tmp_path: Path
) -> None:
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    recorder = CallRecorder(db.sessions, outbox, crypto)
    for fact in answered_call(1):
        recorder.record(fact)
    assert outbox.backlog == 0 and recorder.health.backlog == 8  # still this turn
    await asyncio.sleep(0)
    assert outbox.backlog == 8  # on disk now: a crash from here on loses nothing
    outbox.close()
    assert Outbox(tmp_path / "outbox.sqlite3").backlog == 8
