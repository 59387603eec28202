"""The case-store revision runs up and down on both databases, from empty and from 0002."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from callcenter.db import Database, UTCDateTime, migrate

CASE_REVISION = "0003_case_store"
PREVIOUS = "0002_call_records"


async def _tables(url: str) -> set[str]:
    db = Database.from_url(url)
    try:
        async with db.engine.connect() as conn:
            names = await conn.run_sync(lambda c: sa.inspect(c).get_table_names())
    finally:
        await db.dispose()
    return set(names)


async def test_case_store_migrates_up_and_down(empty_url: str) -> None:
    await migrate.upgrade(empty_url, PREVIOUS)
    assert "calls" in await _tables(empty_url)
    assert "cs_case" not in await _tables(empty_url)
    await migrate.upgrade(empty_url, CASE_REVISION)
    tables = await _tables(empty_url)
    assert {"cs_case", "cs_contact", "cs_person", "cs_referral", "cs_audit"} <= tables
    await migrate.downgrade(empty_url, PREVIOUS)
    tables = await _tables(empty_url)
    assert not any(t.startswith("cs_") for t in tables)
    assert "calls" in tables
    await migrate.upgrade(empty_url, "head")
    await migrate.downgrade(empty_url, "base")
    assert not any(t.startswith("cs_") for t in await _tables(empty_url))


async def test_audit_table_refuses_update_and_delete(migrated_url: str) -> None:
    db = Database.from_url(migrated_url)
    try:
        async with db.engine.begin() as conn:
            await conn.execute(
                sa.text(
                    "INSERT INTO cs_audit (seq, at, actor_id, actor_role, action, entity,"
                    " entity_id, route, prev_hash, hash) VALUES (1, :at, 'u', 'counsellor',"
                    " 'read', 'case', 'x', 'test', 'p', 'h')"
                ).bindparams(sa.bindparam("at", type_=UTCDateTime())),
                {"at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)},
            )
        for sql in ("UPDATE cs_audit SET actor_id = 'forged'", "DELETE FROM cs_audit"):
            with pytest.raises(DBAPIError, match="append-only"):
                async with db.engine.begin() as conn:
                    await conn.execute(sa.text(sql))
        async with db.engine.connect() as conn:
            assert (await conn.execute(sa.text("SELECT actor_id FROM cs_audit"))).scalar() == "u"
    finally:
        await db.dispose()


async def test_centres_are_seeded(migrated_url: str) -> None:
    db = Database.from_url(migrated_url)
    try:
        async with db.engine.connect() as conn:
            rows = (await conn.execute(sa.text("SELECT code FROM cs_centre ORDER BY code"))).all()
    finally:
        await db.dispose()
    assert [r[0] for r in rows] == ["AG", "DN", "HN"]
