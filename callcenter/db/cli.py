"""`callcenter db upgrade|downgrade|current|heads|revision`: the one Alembic history.

The URL comes from settings (``CALLCENTER_DATABASE__URL``) unless ``--url`` is given.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from alembic import command

from callcenter.db import migrate


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", help="database URL (default: from settings / theo cấu hình)")
    sub = parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    up = sub.add_parser("upgrade", help="migrate to a revision (default head) / nâng cấp lược đồ")
    up.add_argument("revision", nargs="?", default="head")
    down = sub.add_parser("downgrade", help="migrate down (e.g. -1 or base) / hạ cấp lược đồ")
    down.add_argument("revision")
    sub.add_parser("current", help="show the database's revision / phiên bản hiện tại")
    sub.add_parser("heads", help="show the history's head revision(s)")
    rev = sub.add_parser("revision", help="create a new migration (developers)")
    rev.add_argument("-m", "--message", required=True)
    rev.add_argument("--autogenerate", action="store_true")
    rev.add_argument("--rev-id", help='e.g. "0003_case_store" (file v0003_case_store.py)')


def _url(args: argparse.Namespace) -> str:
    if args.url:
        url: str = args.url
        return url
    from callcenter.settings import Settings

    return Settings().database.url


def run(args: argparse.Namespace) -> int:
    action: str = args.db_command
    try:
        if action == "heads":
            print("\n".join(migrate.heads()))
            return 0
        url = _url(args)
        if action == "upgrade":
            asyncio.run(migrate.upgrade(url, args.revision))
        elif action == "downgrade":
            asyncio.run(migrate.downgrade(url, args.revision))
        elif action == "current":
            revs = asyncio.run(migrate.current(url))
            print("\n".join(revs) if revs else "(empty database / cơ sở dữ liệu trống)")
        elif action == "revision":
            cfg = migrate.alembic_config(url)
            command.revision(
                cfg, message=args.message, autogenerate=args.autogenerate, rev_id=args.rev_id
            )
        return 0
    except (OSError, ValueError) as exc:
        print(f"callcenter db {action}: error / lỗi: {exc}", file=sys.stderr)
        return 1
