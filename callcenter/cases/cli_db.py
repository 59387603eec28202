"""The database-backed actions of ``callcenter cases`` (stats, export, purge, verify-audit)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from callcenter.cases import audit, retention
from callcenter.cases.access import Reader
from callcenter.cases.export import (
    publish,
    victim_export,
    write_export,
    write_published,
    write_rows,
)
from callcenter.cases.statistics import ALL_TABLES, Period, to_csv_rows
from callcenter.db import Database, utcnow
from callcenter.privacy.keys import crypto_from_settings
from callcenter.settings import Settings

ReaderFactory = Callable[[argparse.Namespace, str], Reader]


async def run_db_action(args: argparse.Namespace, make_reader: ReaderFactory) -> int:
    settings = Settings()
    db = Database.from_url(args.url or settings.database.url)
    crypto = crypto_from_settings(settings.privacy)
    now = utcnow()
    action: str = args.cases_command
    try:
        if action == "stats":
            reader = make_reader(args, "analyst")
            period = Period(args.start, args.end)
            names = args.tables or list(ALL_TABLES)
            k = args.k or settings.cases.k
            async with db.sessions() as session:
                for name in names:
                    table = await ALL_TABLES[name](session, reader, period, now)
                    target = _open(args.out, f"{name}.csv")
                    try:
                        if args.publish:
                            write_published(publish(table, *args.publish, k=k), target)
                        else:
                            write_rows(to_csv_rows(table), target)
                    finally:
                        if target is not sys.stdout:
                            target.close()
            return 0
        if action == "export":
            reader = make_reader(args, "analyst")
            async with db.sessions.begin() as session:
                result = await victim_export(
                    session,
                    crypto,
                    reader,
                    recipient=args.recipient,
                    period=Period(args.start, args.end),
                    k=args.k or settings.cases.k,
                    now=now,
                )
            target = _open(args.out.parent if args.out else None, args.out.name if args.out else "")
            try:
                write_export(result, target)
            finally:
                if target is not sys.stdout:
                    target.close()
            print(
                f"{len(result.rows)} rows / dòng, {result.suppressed} suppressed / bị loại, "
                f"k={result.k}, levels={result.levels}",
                file=sys.stderr,
            )
            return 0
        if action == "purge":
            days = args.older_than_days or settings.cases.retention_days
            async with db.sessions.begin() as session:
                report = await retention.purge_identifiers(
                    session,
                    crypto,
                    make_reader(args, "admin"),
                    older_than=dt.timedelta(days=days),
                    now=now,
                )
            print(
                f"cut-off {report.cutoff.isoformat()}: contacts {report.contacts}, "
                f"cases {report.cases}, people {report.people}, callers {report.callers}, "
                f"calls {report.calls}"
            )
            return 0
        if action == "verify-audit":
            async with db.sessions() as session:
                broken = await audit.verify_chain(
                    session, crypto.hash_value, make_reader(args, "auditor")
                )
            if broken is None:
                print("audit chain intact / nhật ký nguyên vẹn")
                return 0
            print(f"audit chain broken at seq {broken.seq}: {broken.reason}", file=sys.stderr)
            return 3
        raise ValueError(f"unknown action {action}")
    finally:
        await db.dispose()


def _open(folder: Path | None, name: str) -> TextIO:
    if folder is None or not name:
        return sys.stdout
    folder.mkdir(parents=True, exist_ok=True)
    return (folder / name).open("w", encoding="utf-8", newline="")
