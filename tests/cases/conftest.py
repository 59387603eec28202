"""Case-store fixtures: a migrated database per test on SQLite and PostgreSQL, and the crypto.

The schema is migrated once per session into a template (a PostgreSQL template database, a
SQLite file) and each test gets a fresh copy, so every test starts from the real migrated schema
without paying for the migrations again.
"""

from __future__ import annotations

import asyncio
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from callcenter.db import Database, migrate
from callcenter.privacy import Crypto, generate_key_material
from tests.conftest import PG_ADMIN_URL, _pg_admin


def _pg_url(name: str) -> str:
    host_part = PG_ADMIN_URL.split("://", 1)[1].rsplit("/", 1)[0]
    return f"postgresql+asyncpg://{host_part}/{name}"


@pytest.fixture(scope="session")
def pg_template(pg_url: str) -> Iterator[str]:
    """A migrated PostgreSQL database used as the template of each test's database."""
    name = f"cs_tmpl_{uuid.uuid4().hex[:10]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    asyncio.run(migrate.upgrade(_pg_url(name), "head"))
    yield name
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cs_tmpl") / "template.db"
    asyncio.run(migrate.upgrade(f"sqlite+aiosqlite:///{path}", "head"))
    return path


@pytest.fixture
def migrated_url(db_url: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """URL of a fresh database at the head of the Alembic history (SQLite or PostgreSQL)."""
    if db_url.startswith("sqlite"):
        template: Path = request.getfixturevalue("sqlite_template")
        target = Path(db_url.split("///", 1)[1])
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template, target)
        yield db_url
        return
    tmpl: str = request.getfixturevalue("pg_template")
    name = f"cs_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{tmpl}"'))
    yield _pg_url(name)
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def empty_url(db_url: str) -> Iterator[str]:
    """URL of an empty database (for migration tests), on SQLite or PostgreSQL."""
    if db_url.startswith("sqlite"):
        yield db_url
        return
    name = f"cs_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    yield _pg_url(name)
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
async def database(migrated_url: str) -> AsyncIterator[Database]:
    db = Database.from_url(migrated_url)
    yield db
    await db.dispose()


@pytest.fixture(scope="session")
def crypto() -> Crypto:
    return generate_key_material().crypto()
