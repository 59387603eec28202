"""Viet Nam time for statistics: stored UTC, reported in Asia/Ho_Chi_Minh.

SQL helpers ``local_month``, ``local_day``, ``local_hour`` and ``local_year`` compile to
``AT TIME ZONE 'Asia/Ho_Chi_Minh'`` on PostgreSQL and to SQLite's ``strftime`` with the zone's
offset (+07:00; Viet Nam has kept one offset without daylight saving since 1975, checked below
against the tz database).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Float, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import FunctionElement

TZ_NAME = "Asia/Ho_Chi_Minh"
TZ = ZoneInfo(TZ_NAME)
_OFFSETS = {TZ.utcoffset(dt.datetime(y, m, 15)) for y in (1990, 2010, 2025) for m in (1, 7)}
if {dt.timedelta(hours=7)} != _OFFSETS:  # pragma: no cover - tz database changed
    raise RuntimeError(f"{TZ_NAME} is no longer UTC+7 all year: revise localtime.py")
_SQLITE_SHIFT = "+7 hours"


class _LocalPart(FunctionElement[str]):
    type = String()
    inherit_cache = True
    pg_format = ""
    sqlite_format = ""


class local_month(_LocalPart):
    """``YYYY-MM`` in Viet Nam time."""

    name = "local_month"
    inherit_cache = True
    pg_format = "YYYY-MM"
    sqlite_format = "%Y-%m"


class local_day(_LocalPart):
    """``YYYY-MM-DD`` in Viet Nam time."""

    name = "local_day"
    inherit_cache = True
    pg_format = "YYYY-MM-DD"
    sqlite_format = "%Y-%m-%d"


class local_hour(_LocalPart):
    """Hour of day ``00``..``23`` in Viet Nam time."""

    name = "local_hour"
    inherit_cache = True
    pg_format = "HH24"
    sqlite_format = "%H"


class local_year(_LocalPart):
    """``YYYY`` in Viet Nam time."""

    name = "local_year"
    inherit_cache = True
    pg_format = "YYYY"
    sqlite_format = "%Y"


@compiles(_LocalPart, "postgresql")
def _pg(element: _LocalPart, compiler: SQLCompiler, **kw: Any) -> str:
    arg = compiler.process(element.clauses, **kw)
    return f"to_char(({arg}) AT TIME ZONE '{TZ_NAME}', '{element.pg_format}')"


@compiles(_LocalPart, "sqlite")
def _sqlite(element: _LocalPart, compiler: SQLCompiler, **kw: Any) -> str:
    arg = compiler.process(element.clauses, **kw)
    return f"strftime('{element.sqlite_format}', {arg}, '{_SQLITE_SHIFT}')"


def to_local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(TZ)


class days_between(FunctionElement[float]):
    """Days (fractional) from the first to the second timestamp."""

    type = Float()
    name = "days_between"
    inherit_cache = True


@compiles(days_between, "postgresql")
def _pg_days(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({end}) - ({start})) / 86400.0)"


@compiles(days_between, "sqlite")
def _sqlite_days(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"(julianday({end}) - julianday({start}))"
