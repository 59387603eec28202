"""Run the one Alembic history programmatically (the CLI and the tests use these).

The functions are async: they open the async engine, then hand Alembic a synchronous
connection through ``run_sync``, so they work inside a running event loop (tests, the service
at start-up) and on both databases.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from callcenter.db.engine import make_engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    """An Alembic ``Config`` pointing at callcenter/db/migrations (no alembic.ini needed)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("file_template", "v%%(rev)s")
    if url is not None:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def import_all_models() -> None:
    """Import every ``callcenter.<package>.models`` module so ``Base.metadata`` is complete."""
    import callcenter

    for info in pkgutil.iter_modules(callcenter.__path__):
        if info.ispkg:
            name = f"callcenter.{info.name}.models"
            try:
                importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name != name:
                    raise


def heads() -> tuple[str, ...]:
    """The head revision(s) of the history; more than one means two branches need merging."""
    return tuple(ScriptDirectory.from_config(alembic_config()).get_heads())


async def _run(url: str, fn_name: str, revision: str) -> None:
    cfg = alembic_config(url)
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:

            def go(sync_conn: Connection) -> None:
                cfg.attributes["connection"] = sync_conn
                getattr(command, fn_name)(cfg, revision)

            await conn.run_sync(go)
    finally:
        await engine.dispose()


async def upgrade(url: str, revision: str = "head") -> None:
    await _run(url, "upgrade", revision)


async def downgrade(url: str, revision: str = "base") -> None:
    await _run(url, "downgrade", revision)


async def current(url: str) -> tuple[str, ...]:
    """The revision(s) the database is at; empty when it was never migrated."""
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:

            def get(sync_conn: Connection) -> tuple[str, ...]:
                return tuple(MigrationContext.configure(sync_conn).get_current_heads())

            return await conn.run_sync(get)
    finally:
        await engine.dispose()
