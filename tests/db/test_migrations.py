from __future__ import annotations

import argparse

import pytest
from sqlalchemy import inspect

from callcenter.db import Database, migrate
from callcenter.db.cli import add_arguments, run

OUR_TABLES = {"calls", "call_offers", "call_transfers", "call_hour_stats"}


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


async def test_each_revision_steps_down_and_up_again(sqlite_url: str) -> None:
    await migrate.upgrade(sqlite_url)
    await migrate.downgrade(sqlite_url, "-1")
    assert await migrate.current(sqlite_url) != migrate.heads()
    await migrate.upgrade(sqlite_url)
    assert await migrate.current(sqlite_url) == migrate.heads()


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
