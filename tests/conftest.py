"""Shared fixtures: real databases (PostgreSQL and SQLite) and the recorded Asterisk fixtures.

PostgreSQL is a real server on 127.0.0.1:5432 (trust auth). Each test session creates its own
throw-away database and drops it at the end, so parallel runs never see each other's rows.
Outside CI a missing server skips the `postgres` tests with a clear reason; in CI (``CI`` set)
it is a failure, never a silent skip.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.calls.throwaway_pg import ThrowawayPostgres

FIXTURES = Path(__file__).parent / "fixtures"
ASTERISK_FIXTURES = FIXTURES / "asterisk"
PG_ADMIN_URL = os.environ.get("CALLCENTER_TEST_PG", "postgresql://127.0.0.1:5432/test")


async def _pg_admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """SQLAlchemy URL of a fresh PostgreSQL database for this test session."""
    name = f"cc_test_{uuid.uuid4().hex[:12]}"
    try:
        asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    except (OSError, ConnectionError) as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL at {PG_ADMIN_URL} is required in CI: {exc}")
        pytest.skip(f"PostgreSQL at {PG_ADMIN_URL} is not reachable: {exc}")
    host_part = PG_ADMIN_URL.split("://", 1)[1].rsplit("/", 1)[0]
    yield f"postgresql+asyncpg://{host_part}/{name}"
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """SQLAlchemy URL of a fresh SQLite file database for one test."""
    return f"sqlite+aiosqlite:///{tmp_path / 'callcenter.db'}"


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest) -> str:
    """Run a test once on SQLite and once on PostgreSQL."""
    if request.param == "postgres":
        url: str = request.getfixturevalue("pg_url")
        return url
    url = request.getfixturevalue("sqlite_url")
    return url


@pytest.fixture
def fresh_pg_url(pg_url: str) -> Iterator[str]:
    """SQLAlchemy URL of a PostgreSQL database of this test's own (created and dropped here),
    for tests that count every row, such as end-to-end runs."""
    name = f"cc_fresh_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    yield pg_url.rsplit("/", 1)[0] + f"/{name}"
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def own_pg() -> Iterator[ThrowawayPostgres]:
    """A PostgreSQL cluster of the test's own (initdb + pg_ctl on a free port) that the test
    may stop and start for real; never the machine's shared server. Required in CI."""
    try:
        server = ThrowawayPostgres()
        server.init()
        server.start()
    except (FileNotFoundError, KeyError) as exc:
        if os.environ.get("CI"):
            pytest.fail(f"a PostgreSQL of the test's own is required in CI: {exc}")
        pytest.skip(f"cannot run a PostgreSQL of our own: {exc}")
    try:
        yield server
    finally:
        server.destroy()
