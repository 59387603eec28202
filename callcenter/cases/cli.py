"""``callcenter cases``: code lists, provinces, statistics (CSV), exports, retention, audit.

Examples::

    callcenter cases stats --from 2026-01-01 --to 2027-01-01 --out reports/
    callcenter cases stats victims --publish sex exploitation --k 11
    callcenter cases export --recipient "Bộ Công an" --from 2026-01-01 --to 2027-01-01 -o x.csv
    callcenter cases purge --older-than-days 1825
    callcenter cases verify-audit
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import getpass
import sys
from pathlib import Path

from callcenter.cases import provinces
from callcenter.cases.access import AccessDeniedError, Reader
from callcenter.cases.codelists import codelist, load
from callcenter.cases.localtime import TZ
from callcenter.cases.mapping import mapping_markdown
from callcenter.cases.statistics import ALL_TABLES, Period

ACTIONS = ("codelists", "provinces", "mapping", "stats", "export", "purge", "verify-audit")


def _day(text: str) -> dt.datetime:
    """A calendar day in Viet Nam time, as the UTC instant it starts."""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"ngày không hợp lệ / not a date (YYYY-MM-DD): {text}"
        ) from exc
    return dt.datetime(day.year, day.month, day.day, tzinfo=TZ).astimezone(dt.UTC)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", help="database URL (default: settings) / địa chỉ CSDL")
    parser.add_argument("--role", help="reader role recorded in the audit log (default per action)")
    parser.add_argument("--centre", help="reader centre (supervisors)")
    sub = parser.add_subparsers(dest="cases_command", metavar="ACTION", required=True)
    c = sub.add_parser("codelists", help="show code lists / danh mục mã")
    c.add_argument("name", nargs="?")
    p = sub.add_parser("provinces", help="provinces valid on a day, or convert old -> new")
    p.add_argument("--on", type=dt.date.fromisoformat, default=dt.date.today())
    p.add_argument("--convert", metavar="UNIT")
    sub.add_parser("mapping", help="HTCDS/CTDC mapping of every field (Markdown)")
    s = sub.add_parser("stats", help="statistics as CSV / thống kê (CSV)")
    s.add_argument(
        "tables",
        nargs="*",
        choices=[*ALL_TABLES, []],
        metavar="TABLE",
        help="default: all / mặc định: tất cả — " + ", ".join(ALL_TABLES),
    )
    s.add_argument("--from", dest="start", type=_day, required=True, help="first day (VN time)")
    s.add_argument("--to", dest="end", type=_day, required=True, help="day after the last")
    s.add_argument("--out", type=Path, help="folder for one CSV per table (default: stdout)")
    s.add_argument(
        "--publish", nargs=2, metavar=("ROWS", "COLS"), help="2-D table, small cells suppressed"
    )
    s.add_argument("--k", type=int)
    e = sub.add_parser("export", help="k-anonymous victim rows for an agency / xuất ẩn danh")
    e.add_argument("--recipient", required=True)
    e.add_argument("--from", dest="start", type=_day, required=True)
    e.add_argument("--to", dest="end", type=_day, required=True)
    e.add_argument("--k", type=int)
    e.add_argument("-o", "--out", type=Path)
    r = sub.add_parser("purge", help="purge old identifiers, keep figures / xóa định danh cũ")
    r.add_argument("--older-than-days", type=int)
    sub.add_parser("verify-audit", help="check the audit hash chain / kiểm tra nhật ký")


def _reader(args: argparse.Namespace, default_role: str) -> Reader:
    return Reader(
        user_id=f"cli:{getpass.getuser()}",
        role=args.role or default_role,
        centre=args.centre,
        route=f"cli:callcenter cases {args.cases_command}",
    )


def _print_codelists(name: str | None) -> None:
    sets = load()
    names = [name] if name else sorted(sets.lists)
    print(f"# code lists version {sets.version}")
    for n in names:
        print(f"\n## {n}")
        for code in codelist(n):
            refs = f"HTCDS={code.htcds or '-'}\tCTDC={code.ctdc or '-'}"
            print(f"{code.code}\t{code.vi}\t{code.en}\t{refs}")


def _print_provinces(on: dt.date, convert: str | None) -> None:
    if convert:
        new = provinces.current_unit(convert)
        print(f"{convert} -> {new.unit_id} {new.name_vi} ({new.name_en}, {new.region})")
        return
    for u in provinces.units_valid_on(on):
        print(f"{u.unit_id}\t{u.name_vi}\t{u.name_en}\t{u.region}")


def run(args: argparse.Namespace) -> int:
    action: str = args.cases_command
    try:
        if action == "codelists":
            _print_codelists(args.name)
            return 0
        if action == "provinces":
            _print_provinces(args.on, args.convert)
            return 0
        if action == "mapping":
            sys.stdout.write(mapping_markdown())
            return 0
        from callcenter.cases.cli_db import run_db_action

        return asyncio.run(run_db_action(args, _reader))
    except (AccessDeniedError, ValueError, LookupError, OSError) as exc:
        print(f"callcenter cases {action}: lỗi / error: {exc}", file=sys.stderr)
        return 1


def period_of(args: argparse.Namespace) -> Period:
    return Period(args.start, args.end)
