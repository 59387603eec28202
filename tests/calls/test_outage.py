"""THE OUTAGE TEST: the database goes away for real while calls keep flowing; nothing is lost,
nothing is written twice."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from callcenter.calls.models import CallOfferRow, CallRow
from callcenter.calls.outcomes import CallOutcome
from callcenter.calls.recorder import CallRecorder
from callcenter.db import Database, migrate
from callcenter.db.outbox import Outbox
from callcenter.privacy import Crypto

from .helpers import T0, answered_call
from .throwaway_pg import ThrowawayPostgres

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


async def _wait_until(predicate: Callable[[], bool], timeout_s: float = 10.0) -> None:
    for _ in range(int(timeout_s / 0.02)):
        if predicate():
            return
        await asyncio.sleep(0.02)
    raise TimeoutError


async def test_records_survive_a_real_database_outage(
    own_pg: ThrowawayPostgres, crypto: Crypto, tmp_path: Path
) -> None:
    await migrate.upgrade(own_pg.url)
    db = Database.from_url(own_pg.url)
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    recorder = CallRecorder(db.sessions, outbox, crypto, retry_initial_s=0.05, retry_max_s=0.3)
    recorder.start()
    try:
        # before: 10 calls written normally
        for n in range(10):
            recorder.record_many(answered_call(n, start=T0 + timedelta(minutes=n)))
        await recorder.flush(timeout_s=10)

        await asyncio.to_thread(own_pg.stop)  # the server is really gone
        # during: calls keep flowing; the recorder never blocks and the outbox grows
        for n in range(10, 30):
            recorder.record_many(answered_call(n, start=T0 + timedelta(minutes=n)))
        await _wait_until(lambda: not recorder.health.database_ok)
        assert recorder.health.backlog >= 20 * 8
        assert "Error" in (recorder.health.last_error or "")
        for n in range(30, 40):
            recorder.record_many(answered_call(n, start=T0 + timedelta(minutes=n)))

        await asyncio.to_thread(own_pg.start)
        # after: everything arrives, once
        await recorder.flush(timeout_s=20)
        assert recorder.health.database_ok
        assert recorder.health.backlog == 0
        assert recorder.health.dead_letters == 0
        async with db.sessions() as session:
            assert await session.scalar(select(func.count()).select_from(CallRow)) == 40
            assert await session.scalar(select(func.count()).select_from(CallOfferRow)) == 40
            outcomes = set((await session.scalars(select(CallRow.outcome))).all())
            talk = set((await session.scalars(select(CallRow.talk_s))).all())
        assert outcomes == {CallOutcome.ANSWERED}
        assert talk == {60.0}
    finally:
        await recorder.stop()
        outbox.close()
        await db.dispose()
