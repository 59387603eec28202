"""A PostgreSQL database of the test's own, for tests that start from an empty schema."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import pytest

from tests.conftest import PG_ADMIN_URL, _pg_admin


@pytest.fixture
def empty_db_url(request: pytest.FixtureRequest, sqlite_url: str) -> Iterator[str]:
    """Like ``db_url`` but always an empty database (the shared PostgreSQL one is migrated)."""
    param = getattr(request, "param", "sqlite")
    if param == "sqlite":
        yield sqlite_url
        return
    request.getfixturevalue("pg_url")  # skips / fails exactly like the shared fixture
    name = f"cc_mig_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    host_part = PG_ADMIN_URL.split("://", 1)[1].rsplit("/", 1)[0]
    yield f"postgresql+asyncpg://{host_part}/{name}"
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
