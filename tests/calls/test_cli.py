from __future__ import annotations

from pathlib import Path

import pytest

from callcenter.cli import main
from callcenter.db import migrate
from tests.conftest import ASTERISK_FIXTURES

REC = ASTERISK_FIXTURES / "recordings"


async def test_import_then_stats_from_the_command_line(
    sqlite_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await migrate.upgrade(sqlite_url)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CALLCENTER_DATABASE__URL", sqlite_url)
    monkeypatch.setenv("CALLCENTER_CALLS__PBX_TIMEZONE", "UTC")  # the lab Asterisk runs in UTC
    monkeypatch.setenv("CALLCENTER_CALLS__FALLBACK_QUEUES", '{"hanoi": "HN"}')  # the lab queue
    args = ["--cdr", str(REC / "cdr-custom-Master.csv"), "--queue-log", str(REC / "queue_log.txt")]
    assert await _main(["calls", "import", "--node", "lab", *args]) == 0
    assert "calls: 3 (answered 3" in capsys.readouterr().out
    assert await _main(["calls", "stats", "--from", "2026-11-22", "--to", "2026-11-23"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("centre,day,hour,offered,answered,abandoned")
    assert lines[1].startswith("HN,,,3,3,0,")
    assert (
        await _main(["calls", "rebuild-stats", "--from", "2026-11-22", "--to", "2026-11-23"]) == 0
    )
    assert "rebuilt" in capsys.readouterr().out
    assert await _main(["calls", "stats", "--from", "2026-11-22", "--to", "x"]) == 2


async def _main(argv: list[str]) -> int:
    import asyncio

    def call() -> int:
        try:
            return main(argv)
        except SystemExit as exc:  # argparse refuses bad input with exit code 2
            return int(exc.code or 0)

    return await asyncio.to_thread(call)
