"""Benchmark of the call records: the call path's cost of recording a fact, the drainer's
throughput into SQLite and PostgreSQL, and the statistics queries over many calls.

    .venv/bin/python benchmarks/bench_call_records.py [--calls 2000] [--stats-calls 200000]
        [--pg postgresql://127.0.0.1:5432/test]

* record: ``CallRecorder.record`` (pseudonymise + journal in the SQLite outbox), in microseconds
  per fact, with the outbox at synchronous=NORMAL (default) and FULL (fsync per fact);
* drain: facts per second from the outbox into each database (8 facts per call);
* stats: ``queue_figures`` by centre / day x hour (from the calls table, ``_raw``, and from the
  hourly rollup after ``rebuild_hour_stats``), ``counsellor_figures`` and ``overflow_figures``
  over ``--stats-calls`` generated calls in PostgreSQL (bulk-inserted).

Prints figures and, last, one JSON line. A throw-away PostgreSQL database is created and dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from callcenter.calls.facts import (  # noqa: E402
    CallAnswered,
    CallArrived,
    CallEnded,
    CallOffered,
    CallQueued,
    Fact,
    IvrCompleted,
    OfferEnded,
    WrapUpEnded,
)
from callcenter.calls.models import CallRow  # noqa: E402
from callcenter.calls.options import StatsOptions  # noqa: E402
from callcenter.calls.outcomes import OfferOutcome  # noqa: E402
from callcenter.calls.recorder import CallRecorder  # noqa: E402
from callcenter.calls.rollup import hour_of, rebuild_hour_stats  # noqa: E402
from callcenter.calls.stats import (  # noqa: E402
    counsellor_figures,
    overflow_figures,
    queue_figures,
)
from callcenter.db import Database, migrate  # noqa: E402
from callcenter.db.outbox import Outbox  # noqa: E402
from callcenter.privacy import generate_key_material  # noqa: E402

T0 = datetime(2026, 3, 1, tzinfo=UTC)
ANSWERED = OfferOutcome.ANSWERED
CENTRES = ("HN", "DN", "AG")


def call_facts(n: int) -> list[Fact]:
    ch, node = f"1795381364.{n}", "bench"
    t = T0 + timedelta(seconds=n * 7)
    k: dict[str, Any] = {"node": node, "channel_id": ch}
    return [
        CallArrived(**k, at=t, caller_number=f"09{n % 100000000:08d}", dialled="111"),
        IvrCompleted(**k, at=t + timedelta(seconds=20), language="vi", home_centre="HN"),
        CallQueued(**k, at=t + timedelta(seconds=20), centre="HN"),
        CallOffered(**k, at=t + timedelta(seconds=22), offer_id=f"{ch}-o", counsellor="HN-01"),
        OfferEnded(**k, at=t + timedelta(seconds=25), offer_id=f"{ch}-o", outcome=ANSWERED),
        CallAnswered(**k, at=t + timedelta(seconds=25), counsellor="HN-01", centre="HN"),
        CallEnded(**k, at=t + timedelta(seconds=300)),
        WrapUpEnded(**k, at=t + timedelta(seconds=330)),
    ]  # fmt: skip


async def bench_record(facts: list[Fact], synchronous: str, tmp: Path) -> float:
    crypto = generate_key_material().crypto()
    path = tmp / f"record-{synchronous}.sqlite3"
    outbox = Outbox(path, synchronous=synchronous)  # type: ignore[arg-type]
    db = Database.from_url(f"sqlite+aiosqlite:///{tmp / 'unused.db'}")
    recorder = CallRecorder(db.sessions, outbox, crypto)
    start = time.perf_counter()
    for fact in facts:  # worst case: every fact in its own turn of the event loop
        recorder.record(fact)
        await asyncio.sleep(0)
    elapsed = time.perf_counter() - start
    assert outbox.backlog == len(facts)
    outbox.close()
    await db.dispose()
    return elapsed / len(facts) * 1e6


async def bench_drain(url: str, facts: list[Fact], tmp: Path, name: str) -> float:
    await migrate.upgrade(url)
    db = Database.from_url(url)
    outbox = Outbox(tmp / f"drain-{name}.sqlite3")
    recorder = CallRecorder(db.sessions, outbox, generate_key_material().crypto())
    recorder.record_many(facts)
    start = time.perf_counter()
    while outbox.backlog:
        await recorder.drain_once()
    elapsed = time.perf_counter() - start
    outbox.close()
    await db.dispose()
    return len(facts) / elapsed


async def bench_stats(url: str, n_calls: int) -> dict[str, float]:
    db = Database.from_url(url)
    rng = random.Random(7)
    rows = []
    for i in range(n_calls):
        home = rng.choice(CENTRES)
        answered = rng.random() < 0.85
        at = T0 + timedelta(seconds=i * 30)
        wait = rng.expovariate(1 / 15)
        rows.append(
            {
                "call_id": f"bench/{i}",
                "node": "bench",
                "channel_id": str(i),
                "source": "service",
                "arrived_at": at,
                "queued_at": at + timedelta(seconds=20),
                "home_centre": home,
                "answered_centre": (home if rng.random() < 0.9 else rng.choice(CENTRES))
                if answered
                else None,
                "answered_by": f"{home}-{rng.randint(1, 20):02d}" if answered else None,
                "in_danger": rng.random() < 0.02,
                "centres": [home],
                "counsellors": [],
                "wait_s": wait,
                "talk_s": rng.expovariate(1 / 400) if answered else None,
                "wrapup_s": rng.expovariate(1 / 30) if answered else None,
                "outcome": "answered" if answered else "abandoned_queue",
            }
        )
    async with db.sessions.begin() as session:
        for chunk in range(0, len(rows), 5000):
            await session.execute(CallRow.__table__.insert(), rows[chunk : chunk + 5000])
    async with db.engine.begin() as conn:
        await conn.exec_driver_sql("ANALYZE calls")
    start = T0
    end = hour_of(T0 + timedelta(seconds=n_calls * 30)) + timedelta(hours=1)
    raw_start = start + timedelta(seconds=1)  # not a whole hour: read from the calls table
    timings: dict[str, float] = {}
    t = time.perf_counter()
    async with db.sessions.begin() as session:
        await rebuild_hour_stats(session, start, end, StatsOptions())
    timings["rebuild_rollup"] = time.perf_counter() - t
    async with db.sessions() as session:
        for label, coro_fn in (
            ("by_centre_raw", lambda: queue_figures(session, raw_start, end, by=("centre",))),
            ("by_day_hour_raw", lambda: queue_figures(session, raw_start, end, by=("day", "hour"))),
            ("by_centre", lambda: queue_figures(session, start, end, by=("centre",))),
            ("by_day_hour", lambda: queue_figures(session, start, end, by=("day", "hour"))),
            ("by_centre_day", lambda: queue_figures(session, start, end, by=("centre", "day"))),
            ("counsellors", lambda: counsellor_figures(session, start, end)),
            ("overflow", lambda: overflow_figures(session, start, end)),
        ):
            t = time.perf_counter()
            await coro_fn()
            timings[label] = time.perf_counter() - t
    await db.dispose()
    return timings


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--stats-calls", type=int, default=200_000)
    parser.add_argument("--pg", default="postgresql://127.0.0.1:5432/test")
    args = parser.parse_args()
    facts = [f for n in range(args.calls) for f in call_facts(n)]
    name = f"cc_bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(args.pg)
    await admin.execute(f'CREATE DATABASE "{name}"')
    host = args.pg.split("://", 1)[1].rsplit("/", 1)[0]
    pg_url = f"postgresql+asyncpg://{host}/{name}"
    try:
        with tempfile.TemporaryDirectory() as tmp_dir:
            tmp = Path(tmp_dir)
            rec_normal = await bench_record(facts, "NORMAL", tmp)
            rec_full = await bench_record(facts[:2000], "FULL", tmp)
            drain_sqlite = await bench_drain(f"sqlite+aiosqlite:///{tmp / 'b.db'}", facts, tmp, "s")
            drain_pg = await bench_drain(pg_url, facts, tmp, "pg")
        stats = await bench_stats(pg_url, args.stats_calls)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    print(f"record(): {rec_normal:.1f} us/fact (outbox NORMAL), {rec_full:.1f} us/fact (FULL)")
    print(f"  = {rec_normal * 8 / 1000:.2f} ms of the event loop per whole call (8 facts)")
    print(f"drain: SQLite {drain_sqlite:.0f} facts/s, PostgreSQL {drain_pg:.0f} facts/s")
    print(f"  = {drain_sqlite / 8:.0f} / {drain_pg / 8:.0f} whole calls per second (8 facts each)")
    for label, seconds in stats.items():
        print(f"stats {label} over {args.stats_calls} calls: {seconds * 1000:.0f} ms")
    raw, fast = stats["by_day_hour_raw"], stats["by_day_hour"]
    print(f"rollup speed-up (day x hour): {raw / fast:.0f}x")
    print(
        json.dumps(
            {
                "benchmark": "call_records",
                "calls": args.calls,
                "record_us_per_fact_normal": round(rec_normal, 1),
                "record_us_per_fact_full": round(rec_full, 1),
                "drain_facts_per_s_sqlite": round(drain_sqlite),
                "drain_facts_per_s_postgres": round(drain_pg),
                "stats_calls": args.stats_calls,
                "stats_ms": {k: round(v * 1000, 1) for k, v in stats.items()},
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
