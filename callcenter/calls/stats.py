"""Call-centre figures over the call records, computed in SQL on both databases.

Definitions (docs/calls.md):
* offered: finished calls that reached the queue (every outcome except ``abandoned_ivr``);
* answered: ``answered`` and ``fallback_answered``; abandoned: in queue, while ringing, or in
  the fallback queue; short abandons (wait < ``short_abandon_s``, default 5 s) are not counted
  against the service level;
* service level = answered within ``service_level_s`` (default 20 s) / (offered - short
  abandons); average speed of answer = mean wait of answered calls;
* occupancy = (talk + wrap-up) / staffed time, when the staffed time is given;
* days and hours are Viet Nam time (``Asia/Ho_Chi_Minh``); times are stored in UTC.
"""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, TextIO
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Integer, and_, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from callcenter.calls.models import CallHourStatsRow, CallRow
from callcenter.calls.options import VIET_NAM, StatsOptions
from callcenter.calls.rollup import figure_sums, rollup_covers

__all__ = [
    "VIET_NAM",
    "CounsellorFigures",
    "Dimension",
    "OverflowFigures",
    "QueueFigures",
    "StatsOptions",
    "counsellor_figures",
    "overflow_figures",
    "queue_figures",
    "write_csv",
]

Dimension = Literal["centre", "day", "hour"]
DEFAULT_OPTIONS = StatsOptions()


@dataclass(frozen=True, slots=True)
class QueueFigures:
    centre: str | None
    day: date | None
    hour: int | None
    offered: int
    answered: int
    abandoned: int
    abandoned_short: int
    answered_within_sl: int
    service_level: float | None  # 0..1
    asa_s: float | None
    avg_wait_s: float | None
    max_wait_s: float | None
    avg_talk_s: float | None
    avg_wrapup_s: float | None
    overflowed: int  # answered by another centre than the caller's home centre
    callbacks: int
    abandoned_in_ivr: int
    in_danger: int


@dataclass(frozen=True, slots=True)
class CounsellorFigures:
    counsellor: str
    answered: int
    talk_s: float
    wrapup_s: float
    avg_talk_s: float | None
    avg_wrapup_s: float | None
    staffed_s: float | None
    occupancy: float | None  # (talk + wrap-up) / staffed time


@dataclass(frozen=True, slots=True)
class OverflowFigures:
    from_centre: str | None
    to_centre: str | None
    calls: int


TimeParser = Callable[[Any], tuple[date | None, int | None]]


def _time_key(
    session: AsyncSession, tz: str, by: Sequence[str], column: Any
) -> tuple[Any, TimeParser]:
    """One grouping expression for the local day and/or hour of ``column``, and its parser.

    PostgreSQL converts with the time zone database; SQLite has none and uses the zone's fixed
    offset (exact for Viet Nam: UTC+7 with no daylight saving since 1975).
    """
    want_day, want_hour = "day" in by, "hour" in by
    if session.get_bind().dialect.name == "postgresql":
        local = func.timezone(tz, column)
        if want_day and want_hour:
            return func.date_trunc("hour", local), lambda v: (v.date(), v.hour)
        if want_day:
            return func.date_trunc("day", local), lambda v: (v.date(), None)
        return cast(func.extract("hour", local), Integer), lambda v: (None, int(v))
    offset = ZoneInfo(tz).utcoffset(datetime(2000, 1, 1))
    shifted = f"{int(offset.total_seconds() // 60) if offset else 0:+d} minutes"
    if want_day and want_hour:
        return (
            func.strftime("%Y-%m-%d %H", column, shifted),
            lambda v: (date.fromisoformat(v[:10]), int(v[11:13])),
        )
    if want_day:
        return func.strftime("%Y-%m-%d", column, shifted), lambda v: (date.fromisoformat(v), None)
    return func.strftime("%H", column, shifted), lambda v: (None, int(v))


def _period(start: datetime, end: datetime) -> ColumnElement[bool]:
    return and_(CallRow.arrived_at >= start, CallRow.arrived_at < end)


async def queue_figures(
    session: AsyncSession,
    start: datetime,
    end: datetime,
    *,
    by: Sequence[Dimension] = ("centre",),
    options: StatsOptions = DEFAULT_OPTIONS,
) -> list[QueueFigures]:
    """Figures for calls that arrived in [start, end), grouped by centre, day and/or hour.

    Read from the hourly rollup when it covers the period exactly, else from the calls; both
    sum the same expressions (``rollup.figure_sums``), so the figures are the same either way.
    """
    use_rollup = await rollup_covers(session, start, end, options)
    table: Any = CallHourStatsRow if use_rollup else CallRow
    keys: dict[str, Any] = {}
    if "centre" in by:
        keys["centre"] = CallHourStatsRow.centre if use_rollup else CallRow.home_centre
    parse: TimeParser = lambda _: (None, None)  # noqa: E731
    if "day" in by or "hour" in by:
        column = CallHourStatsRow.hour_start if use_rollup else CallRow.arrived_at
        keys["time"], parse = _time_key(session, options.timezone, by, column)
    sums = figure_sums(options)
    del sums["service_level_s"], sums["short_abandon_s"]
    if use_rollup:
        values = [
            (func.max if name == "wait_max" else func.sum)(getattr(table, name)).label(name)
            for name in sums
        ]
        where = and_(CallHourStatsRow.hour_start >= start, CallHourStatsRow.hour_start < end)
    else:
        values = [expr.label(name) for name, expr in sums.items()]
        where = _period(start, end)
    query = (
        select(*(expr.label(name) for name, expr in keys.items()), *values)
        .where(where)
        .group_by(*keys.values())
    )
    result = []
    for r in (await session.execute(query)).mappings().all():
        day, hour = parse(r["time"]) if "time" in r else (None, None)
        result.append(_figures(r, r.get("centre") or None, day, hour))
    result.sort(key=lambda f: (f.centre is None, f.centre or "", f.day or date.min, f.hour or 0))
    return result


def _figures(r: Any, centre: str | None, day: date | None, hour: int | None) -> QueueFigures:
    def ratio(total: Any, n: Any) -> float | None:
        return float(total) / int(n) if n else None

    offered, short, in_sl = (
        int(r["offered"]),
        int(r["abandoned_short"]),
        int(r["answered_within_sl"]),
    )
    return QueueFigures(
        centre=centre,
        day=day,
        hour=hour,
        offered=offered,
        answered=int(r["answered"]),
        abandoned=int(r["abandoned"]),
        abandoned_short=short,
        answered_within_sl=in_sl,
        service_level=in_sl / (offered - short) if offered > short else None,
        asa_s=ratio(r["wait_answered_sum"], r["wait_answered_n"]),
        avg_wait_s=ratio(r["wait_offered_sum"], r["wait_offered_n"]),
        max_wait_s=_f(r["wait_max"]),
        avg_talk_s=ratio(r["talk_answered_sum"], r["talk_answered_n"]),
        avg_wrapup_s=ratio(r["wrapup_sum"], r["wrapup_n"]),
        overflowed=int(r["overflowed"]),
        callbacks=int(r["callbacks"]),
        abandoned_in_ivr=int(r["abandoned_in_ivr"]),
        in_danger=int(r["in_danger"]),
    )


def _f(value: Any) -> float | None:
    return None if value is None else float(value)


async def counsellor_figures(
    session: AsyncSession,
    start: datetime,
    end: datetime,
    *,
    staffed_s: Mapping[str, float] | None = None,
) -> list[CounsellorFigures]:
    """Per answering counsellor; ``staffed_s`` (logged-in seconds) gives the occupancy."""
    query = (
        select(
            CallRow.answered_by,
            func.count(),
            func.coalesce(func.sum(CallRow.talk_s), 0.0),
            func.coalesce(func.sum(CallRow.wrapup_s), 0.0),
            func.avg(CallRow.talk_s),
            func.avg(CallRow.wrapup_s),
        )
        .where(_period(start, end), CallRow.answered_by.is_not(None))
        .group_by(CallRow.answered_by)
        .order_by(CallRow.answered_by)
    )
    result = []
    for who, n, talk, wrap, avg_talk, avg_wrap in (await session.execute(query)).all():
        staffed = (staffed_s or {}).get(who)
        busy = float(talk) + float(wrap)
        result.append(
            CounsellorFigures(
                counsellor=who,
                answered=int(n),
                talk_s=float(talk),
                wrapup_s=float(wrap),
                avg_talk_s=_f(avg_talk),
                avg_wrapup_s=_f(avg_wrap),
                staffed_s=staffed,
                occupancy=busy / staffed if staffed else None,
            )
        )
    return result


async def overflow_figures(
    session: AsyncSession, start: datetime, end: datetime
) -> list[OverflowFigures]:
    """Answered calls whose home centre differs from the centre that answered them."""
    query = (
        select(CallRow.home_centre, CallRow.answered_centre, func.count())
        .where(
            _period(start, end),
            CallRow.answered_centre.is_not(None),
            CallRow.answered_centre != func.coalesce(CallRow.home_centre, ""),
        )
        .group_by(CallRow.home_centre, CallRow.answered_centre)
        .order_by(CallRow.home_centre, CallRow.answered_centre)
    )
    return [
        OverflowFigures(from_centre=a, to_centre=b, calls=int(n))
        for a, b, n in (await session.execute(query)).all()
    ]


def write_csv(rows: Sequence[Any], out: TextIO, row_type: type | None = None) -> None:
    """Write typed rows (dataclasses) as CSV with a header; ratios and seconds rounded.

    ``row_type`` gives the header when there are no rows.
    """
    kind = row_type or (type(rows[0]) if rows else None)
    if kind is None:
        return
    names = [f.name for f in dataclasses.fields(kind)]
    writer = csv.writer(out)
    writer.writerow(names)
    for row in rows:
        values = []
        for name in names:
            value = getattr(row, name)
            if isinstance(value, float):
                value = round(value, 4 if name in ("service_level", "occupancy") else 1)
            values.append("" if value is None else value)
        writer.writerow(values)
