"""`callcenter calls stats|import`: call-centre figures as CSV; import fallback calls.

Dates are Viet Nam calendar days (``--from 2026-03-01 --to 2026-03-31`` covers both ends).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from callcenter.calls.importer import ImportConfig, import_fallback_calls
from callcenter.calls.options import VIET_NAM, StatsOptions
from callcenter.calls.recorder import CallRecorder
from callcenter.calls.rollup import rebuild_hour_stats
from callcenter.calls.stats import (
    CounsellorFigures,
    OverflowFigures,
    QueueFigures,
    counsellor_figures,
    overflow_figures,
    queue_figures,
    write_csv,
)
from callcenter.db import Database
from callcenter.db.outbox import Outbox
from callcenter.privacy.keys import crypto_from_settings
from callcenter.settings import Settings

DIMENSIONS = ("centre", "day", "hour")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", help="database URL (default: settings)")
    sub = parser.add_subparsers(dest="calls_command", metavar="ACTION", required=True)
    stats = sub.add_parser("stats", help="call-centre figures as CSV / số liệu tổng đài (CSV)")
    stats.add_argument("--from", dest="first", type=date.fromisoformat, required=True)
    stats.add_argument("--to", dest="last", type=date.fromisoformat, required=True)
    stats.add_argument("--by", default="centre", help="comma list of centre,day,hour")
    stats.add_argument("--table", choices=("queue", "counsellors", "overflow"), default="queue")
    rebuild = sub.add_parser(
        "rebuild-stats", help="recompute the hourly rollup of the figures (after bulk loads)"
    )
    rebuild.add_argument("--from", dest="first", type=date.fromisoformat, required=True)
    rebuild.add_argument("--to", dest="last", type=date.fromisoformat, required=True)
    imp = sub.add_parser("import", help="import fallback calls from CDR / queue_log files")
    imp.add_argument("--cdr", type=Path, nargs="*", default=[], help="Master.csv files")
    imp.add_argument("--queue-log", type=Path, nargs="*", default=[], help="queue_log files")
    imp.add_argument("--node", help="Asterisk node name (default: settings service.node)")


def run(args: argparse.Namespace) -> int:
    settings = Settings()
    url: str = args.url or settings.database.url
    try:
        if args.calls_command == "stats":
            by = tuple(d for d in args.by.split(",") if d)
            if any(d not in DIMENSIONS for d in by):
                raise ValueError(f"--by takes {', '.join(DIMENSIONS)}")
            return asyncio.run(_stats(url, settings, args, by))
        if args.calls_command == "rebuild-stats":
            return asyncio.run(_rebuild(url, settings, args))
        return asyncio.run(_import(url, settings, args))
    except (OSError, ValueError) as exc:
        print(f"callcenter calls: error / lỗi: {exc}", file=sys.stderr)
        return 1


async def _stats(
    url: str, settings: Settings, args: argparse.Namespace, by: tuple[str, ...]
) -> int:
    start, end = _period(args)
    db = Database.from_url(url)
    try:
        async with db.sessions() as session:
            row_type: type
            if args.table == "counsellors":
                rows: list[object] = list(await counsellor_figures(session, start, end))
                row_type = CounsellorFigures
            elif args.table == "overflow":
                rows = list(await overflow_figures(session, start, end))
                row_type = OverflowFigures
            else:
                row_type = QueueFigures
                options = StatsOptions.from_settings(settings.calls)
                rows = list(
                    await queue_figures(session, start, end, by=by, options=options)  # type: ignore[arg-type]
                )
    finally:
        await db.dispose()
    write_csv(rows, sys.stdout, row_type)
    return 0


def _period(args: argparse.Namespace) -> tuple[datetime, datetime]:
    tz = ZoneInfo(VIET_NAM)
    start = datetime.combine(args.first, time(), tz)
    return start, datetime.combine(args.last + timedelta(days=1), time(), tz)


async def _rebuild(url: str, settings: Settings, args: argparse.Namespace) -> int:
    start, end = _period(args)
    db = Database.from_url(url)
    try:
        async with db.sessions.begin() as session:
            await rebuild_hour_stats(
                session, start, end, StatsOptions.from_settings(settings.calls)
            )
    finally:
        await db.dispose()
    print(
        f"hourly figures rebuilt / đã tính lại số liệu theo giờ: {start.isoformat()} ->"
        f" {end.isoformat()}"
    )
    return 0


async def _import(url: str, settings: Settings, args: argparse.Namespace) -> int:
    var = settings.service.var_dir
    config = ImportConfig.from_settings(settings)
    if args.node:
        config = dataclasses.replace(config, node=args.node)
    db = Database.from_url(url)
    outbox = Outbox(var / "outbox.sqlite3")  # the service's outbox: it drains what is left
    recorder = CallRecorder(
        db.sessions,
        outbox,
        crypto_from_settings(settings.privacy, var / "privacy-keys.json"),
        stats_options=StatsOptions.from_settings(settings.calls),
    )
    try:
        summary = import_fallback_calls(
            recorder, config, cdr_files=args.cdr, queue_log_files=args.queue_log
        )
        recorder.start()
        await recorder.stop(drain_timeout_s=30)
    finally:
        outbox.close()
        await db.dispose()
    print(
        f"calls: {summary.calls} (answered {summary.answered}, unanswered {summary.unanswered});"
        f" in progress: {summary.in_progress}; waiting in the outbox: {outbox.backlog}\n"
        f"cuộc gọi: {summary.calls} (đã trả lời {summary.answered}, không trả lời"
        f" {summary.unanswered}); đang diễn ra: {summary.in_progress}; chờ ghi: {outbox.backlog}"
    )
    for source, line_no, reason in summary.bad_lines:
        print(f"{source}:{line_no}: skipped / bỏ qua: {reason}", file=sys.stderr)
    return 0
