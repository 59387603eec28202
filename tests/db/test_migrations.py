from __future__ import annotations

import argparse

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from callcenter.db import Database, migrate
from callcenter.db.cli import add_arguments, run

OUR_TABLES = {
    "calls",
    "call_offers",
    "call_transfers",
    "call_hour_stats",
    "call_consultations",
    "callback_requests",
    "callback_attempts",
}


async def _tables(url: str) -> set[str]:
    db = Database.from_url(url)
    try:
        async with db.engine.connect() as conn:
            names = await conn.run_sync(lambda c: inspect(c).get_table_names())
    finally:
        await db.dispose()
    return set(names)


def test_the_history_has_exactly_one_head() -> None:
    assert len(migrate.heads()) == 1, f"merge the branches: {migrate.heads()}"


@pytest.mark.parametrize("empty_db_url", ["sqlite", "postgres"], indirect=True)
async def test_upgrade_downgrade_upgrade_round_trip(empty_db_url: str) -> None:
    db_url = empty_db_url
    assert await migrate.current(db_url) == ()
    await migrate.upgrade(db_url)
    assert await migrate.current(db_url) == migrate.heads()
    assert await _tables(db_url) >= OUR_TABLES | {"alembic_version"}
    await migrate.downgrade(db_url, "base")
    assert await _tables(db_url) - {"alembic_version"} == set()
    await migrate.upgrade(db_url)
    assert await _tables(db_url) >= OUR_TABLES


@pytest.mark.parametrize("empty_db_url", ["sqlite", "postgres"], indirect=True)
async def test_every_revision_steps_up_and_down_one_at_a_time(empty_db_url: str) -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config())
    chain = [rev.revision for rev in script.walk_revisions("base", "heads")][::-1]
    for revision in chain:  # oldest first
        await migrate.upgrade(empty_db_url, "+1")
        assert await migrate.current(empty_db_url) == (revision,)
    for revision in reversed(chain[:-1]):
        await migrate.downgrade(empty_db_url, "-1")
        assert await migrate.current(empty_db_url) == (revision,)
    await migrate.downgrade(empty_db_url, "-1")
    assert await migrate.current(empty_db_url) == ()


def _cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return run(parser.parse_args(argv))


def test_cli_upgrade_and_current(sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli(["--url", sqlite_url, "current"]) == 0
    assert "empty" in capsys.readouterr().out
    assert _cli(["--url", sqlite_url, "upgrade"]) == 0
    assert _cli(["--url", sqlite_url, "current"]) == 0
    assert capsys.readouterr().out.split() == list(migrate.heads())
    assert _cli(["--url", sqlite_url, "downgrade", "base"]) == 0


def test_cli_reports_a_bad_url_clearly(capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli(["--url", "mysql+aiomysql://x/y", "upgrade"]) == 1
    assert "unsupported database URL" in capsys.readouterr().err
