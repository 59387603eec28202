from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import delete

from callcenter.calls.facts import CallArrived, CallEnded
from callcenter.calls.models import CallHourStatsRow
from callcenter.calls.recorder import CallRecorder
from callcenter.calls.rollup import rebuild_hour_stats, rollup_covers
from callcenter.calls.stats import (
    Dimension,
    QueueFigures,
    StatsOptions,
    counsellor_figures,
    overflow_figures,
    queue_figures,
    write_csv,
)
from callcenter.db import Database

from .helpers import NODE, T0, abandoned_in_queue, answered_call

START, END = T0 - timedelta(days=1), T0 + timedelta(days=2)


@pytest.fixture
async def day_of_calls(recorder: CallRecorder) -> None:
    """HN: 3 answered (one by Da Nang), 2 abandoned (one within 5 s), 1 gone in the IVR.
    DN: 1 answered at 06:30 Viet Nam time the next day (23:30 UTC)."""
    m = timedelta(minutes=1)
    recorder.record_many(
        answered_call(1, wait_s=12, talk_s=60, wrapup_s=30, counsellor="HN-01")
        + answered_call(2, start=T0 + m, wait_s=25, talk_s=120, wrapup_s=10, counsellor="HN-02")
        + abandoned_in_queue(3, start=T0 + 2 * m, wait_s=3)
        + abandoned_in_queue(4, start=T0 + 3 * m, wait_s=30)
        + [
            CallArrived(node=NODE, channel_id="ivr", at=T0 + 4 * m),
            CallEnded(node=NODE, channel_id="ivr", at=T0 + 5 * m),
        ]
        + answered_call(6, start=T0 + 61 * m, wait_s=8, answered_centre="DN", counsellor="DN-01")
        + answered_call(
            7,
            start=T0 + timedelta(hours=22, minutes=30),
            wait_s=5,
            centre="DN",
            counsellor="DN-01",
        )
    )
    await recorder.flush(timeout_s=10)


@pytest.mark.usefixtures("day_of_calls")
async def test_figures_per_centre(db: Database) -> None:
    async with db.sessions() as session:
        dn, hn, unknown = await queue_figures(session, START, END, by=("centre",))
    assert (hn.centre, hn.offered, hn.answered, hn.abandoned, hn.abandoned_short) == (
        "HN",
        5,
        3,
        2,
        1,
    )
    assert hn.answered_within_sl == 2
    assert hn.service_level == pytest.approx(2 / 4)  # the 3 s abandon does not count
    assert hn.asa_s == pytest.approx((12 + 25 + 8) / 3)
    assert hn.avg_wait_s == pytest.approx((12 + 25 + 3 + 30 + 8) / 5)
    assert hn.max_wait_s == 30
    assert hn.avg_talk_s == pytest.approx((60 + 120 + 60) / 3)
    assert hn.overflowed == 1
    assert (unknown.centre, unknown.offered, unknown.abandoned_in_ivr) == (None, 0, 1)
    assert (dn.centre, dn.offered, dn.service_level) == ("DN", 1, 1.0)


@pytest.mark.usefixtures("day_of_calls")
async def test_days_and_hours_are_viet_nam_time(db: Database) -> None:
    async with db.sessions() as session:
        days = await queue_figures(session, START, END, by=("day",))
        hours = await queue_figures(session, START, END, by=("day", "hour"))
        tighter = await queue_figures(
            session, START, END, by=(), options=StatsOptions(service_level_s=10)
        )
    assert [(d.day, d.offered) for d in days] == [(date(2026, 3, 2), 5), (date(2026, 3, 3), 1)]
    assert [(h.day, h.hour, h.offered) for h in hours] == [
        (date(2026, 3, 2), 8, 4),
        (date(2026, 3, 2), 9, 1),
        (date(2026, 3, 3), 6, 1),
    ]
    assert tighter[0].answered_within_sl == 2  # 8 s and 5 s


@pytest.mark.usefixtures("day_of_calls")
async def test_counsellors_and_overflow(db: Database) -> None:
    async with db.sessions() as session:
        people = await counsellor_figures(session, START, END, staffed_s={"HN-01": 3600})
        overflow = await overflow_figures(session, START, END)
    by_name = {p.counsellor: p for p in people}
    assert set(by_name) == {"HN-01", "HN-02", "DN-01"}
    assert by_name["DN-01"].answered == 2
    hn01 = by_name["HN-01"]
    assert (hn01.talk_s, hn01.wrapup_s) == (60, 30)
    assert hn01.occupancy == pytest.approx(90 / 3600)
    assert by_name["HN-02"].occupancy is None  # staffed time unknown
    assert [(o.from_centre, o.to_centre, o.calls) for o in overflow] == [("HN", "DN", 1)]


@pytest.mark.usefixtures("day_of_calls")
async def test_figures_as_csv(db: Database) -> None:
    async with db.sessions() as session:
        rows = await queue_figures(session, START, END, by=("centre", "day"))
    out = io.StringIO()
    write_csv(rows, out)
    parsed = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [(r["centre"], r["day"], r["offered"]) for r in parsed] == [
        ("DN", "2026-03-03", "1"),
        ("HN", "2026-03-02", "5"),
        ("", "2026-03-02", "0"),  # the call that never left the IVR has no centre
    ]
    assert parsed[1]["service_level"] == "0.5"


@pytest.mark.usefixtures("day_of_calls")
async def test_the_hourly_rollup_gives_the_same_figures_as_the_calls(db: Database) -> None:
    options = StatsOptions()
    groupings: list[tuple[Dimension, ...]] = [
        (),
        ("centre",),
        ("day",),
        ("hour",),
        ("centre", "day", "hour"),
    ]
    not_whole_hours = START - timedelta(seconds=1)  # same calls, read from the calls table
    async with db.sessions() as session:
        assert await rollup_covers(session, START, END, options)
        assert not await rollup_covers(session, not_whole_hours, END, options)
        for by in groupings:
            fast = await queue_figures(session, START, END, by=by)
            assert fast == await queue_figures(session, not_whole_hours, END, by=by), by
        by_centre = await queue_figures(session, START, END, by=("centre", "day"))
    async with db.sessions.begin() as session:  # e.g. data loaded around the recorder
        await session.execute(delete(CallHourStatsRow))
    async with db.sessions() as session:
        assert not await rollup_covers(session, START, END, options)
    async with db.sessions.begin() as session:
        await rebuild_hour_stats(session, START, END, options)
    async with db.sessions() as session:
        assert await rollup_covers(session, START, END, options)
        assert await queue_figures(session, START, END, by=("centre", "day")) == by_centre


def test_an_empty_table_still_has_its_header() -> None:
    out = io.StringIO()
    write_csv([], out, QueueFigures)
    assert out.getvalue().startswith("centre,day,hour,offered,")
