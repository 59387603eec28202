from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, String, Table, func, select

from callcenter.db import Database
from callcenter.db.upsert import insert_ignore

# Not part of the schema (own MetaData).
ITEMS = Table(
    "zz_upsert_probe",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("label", String(20)),
)


async def test_insert_ignore_skips_existing_keys_on_both_databases(db_url: str) -> None:
    db = Database.from_url(db_url)
    try:
        async with db.engine.begin() as conn:
            await conn.run_sync(lambda c: ITEMS.create(c, checkfirst=True))
        async with db.sessions.begin() as session:
            assert await insert_ignore(session, ITEMS, [{"id": 1, "label": "a"}]) == 1
        async with db.sessions.begin() as session:
            rows = [{"id": 1, "label": "changed"}, {"id": 2, "label": "b"}]
            assert await insert_ignore(session, ITEMS, rows) == 1
            assert await insert_ignore(session, ITEMS, []) == 0
        async with db.sessions() as session:
            labels = (await session.execute(select(ITEMS.c.label).order_by(ITEMS.c.id))).all()
            count = await session.scalar(select(func.count()).select_from(ITEMS))
        assert [label for (label,) in labels] == ["a", "b"] and count == 2
    finally:
        async with db.engine.begin() as conn:
            await conn.run_sync(lambda c: ITEMS.drop(c, checkfirst=True))
        await db.dispose()
