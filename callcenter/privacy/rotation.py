"""Key rotation without downtime: re-encrypt stored tokens under the newest key, in batches.

Steps: put the new key first in ``privacy.encryption_keys`` (old keys after it) and restart;
new writes use the new key and old data still reads. Then run :func:`reencrypt_column` for each
encrypted column; when it reports 0 rows left, the old key can be removed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, FromClause, Table, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import DeclarativeBase

from callcenter.privacy.crypto import Crypto


async def reencrypt_column(
    sessions: async_sessionmaker[AsyncSession],
    crypto: Crypto,
    table: Table | FromClause | type[DeclarativeBase],
    column: ColumnElement[Any] | str,
    *,
    batch_size: int = 500,
) -> int:
    """Re-encrypt every non-current token of ``column``; returns how many rows changed.

    ``table`` is a Table or a model class, ``column`` a column of it or its name. Works in short
    transactions of ``batch_size`` rows, so the service keeps running meanwhile. The table
    needs a single-column primary key.
    """
    if isinstance(table, type):
        table = table.__table__
    assert isinstance(table, Table)
    if isinstance(column, str):
        column = table.c[column]
    (pk,) = table.primary_key.columns
    changed = 0
    last: object = None
    while True:
        async with sessions.begin() as session:
            query = select(pk, column).where(column.is_not(None)).order_by(pk).limit(batch_size)
            if last is not None:
                query = query.where(pk > last)
            rows = (await session.execute(query)).all()
            if not rows:
                return changed
            for key, token in rows:
                if not crypto.is_current(token):
                    fresh = crypto.reencrypt(token)
                    stmt = update(table).where(pk == key).values({column.name: fresh})
                    await session.execute(stmt)
                    changed += 1
            last = rows[-1][0]
