"""`callcenter cases ...` end to end on a migrated SQLite database with realistic records."""

from __future__ import annotations

import asyncio
import csv
import json
from pathlib import Path

import pytest

from callcenter.cases.service import CaseStore
from callcenter.cli import main
from callcenter.db import Database
from callcenter.privacy import Crypto, generate_key_material
from tests.cases.factories import IDS, T0, realistic_case, seed_users


async def _seed(url: str, keys_json: str) -> None:
    raw = json.loads(keys_json)
    db = Database.from_url(url)
    try:
        store = CaseStore(db, Crypto(raw["keys"], raw["hash"]), clock=lambda: T0)
        await seed_users(store)
        await realistic_case(store)
    finally:
        await db.dispose()


def test_stats_export_purge_and_audit_from_the_command_line(
    sqlite_template: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db_file = tmp_path / "cc.db"
    db_file.write_bytes(sqlite_template.read_bytes())
    url = f"sqlite+aiosqlite:///{db_file}"
    keys = generate_key_material()
    monkeypatch.setenv(
        "CALLCENTER_PRIVACY__ENCRYPTION_KEYS", json.dumps(list(keys.encryption_keys))
    )
    monkeypatch.setenv("CALLCENTER_PRIVACY__HASH_KEY", keys.hash_key)
    asyncio.run(_seed(url, json.dumps({"keys": list(keys.encryption_keys), "hash": keys.hash_key})))
    period = ["--from", "2026-01-01", "--to", "2027-01-01"]

    assert main(["cases", "--url", url, "stats", *period, "--out", str(tmp_path / "r")]) == 0
    with (tmp_path / "r" / "victims.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0]["exploitation"] in {"forced_labour", "forced_marriage"}
    assert sorted(p.name for p in (tmp_path / "r").iterdir())[0] == "cases_and_follow_ups.csv"

    out = tmp_path / "export.csv"
    assert (
        main(
            [
                "cases",
                "--url",
                url,
                "export",
                "--recipient",
                "MPS",
                *period,
                "--k",
                "2",
                "-o",
                str(out),
            ]
        )
        == 0
    )
    exported = out.read_text(encoding="utf-8")
    assert exported.startswith("id,gender,age_band,province,year,citizenship,exploitation")
    assert not any(i in exported for i in IDS.all())

    assert main(["cases", "--url", url, "--role", "analyst", "purge"]) == 1  # refused, not crashed
    assert "access denied" in capsys.readouterr().err
    assert main(["cases", "--url", url, "purge", "--older-than-days", "1"]) == 0
    assert "cases 0" in capsys.readouterr().out  # the case is still open
    assert main(["cases", "--url", url, "verify-audit"]) == 0
    assert main(["cases", "provinces", "--convert", "vn63-91"]) == 0
    assert "An Giang" in capsys.readouterr().out
    with pytest.raises(SystemExit) as bad_date:
        main(["cases", "stats", "--from", "2026-13-01", "--to", "2027-01-01"])
    assert bad_date.value.code == 2
    assert "not a date" in capsys.readouterr().err
