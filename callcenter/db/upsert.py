"""Idempotent inserts on both databases: ``INSERT ... ON CONFLICT DO NOTHING``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase


async def insert_ignore(
    session: AsyncSession,
    table: Table | type[DeclarativeBase],
    rows: Mapping[str, Any] | Sequence[Mapping[str, Any]],
) -> int:
    """Insert ``rows``, skipping any whose primary key (or unique key) already exists.

    Returns how many rows were new.
    """
    target: Table = table if isinstance(table, Table) else table.__table__  # type: ignore[assignment]
    values = [rows] if isinstance(rows, Mapping) else list(rows)
    if not values:
        return 0
    name = session.get_bind().dialect.name
    if name == "postgresql":
        stmt: Any = postgresql.insert(target).values(values).on_conflict_do_nothing()
    elif name == "sqlite":
        stmt = sqlite.insert(target).values(values).on_conflict_do_nothing()
    else:  # pragma: no cover - only the two supported databases
        raise ValueError(f"unsupported dialect {name}")
    result = await session.execute(stmt)
    count: int = result.rowcount  # type: ignore[attr-defined]
    return count
