"""Async engine and session factory from a URL.

``sqlite+aiosqlite:///path.db`` (embedded default): WAL journal, foreign keys on, a busy timeout,
and the parent directory is created. ``postgresql+asyncpg://...`` (production): pre-ping so a
connection that died while the server was away is replaced instead of failing a request.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

SQLITE_BUSY_TIMEOUT_MS = 10_000
PG_CONNECT_TIMEOUT_S = 5.0


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def make_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """Create the async engine for ``url`` (SQLite via aiosqlite or PostgreSQL via asyncpg)."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.get_driver_name() != "aiosqlite":
            raise ValueError(f"use sqlite+aiosqlite:// for SQLite, not {parsed.drivername}")
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, echo=echo)
        event.listen(engine.sync_engine, "connect", _sqlite_on_connect)
        return engine
    if backend == "postgresql":
        if parsed.get_driver_name() != "asyncpg":
            raise ValueError(f"use postgresql+asyncpg:// for PostgreSQL, not {parsed.drivername}")
        return create_async_engine(
            url,
            echo=echo,
            pool_pre_ping=True,
            connect_args={"timeout": PG_CONNECT_TIMEOUT_S},
        )
    raise ValueError(f"unsupported database URL {parsed.drivername!r}: use SQLite or PostgreSQL")


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded attributes after commit (no surprise lazy loads in async code)."""
    return async_sessionmaker(engine, expire_on_commit=False)


@dataclass(frozen=True, slots=True)
class Database:
    """The engine and its session factory, created once by the composition root."""

    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]

    @classmethod
    def from_url(cls, url: str, *, echo: bool = False) -> Database:
        engine = make_engine(url, echo=echo)
        return cls(engine=engine, sessions=make_sessionmaker(engine))

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    async def dispose(self) -> None:
        await self.engine.dispose()
