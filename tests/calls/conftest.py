"""Fixtures for the call records: a migrated database (SQLite and PostgreSQL), keys, an outbox."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import delete
from sqlalchemy.engine import make_url

from callcenter.calls.models import (
    CallbackAttemptRow,
    CallbackRequestRow,
    CallHourStatsRow,
    CallRow,
)
from callcenter.calls.recorder import CallRecorder
from callcenter.db import Database, migrate
from callcenter.db.outbox import Outbox
from callcenter.privacy import Crypto, KeyMaterial, generate_key_material


@pytest.fixture
def keys() -> KeyMaterial:
    return generate_key_material()


@pytest.fixture
def crypto(keys: KeyMaterial) -> Crypto:
    return keys.crypto()


@pytest.fixture(scope="session")
def migrated_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file migrated to head, copied for each test (migrating costs ~0.5 s)."""
    path = tmp_path_factory.mktemp("template") / "callcenter.db"
    asyncio.run(migrate.upgrade(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture
async def db(db_url: str, migrated_sqlite_template: Path) -> AsyncIterator[Database]:
    """A migrated database; on PostgreSQL (one database per test session) emptied after use."""
    database_file = make_url(db_url).database
    if db_url.startswith("sqlite") and database_file:
        shutil.copyfile(migrated_sqlite_template, database_file)
    await migrate.upgrade(db_url)
    database = Database.from_url(db_url)
    yield database
    async with database.sessions.begin() as session:
        await session.execute(delete(CallRow))
        await session.execute(delete(CallHourStatsRow))
        await session.execute(delete(CallbackRequestRow))
        await session.execute(delete(CallbackAttemptRow))
    await database.dispose()


@pytest.fixture
async def recorder(db: Database, crypto: Crypto, tmp_path: Path) -> AsyncIterator[CallRecorder]:
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    rec = CallRecorder(db.sessions, outbox, crypto, retry_initial_s=0.05, retry_max_s=0.2)
    rec.start()
    yield rec
    await rec.stop()
    outbox.close()
