"""The hourly rollup of the call figures (table ``call_hour_stats``).

The recorder recomputes the hours its batch touched, in the same transaction as the calls, so
the rollup always agrees with the calls it sums. ``queue_figures`` reads it when it covers the
period exactly (whole hours, same thresholds, same number of calls), and the calls otherwise.
``rebuild_hour_stats`` fills it for data written another way, or after the thresholds change.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Delete,
    Insert,
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from callcenter.calls.models import CallHourStatsRow, CallRow
from callcenter.calls.options import StatsOptions
from callcenter.calls.outcomes import ABANDONED_OUTCOMES, ANSWERED_OUTCOMES, CallOutcome
from callcenter.db.base import UTCDateTime

HOUR = timedelta(hours=1)


def hour_of(at: datetime) -> datetime:
    """The UTC hour that ``at`` falls in."""
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _n(cond: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)


def _sum(cond: ColumnElement[bool], value: Any) -> Any:
    return func.coalesce(func.sum(case((cond, value), else_=0.0)), 0.0)


def figure_sums(options: StatsOptions) -> dict[str, Any]:
    """Every rollup column except the keys, as aggregates over ``calls``."""
    outcome, wait = CallRow.outcome, CallRow.wait_s
    answered = outcome.in_([o.value for o in ANSWERED_OUTCOMES])
    abandoned = outcome.in_([o.value for o in ABANDONED_OUTCOMES])
    offered = and_(outcome.is_not(None), outcome != CallOutcome.ABANDONED_IVR.value)
    answered_wait = and_(answered, wait.is_not(None))
    offered_wait = and_(offered, wait.is_not(None))
    answered_talk = and_(answered, CallRow.talk_s.is_not(None))
    return {
        "service_level_s": literal(options.service_level_s),
        "short_abandon_s": literal(options.short_abandon_s),
        "calls": func.count(),
        "offered": _n(offered),
        "answered": _n(answered),
        "abandoned": _n(abandoned),
        "abandoned_short": _n(and_(abandoned, func.coalesce(wait, 0) < options.short_abandon_s)),
        "answered_within_sl": _n(and_(answered, wait <= options.service_level_s)),
        "wait_answered_sum": _sum(answered_wait, wait),
        "wait_answered_n": _n(answered_wait),
        "wait_offered_sum": _sum(offered_wait, wait),
        "wait_offered_n": _n(offered_wait),
        "wait_max": func.max(case((offered, wait))),
        "talk_answered_sum": _sum(answered_talk, CallRow.talk_s),
        "talk_answered_n": _n(answered_talk),
        "wrapup_sum": _sum(CallRow.wrapup_s.is_not(None), CallRow.wrapup_s),
        "wrapup_n": _n(CallRow.wrapup_s.is_not(None)),
        "overflowed": _n(and_(answered, CallRow.answered_centre != CallRow.home_centre)),
        "callbacks": _n(outcome == CallOutcome.CALLBACK_REQUESTED.value),
        "abandoned_in_ivr": _n(outcome == CallOutcome.ABANDONED_IVR.value),
        "in_danger": _n(CallRow.in_danger.is_(True)),
    }


def _hour_bucket(session: AsyncSession) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return func.date_trunc("hour", CallRow.arrived_at, "UTC")
    return func.strftime("%Y-%m-%d %H:00:00.000000", CallRow.arrived_at)


def _fill_statement(options: StatsOptions, where: ColumnElement[bool], bucket: Any) -> Insert:
    sums = figure_sums(options)
    centre = func.coalesce(CallRow.home_centre, "")
    query = (
        select(bucket, centre, *sums.values()).where(where).group_by(bucket, CallRow.home_centre)
    )
    columns = ["hour_start", "centre", *sums]
    return insert(CallHourStatsRow).from_select(columns, query)


@functools.lru_cache(maxsize=8)
def _hour_statements(options: StatsOptions) -> tuple[Delete, Insert]:
    """Delete and refill the rollup rows of one hour (``:hour``..``:hour_end``), built once per
    thresholds: the recorder runs them after every batch, and building the aggregate expression
    anew each time cost more CPU than the database spent running it."""
    hour = bindparam("hour", type_=UTCDateTime())
    hour_end = bindparam("hour_end", type_=UTCDateTime())
    wipe = delete(CallHourStatsRow).where(CallHourStatsRow.hour_start == hour)
    window = and_(CallRow.arrived_at >= hour, CallRow.arrived_at < hour_end)
    return wipe, _fill_statement(options, window, hour)


async def recompute_hours(
    session: AsyncSession, hours: Iterable[datetime], options: StatsOptions
) -> None:
    """Recompute the rollup rows of the given UTC hours from the calls (in the caller's
    transaction; the session must be flushed)."""
    wipe, fill = _hour_statements(options)
    connection = await session.connection()  # Core: the ORM would read the bounds as rows
    for hour in sorted({hour_of(h) for h in hours}):
        bounds = {"hour": hour, "hour_end": hour + HOUR}
        await connection.execute(wipe, bounds)
        await connection.execute(fill, bounds)


async def rebuild_hour_stats(
    session: AsyncSession, start: datetime, end: datetime, options: StatsOptions
) -> None:
    """Recompute the rollup for every hour in [hour_of(start), end) in one statement."""
    first = hour_of(start)
    end = end if hour_of(end) == end else hour_of(end) + HOUR  # whole hours only
    await session.execute(
        delete(CallHourStatsRow).where(
            CallHourStatsRow.hour_start >= first, CallHourStatsRow.hour_start < end
        )
    )
    window = and_(CallRow.arrived_at >= first, CallRow.arrived_at < end)
    await session.execute(_fill_statement(options, window, _hour_bucket(session)))


async def rollup_covers(
    session: AsyncSession, start: datetime, end: datetime, options: StatsOptions
) -> bool:
    """Whether the rollup gives exactly the figures of [start, end): whole hours, the same
    thresholds, and as many calls as the calls table holds for the period."""
    if hour_of(start) != start or hour_of(end) != end:
        return False
    period = and_(CallHourStatsRow.hour_start >= start, CallHourStatsRow.hour_start < end)
    other_thresholds = or_(
        CallHourStatsRow.service_level_s != options.service_level_s,
        CallHourStatsRow.short_abandon_s != options.short_abandon_s,
    )
    summed, mismatched = (
        await session.execute(
            select(
                func.coalesce(func.sum(CallHourStatsRow.calls), 0),
                func.coalesce(func.sum(case((other_thresholds, 1), else_=0)), 0),
            ).where(period)
        )
    ).one()
    if int(mismatched):
        return False
    counted = await session.scalar(
        select(func.count())
        .select_from(CallRow)
        .where(CallRow.arrived_at >= start, CallRow.arrived_at < end)
    )
    return int(summed) == int(counted or 0)
