"""Fixtures for the call records: a migrated database (SQLite and PostgreSQL), keys, an outbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import delete

from callcenter.calls.models import CallRow
from callcenter.calls.recorder import CallRecorder
from callcenter.db import Database, migrate
from callcenter.db.outbox import Outbox
from callcenter.privacy import Crypto, generate_key_material


@pytest.fixture
def crypto() -> Crypto:
    return generate_key_material().crypto()


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    """A migrated database; on PostgreSQL (one database per test session) emptied after use."""
    await migrate.upgrade(db_url)
    database = Database.from_url(db_url)
    yield database
    async with database.sessions.begin() as session:
        await session.execute(delete(CallRow))
    await database.dispose()


@pytest.fixture
async def recorder(db: Database, crypto: Crypto, tmp_path: Path) -> AsyncIterator[CallRecorder]:
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    rec = CallRecorder(db.sessions, outbox, crypto, retry_initial_s=0.05, retry_max_s=0.2)
    rec.start()
    yield rec
    await rec.stop()
    outbox.close()
