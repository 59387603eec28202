from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, insert, select, text
from sqlalchemy.exc import StatementError

from callcenter.db import Database, UTCDateTime

# Not part of the schema (own MetaData, so Base.metadata and autogenerate never see it).
PROBE = Table(
    "zz_engine_probe",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("at", UTCDateTime()),
)


async def test_datetimes_come_back_as_utc_on_both_databases(db_url: str) -> None:
    db = Database.from_url(db_url)
    table = PROBE
    try:
        async with db.engine.begin() as conn:
            await conn.run_sync(lambda c: table.create(c, checkfirst=True))
        hanoi = timezone(timedelta(hours=7))
        async with db.engine.begin() as conn:
            await conn.execute(insert(table).values(id=1, at=datetime(2026, 3, 2, 8, tzinfo=hanoi)))
        async with db.engine.connect() as conn:
            at = (await conn.execute(select(table.c.at))).scalar()
        assert at == datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
        assert at is not None and at.utcoffset() == timedelta(0)
        with pytest.raises(StatementError, match="naive"):
            async with db.engine.begin() as conn:
                await conn.execute(insert(table).values(id=2, at=datetime(2026, 3, 2, 8)))
    finally:
        async with db.engine.begin() as conn:
            await conn.run_sync(lambda c: table.drop(c, checkfirst=True))
        await db.dispose()


async def test_sqlite_runs_with_wal_and_foreign_keys(sqlite_url: str) -> None:
    db = Database.from_url(sqlite_url)
    try:
        async with db.engine.connect() as conn:
            assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
            assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar() == 1
    finally:
        await db.dispose()


def test_unsupported_urls_are_refused() -> None:
    with pytest.raises(ValueError, match="aiosqlite"):
        Database.from_url("sqlite:///x.db")
    with pytest.raises(ValueError, match="asyncpg"):
        Database.from_url("postgresql+psycopg://h/db")
