"""Soak run (issue 4): "the model and the live system agree".

    .venv/bin/python benchmarks/model_vs_live.py [--scenario scenarios/model-vs-live.toml]
        [--minutes 10] [--seed 1] [--speed 1] [--sqlite | --pg postgresql://127.0.0.1:5432/test]

One scenario file and one seed, run twice:

1. the model: ``callcenter.simulation.simulate(scenario, seed, days=minutes/1440)``, its
   report's service level and abandoned share with their 95 % intervals (batch means widened
   to Wilson, ``callcenter/simulation/stats.py``);
2. the live system: the PBX simulator on the product's ``asterisk-conf/`` grown to the
   scenario's phones, the scenario's callers and softphones played by ``pbxsim.actors.Actors``
   (as ``tests/e2e/test_day.py`` does), and ``callcenter serve`` as its own process on a fresh
   PostgreSQL database (or SQLite), its timers on the simulator's timeline (``--speed``).

The live figures are computed from the call records in the database with the simulator's own
code (``callcenter.simulation.report.figures``), each record turned into the model's
``CallRecord`` the way the model defines a call:

- a call "arrives" when it enters the queue (``queued_at``: the model has no IVR); calls that
  never reached the queue (hung up in the IVR) are not offered calls in the model's sense and
  are counted apart;
- counted: calls whose caller dialled at or after ``report.warmup_seconds`` (the model counts
  calls arriving after the warm-up; the IVR moves them by a fraction of a second);
- home centre: the arrival process the caller came from (the region the caller chose);
- answered: ``answered_at`` (the counsellor answered, ringing included in the wait);
  abandoned: outcome ``abandoned_queue`` or ``abandoned_ringing`` at ``ended_at``; short
  abandons: within ``report.short_abandon_seconds`` of entering the queue;
- service level = answered within ``report.service_level_seconds`` / (offered - short);
  abandoned share = abandoned / offered; the same batch-means intervals, ``report.batches``.

Two cross-checks: the same figures "as the caller sees them" (from dialling, IVR included, IVR
hang-ups abandoned) once from the records and once from the actors' own outcomes; and every
record's outcome against what the actor saw (answered exactly when bridged with a counsellor).
Ring time-outs: the share of rings that ended ``no_answer`` in the records, against the
scenario's ``pbx.phones.no_answer`` (the model's only source of ring time-outs here, since every
answer delay is shorter than the ring time-out): more in the live run means the live system is
late (latency on a sped-up timeline).

Latency: where an answered ring's time goes, from the service's records (routing decided, the
answer recorded) and the PBX's own happenings (leg created, phone invited, answered, StasisStart
sent, bridged); the gap from a counsellor's end of wrap-up (a caller waiting) to their next ring;
this process's CPU and event-loop lateness (the PBX simulator and the actors live here: a late
simulator would make the service look late).

Prints both sets of figures with intervals, widths and overlap and, LAST, one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
import json
import math
import os
import shutil
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from callcenter.calls.models import CallOfferRow, CallRow  # noqa: E402
from callcenter.db.engine import Database  # noqa: E402
from callcenter.scenario import Scenario, load_scenario  # noqa: E402
from callcenter.simulation import simulate  # noqa: E402
from callcenter.simulation.report import CallRecord, CentreFigures, figures  # noqa: E402
from callcenter.simulation.stats import Interval  # noqa: E402
from pbxsim.actors import Actors, CallerOutcome  # noqa: E402
from pbxsim.model import happenings as h  # noqa: E402
from pbxsim.server import Simulator  # noqa: E402
from tests.e2e.harness import until  # noqa: E402
from tests.e2e.process import ServiceProcess  # noqa: E402
from tests.e2e.product import product_conf_with_phones, product_settings  # noqa: E402

ABANDONED = {"abandoned_queue", "abandoned_ringing"}
TICK = os.sysconf("SC_CLK_TCK")


def process_cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


# ---------------------------------------------------------------- the live run


async def live_run(
    scenario: Scenario, args: argparse.Namespace, db_url: str, tmp: Path
) -> dict[str, Any]:
    per_centre = max(
        sum(1 for c, _ in scenario.counsellors() if c == centre) for centre in scenario.centres
    )
    conf_dir = product_conf_with_phones(tmp, per_centre=per_centre)
    duration = args.minutes * 60.0
    async with Simulator(conf_dir, speed=args.speed) as sim:
        loop = asyncio.get_running_loop()
        actors = Actors(
            sim.pbx, scenario, seed=args.seed, hotline="111", trunk="carrier-in", duration=duration
        )
        settings = product_settings(
            sim, conf_dir, scenario, actors.endpoint_of, db_url, tmp / "var"
        )
        settings.service.timeline_speed = args.speed
        settings.flow.missed_auto_resume = scenario.staff.missed_return.expected()
        service = ServiceProcess(settings, tmp / "service.log")
        pending: set[asyncio.Task[None]] = set()

        def tell(counsellor: str, action: str) -> None:  # the way a person's console would
            task = loop.create_task(service.presence(counsellor, action))
            pending.add(task)
            task.add_done_callback(pending.discard)

        actors.on_login = lambda counsellor, _ep: tell(counsellor, "login")
        actors.on_logout = lambda counsellor, _ep: tell(counsellor, "logout")
        live_legs: dict[str, set[str]] = {}
        overlaps: list[str] = []
        # a ring's leg as the PBX saw it: created (the originate arrived), phone invited,
        # answered (Up), in the app (StasisStart sent), on the PBX's timeline
        leg_times: dict[str, dict[str, float]] = {}

        def watch(x: h.Happening) -> None:  # counsellor phones' live legs
            if isinstance(x, h.ChannelHappening):
                endpoint = (x.channel.endpoint or "").removeprefix("PJSIP/")
                if endpoint in actors.counsellor_of:
                    step = {
                        h.ChannelCreated: "created",
                        h.PhoneInvited: "invited",
                        h.StasisStarted: "stasis",
                    }.get(type(x))
                    if step is None and isinstance(x, h.ChannelStateChanged):
                        step = "up" if x.channel.state == "Up" else None
                    if step is not None:
                        leg_times.setdefault(x.channel.id, {}).setdefault(step, x.at)
            if isinstance(x, h.ChannelEnteredBridge) and len(x.bridge.channels) >= 2:
                for cid in x.bridge.channels:  # caller and counsellor bridged
                    if cid in leg_times:
                        leg_times[cid].setdefault("bridged", x.at)
            if isinstance(x, h.ChannelCreated | h.ChannelHungUp):
                endpoint = (x.channel.endpoint or "").removeprefix("PJSIP/")
                if endpoint in actors.counsellor_of:
                    legs = live_legs.setdefault(endpoint, set())
                    if isinstance(x, h.ChannelCreated):
                        legs.add(x.channel.id)
                        if len(legs) > 1:
                            overlaps.append(endpoint)
                    else:
                        legs.discard(x.channel.id)

        sim.pbx.subscribe(watch)
        await service.start(within=60)
        assert service.proc is not None
        pid = service.proc.pid
        planned = len(actors.plans)
        print(
            f"live: {planned} callers planned over {duration:.0f} s of timeline at speed "
            f"{args.speed:g} (~{duration / args.speed / 60:.1f} min of wall time)",
            flush=True,
        )

        async def progress() -> None:
            while True:
                await asyncio.sleep(60)
                done = sum(1 for o in actors.outcomes if o.ended_at is not None)
                print(
                    f"  {time.strftime('%H:%M:%S')} callers done {done}/{planned}, "
                    f"load {os.getloadavg()[0]:.2f}, service CPU {process_cpu_s(pid):.0f} s",
                    flush=True,
                )

        lags: list[float] = []  # this process's (PBX simulator + actors) event-loop lateness

        async def lag_probe() -> None:
            while True:
                t = loop.time()
                await asyncio.sleep(0.1)
                lags.append(loop.time() - t - 0.1)

        ticker = loop.create_task(progress())
        prober = loop.create_task(lag_probe())
        own0 = time.process_time()
        cpu0, wall0, loads = process_cpu_s(pid), time.perf_counter(), [os.getloadavg()[0]]
        try:
            timeout = duration / args.speed + 600
            outcomes = await asyncio.wait_for(actors.run(), timeout=timeout)
            wall = time.perf_counter() - wall0
            loads.append(os.getloadavg()[0])
            await until(
                lambda: not any(live_legs.values()) and not pending,
                within=120,
                what="every counsellor leg gone",
            )

            async def drained() -> bool:
                health = await service.health()
                return bool(health["calls_in_service"] == 0 and health["outbox_backlog"] == 0)

            deadline = loop.time() + 180
            while not await drained():
                if loop.time() > deadline:
                    print("warning: the service still has calls or an outbox backlog", flush=True)
                    break
                await asyncio.sleep(0.5)
            cpu = process_cpu_s(pid) - cpu0
            own = time.process_time() - own0
        finally:
            for task in (ticker, prober):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            service.stop()
    rows, offers = await records_in(db_url)
    return {
        "outcomes": outcomes,
        "rows": rows,
        "offers": offers,
        "overlaps": len(overlaps),
        "leg_times": leg_times,
        "wall_s": wall,
        "service_cpu_s": cpu,
        "sim_cpu_s": own,
        "sim_lag_mean_s": _mean(lags),
        "sim_lag_p99_s": _q(lags, 0.99),
        "load_start": loads[0],
        "load_end": loads[-1],
    }


async def records_in(db_url: str) -> tuple[list[CallRow], list[CallOfferRow]]:
    database = Database.from_url(db_url)
    try:
        async with database.sessions() as session:
            rows = list((await session.execute(select(CallRow))).scalars())
            offers = list((await session.execute(select(CallOfferRow))).scalars())
            return rows, offers
    finally:
        await database.dispose()


# ---------------------------------------------------------------- the same figures


def _secs(t: datetime | None, t0: datetime) -> float | None:
    return None if t is None else (t - t0).total_seconds()


def _figures(calls: Iterable[CallRecord], scenario: Scenario) -> CentreFigures:
    ordered = sorted(calls, key=lambda c: c.arrived)
    rep = scenario.report
    return figures(
        ordered,
        None,
        threshold=rep.service_level_seconds,
        short_abandon=rep.short_abandon_seconds,
        batches=rep.batches,
        busy_seconds=0.0,
        staffed_seconds=0.0,
    )


def live_figures(scenario: Scenario, live: dict[str, Any]) -> dict[str, Any]:
    outcomes: list[CallerOutcome] = live["outcomes"]
    rows: list[CallRow] = live["rows"]
    by_channel = {r.channel_id: r for r in rows}
    warmup = scenario.report.warmup_seconds
    t0 = min(r.arrived_at for r in rows)
    model_def: list[CallRecord] = []  # the model's definitions: arrival = entering the queue
    caller_db: list[CallRecord] = []  # as the caller sees it, from the records
    caller_actors: list[CallRecord] = []  # as the caller sees it, from the actors
    not_queued: Counter[str] = Counter()
    other: Counter[str] = Counter()
    missing = home_differs = mismatched = 0
    for o in outcomes:
        if not o.channel_id or o.plan.at < warmup:
            continue
        home = o.plan.centre
        caller_actors.append(
            CallRecord(
                call_id=o.channel_id,
                home=home,
                arrived=o.arrived_at,
                answered=o.answered_at,
                abandoned=o.ended_at if o.abandoned else None,
            )
        )
        row = by_channel.get(o.channel_id)
        if row is None:
            missing += 1
            continue
        if row.home_centre != home:
            home_differs += 1
        if (row.outcome == "answered") != (o.answered_at is not None):
            mismatched += 1
        abandoned_any = row.outcome in ABANDONED or row.outcome == "abandoned_ivr"
        caller_db.append(
            CallRecord(
                call_id=row.call_id,
                home=home,
                arrived=_secs(row.arrived_at, t0) or 0.0,
                answered=_secs(row.answered_at, t0),
                abandoned=_secs(row.ended_at, t0) if abandoned_any else None,
            )
        )
        if row.queued_at is None:
            not_queued[str(row.outcome)] += 1
            continue
        if row.outcome not in ABANDONED and row.outcome != "answered":
            other[str(row.outcome)] += 1
        model_def.append(
            CallRecord(
                call_id=row.call_id,
                home=home,
                arrived=_secs(row.queued_at, t0) or 0.0,
                answered=_secs(row.answered_at, t0),
                abandoned=_secs(row.ended_at, t0) if row.outcome in ABANDONED else None,
                callback=_secs(row.callback_requested_at, t0),
            )
        )
    ivr = [(r.queued_at - r.arrived_at).total_seconds() for r in rows if r.queued_at is not None]
    offers: list[CallOfferRow] = live["offers"]
    offer_outcomes = Counter(str(x.outcome) for x in offers)
    cycle = counsellor_cycle(rows, offers, scenario.routing_policy().wrap_up)
    ring = ring_steps(rows, offers, live["leg_times"])
    return {
        "model_def": _figures(model_def, scenario),
        "caller_db": _figures(caller_db, scenario),
        "caller_actors": _figures(caller_actors, scenario),
        "placed": sum(1 for o in outcomes if o.channel_id),
        "records": len(rows),
        "missing_records": missing,
        "outcome_mismatches": mismatched,
        "home_differs": home_differs,
        "not_queued": dict(not_queued),
        "other_outcomes": dict(other),
        "ivr_mean_s": sum(ivr) / len(ivr) if ivr else math.nan,
        "ivr_p99_s": sorted(ivr)[int(0.99 * (len(ivr) - 1))] if ivr else math.nan,
        "offers": len(offers),
        "offer_outcomes": dict(offer_outcomes),
        "ring_timeout_share": offer_outcomes.get("no_answer", 0) / max(1, len(offers)),
        **cycle,
        "ring_steps": ring,
    }


RING_STEPS = (
    ("routing decided -> the originate reached the PBX", "offered", "created"),
    ("PBX: leg created -> phone invited", "created", "invited"),
    ("phone invited -> answered (the phone's answer delay)", "invited", "up"),
    ("PBX: answered -> StasisStart sent", "up", "stasis"),
    ("StasisStart sent -> the service recorded the answer", "stasis", "answered"),
    ("the service recorded the answer -> caller and counsellor bridged", "answered", "bridged"),
)


def ring_steps(
    rows: list[CallRow], offers: list[CallOfferRow], leg_times: dict[str, dict[str, float]]
) -> dict[str, dict[str, float]]:
    """Where the time from routing's decision to the caller being bridged goes, for answered
    rings: the service's records (decided, answered) with the PBX's own happenings."""
    by_call = {r.call_id: r for r in rows}
    steps: dict[str, list[float]] = {label: [] for label, _, _ in RING_STEPS}
    for o in offers:
        row = by_call.get(o.call_id)
        times = leg_times.get(o.offer_id)
        if o.outcome != "answered" or row is None or row.answered_at is None or not times:
            continue
        at = {
            **times,
            "offered": o.offered_at.timestamp(),
            "answered": row.answered_at.timestamp(),
        }
        for label, a, b in RING_STEPS:
            if a in at and b in at:
                steps[label].append(at[b] - at[a])
    return {
        label: {"mean_s": _mean(xs), "p90_s": _q(xs, 0.9), "n": float(len(xs))}
        for label, xs in steps.items()
    }


def _mean(xs: list[float]) -> float:
    return sum(xs) / len(xs) if xs else math.nan


def _q(xs: list[float], q: float) -> float:
    return sorted(xs)[int(q * (len(xs) - 1))] if xs else math.nan


def counsellor_cycle(
    rows: list[CallRow], offers: list[CallOfferRow], wrap_up: float
) -> dict[str, float]:
    """Where a counsellor's time goes per answered call in the live run, against the model's
    answer delay + talk + wrap-up (+ nothing between the wrap-up's end and the next ring)."""
    by_call = {r.call_id: r for r in rows}
    ring_to_answer = [
        (row.answered_at - o.offered_at).total_seconds()
        for o in offers
        if o.outcome == "answered"
        and (row := by_call.get(o.call_id)) is not None
        and row.answered_at is not None
    ]
    talk = [r.talk_s for r in rows if r.talk_s is not None]
    wrap = [r.wrapup_s for r in rows if r.wrapup_s is not None]
    # a caller waiting unoffered: from entering the queue to the first ring (or hang-up)
    starts = sorted(r.queued_at for r in rows if r.queued_at is not None)
    ends = sorted(
        end
        for r in rows
        if r.queued_at is not None
        and (end := r.first_offered_at or r.ended_at or r.answered_at) is not None
    )
    offered_to: dict[str, list[datetime]] = {}
    for o in offers:
        offered_to.setdefault(o.counsellor, []).append(o.offered_at)
    for times in offered_to.values():
        times.sort()
    gaps: list[float] = []  # wrap-up over, a caller waiting: until this counsellor's next ring
    for r in rows:
        if r.answered_by is None or r.ended_at is None:
            continue
        # the record's end of wrap-up, else the end of the call + the policy's wrap-up
        w = r.wrapup_ended_at or r.ended_at + timedelta(seconds=wrap_up)
        if bisect.bisect_right(starts, w) - bisect.bisect_right(ends, w) <= 0:
            continue
        times = offered_to.get(r.answered_by, [])
        # Routing's own wrap-up timer and the record's are two timers for the same instant;
        # routing's fires first, so the next ring may be recorded a hair before ``w``. Nobody
        # rings a counsellor in wrap-up, so a ring within 50 ms before ``w`` is that next ring.
        i = bisect.bisect_left(times, w - timedelta(seconds=0.05))
        if i < len(times):
            gaps.append((times[i] - w).total_seconds())
    return {
        "ring_to_answer_mean_s": _mean(ring_to_answer),
        "talk_mean_s": _mean([float(x) for x in talk]),
        "wrap_up_mean_s": _mean([float(x) for x in wrap]),
        "free_to_next_ring_mean_s": _mean(gaps),
        "free_to_next_ring_p50_s": _q(gaps, 0.5),
        "free_to_next_ring_p90_s": _q(gaps, 0.9),
        "free_to_next_ring_within_50ms": sum(1 for g in gaps if abs(g) <= 0.05) / max(1, len(gaps)),
        "free_to_next_ring_n": float(len(gaps)),
    }


# ---------------------------------------------------------------- printing


def _pct(x: float) -> str:
    return f"{100 * x:5.1f}%"


def _ci(i: Interval) -> str:
    return f"[{100 * i.low:5.1f}, {100 * i.high:5.1f}] width {100 * i.width():.1f} pts"


def overlap(a: Interval, b: Interval) -> bool:
    return max(a.low, b.low) <= min(a.high, b.high)


def compare(
    name: str, model: CentreFigures, live: CentreFigures, first: str = "model"
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for label, attr in (("service level", "service_level"), ("abandoned share", "abandoned_share")):
        m, lv = getattr(model, attr), getattr(live, attr)
        mi, li = getattr(model, f"{attr}_ci95"), getattr(live, f"{attr}_ci95")
        ok = overlap(mi, li)
        # stricter: the difference within the combined half-widths (root of sum of squares)
        combined = math.hypot(mi.width() / 2, li.width() / 2)
        within = abs(m - lv) <= combined
        print(f"  {label:<16} {first:<5} {_pct(m)} {_ci(mi)}")
        print(f"  {'':<16} {name:<5} {_pct(lv)} {_ci(li)}")
        print(
            f"  {'':<16} difference {100 * (lv - m):+.1f} pts; intervals overlap: "
            f"{'yes' if ok else 'NO'}; difference within combined 95% half-width "
            f"({100 * combined:.1f} pts): {'yes' if within else 'NO'}"
        )
        out[attr] = {
            "model": round(m, 5),
            "model_ci95": [round(mi.low, 5), round(mi.high, 5)],
            "model_width_pts": round(100 * mi.width(), 2),
            "live": round(lv, 5),
            "live_ci95": [round(li.low, 5), round(li.high, 5)],
            "live_width_pts": round(100 * li.width(), 2),
            "overlap": ok,
            "diff_within_combined": within,
        }
    return out


async def main(args: argparse.Namespace) -> dict[str, Any]:
    scenario = load_scenario(args.scenario)
    days = args.minutes * 60.0 / 86_400.0
    t = time.perf_counter()
    model = simulate(scenario, args.seed, days=days)
    model_s = time.perf_counter() - t
    print(
        f"model: {model.total.offered} calls counted, simulated in {model_s:.1f} s; "
        f"rejected engine events {model.extra['rejected_events']}",
        flush=True,
    )
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        if args.sqlite:
            live = await live_run(scenario, args, f"sqlite+aiosqlite:///{tmp / 'cc.db'}", tmp)
        else:
            name = f"cc_mvl_{uuid.uuid4().hex[:10]}"
            admin = await asyncpg.connect(args.pg)
            await admin.execute(f'CREATE DATABASE "{name}"')
            host = args.pg.split("://", 1)[1].rsplit("/", 1)[0]
            try:
                live = await live_run(scenario, args, f"postgresql+asyncpg://{host}/{name}", tmp)
            finally:
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                await admin.close()
        if args.keep_log:
            shutil.copyfile(tmp / "service.log", args.keep_log)
    lf = live_figures(scenario, live)
    return report(args, scenario, model, model_s, live, lf)


def report(
    args: argparse.Namespace,
    scenario: Scenario,
    model: Any,
    model_s: float,
    live: dict[str, Any],
    lf: dict[str, Any],
) -> dict[str, Any]:
    rep = scenario.report
    md: CentreFigures = lf["model_def"]
    print()
    print(
        f"scenario {scenario.name} ({args.scenario}), seed {args.seed}, {args.minutes:g} min "
        f"of timeline, speed {args.speed:g}, {'SQLite' if args.sqlite else 'PostgreSQL'}; "
        f"service level = answered within {rep.service_level_seconds:g} s, short abandons "
        f"< {rep.short_abandon_seconds:g} s, warm-up {rep.warmup_seconds:g} s, "
        f"{rep.batches} batches"
    )
    print(
        f"live: {lf['placed']} callers placed, {lf['records']} records, "
        f"{lf['missing_records']} missing, {lf['outcome_mismatches']} records whose outcome "
        f"differs from what the caller saw, {live['overlaps']} phones rung twice at once"
    )
    print(
        f"live: {live['wall_s']:.0f} s of wall time, load average {live['load_start']:.2f} "
        f"-> {live['load_end']:.2f}, service CPU {live['service_cpu_s']:.0f} s "
        f"({1000 * live['service_cpu_s'] / max(1, lf['placed']):.1f} ms per call); PBX "
        f"simulator + actors (this process) CPU {live['sim_cpu_s']:.0f} s, its event loop late "
        f"by {1000 * live['sim_lag_mean_s']:.1f} ms on average (p99 "
        f"{1000 * live['sim_lag_p99_s']:.1f} ms)"
    )
    print(
        f"live: never reached the queue (IVR) {lf['not_queued']}; IVR time mean "
        f"{lf['ivr_mean_s']:.2f} s, p99 {lf['ivr_p99_s']:.2f} s (timeline); other outcomes "
        f"among queued calls {lf['other_outcomes']}"
    )
    print(
        f"rings: {lf['offers']} offers {lf['offer_outcomes']}; ring time-outs "
        f"{100 * lf['ring_timeout_share']:.2f}% of rings (the model: "
        f"{100 * scenario.pbx.phones.no_answer:.2f}%, phones that never answer)"
    )
    answer = scenario.pbx.phones.answer_delay.expected()
    talk = scenario.callers.talk_time.expected()
    wrap = scenario.routing_policy().wrap_up
    print(
        f"a counsellor's cycle per call, live (model): ring to answer "
        f"{lf['ring_to_answer_mean_s']:.2f} s ({answer:.2f}), talk {lf['talk_mean_s']:.2f} s "
        f"({talk:.2f}), wrap-up {lf['wrap_up_mean_s']:.2f} s ({wrap:.2f}), from the end of "
        f"wrap-up with a caller waiting to the next ring {lf['free_to_next_ring_mean_s']:.2f} s "
        f"(p50 {lf['free_to_next_ring_p50_s']:.2f}, p90 {lf['free_to_next_ring_p90_s']:.2f}, "
        f"n {lf['free_to_next_ring_n']:.0f}, within 50 ms "
        f"{100 * lf['free_to_next_ring_within_50ms']:.0f}%)"
    )
    for label, step in lf["ring_steps"].items():
        print(
            f"  {label:<66} mean {1000 * step['mean_s']:7.1f} ms, p90 "
            f"{1000 * step['p90_s']:7.1f} ms (n {step['n']:.0f})"
        )
    print()
    print(
        f"counted calls: model {model.total.offered} (short abandons "
        f"{model.total.short_abandoned}), live {md.offered} (short abandons "
        f"{md.short_abandoned}); ASA model {model.total.average_speed_of_answer:.2f} s, "
        f"live {md.average_speed_of_answer:.2f} s"
    )
    print("the model's definitions (arrival = entering the queue):")
    result = compare("live", model.total, md)
    print("cross-check, as the caller sees it (from dialling, IVR included): records vs actors")
    cross = compare("recs", lf["caller_actors"], lf["caller_db"], first="actor")
    widths = [
        result[k][w]
        for k in ("service_level", "abandoned_share")
        for w in ("model_width_pts", "live_width_pts")
    ]
    agree = all(result[k]["overlap"] for k in ("service_level", "abandoned_share"))
    narrow = max(widths) <= 3.0
    print()
    print(
        f"verdict: intervals overlap for both figures: {'yes' if agree else 'NO'}; every "
        f"interval at most 3 points wide: {'yes' if narrow else 'NO'} "
        f"(widest {max(widths):.1f} pts)"
    )
    return {
        "benchmark": "model_vs_live",
        "scenario": str(args.scenario),
        "seed": args.seed,
        "minutes": args.minutes,
        "speed": args.speed,
        "database": "sqlite" if args.sqlite else "postgresql",
        "model_calls": model.total.offered,
        "live_calls": md.offered,
        "live_placed": lf["placed"],
        "live_records": lf["records"],
        "missing_records": lf["missing_records"],
        "outcome_mismatches": lf["outcome_mismatches"],
        "not_queued": lf["not_queued"],
        "ivr_mean_s": round(lf["ivr_mean_s"], 3),
        "ring_timeout_share": round(lf["ring_timeout_share"], 5),
        "model_ring_timeout_share": scenario.pbx.phones.no_answer,
        "cycle_live": {
            k: None if math.isnan(lf[k]) else round(lf[k], 3)  # NaN is not JSON
            for k in (
                "ring_to_answer_mean_s",
                "talk_mean_s",
                "wrap_up_mean_s",
                "free_to_next_ring_mean_s",
                "free_to_next_ring_p90_s",
            )
        },
        "asa_model_s": round(model.total.average_speed_of_answer, 3),
        "asa_live_s": round(md.average_speed_of_answer, 3),
        **result,
        "cross_check": cross,
        "agree": agree,
        "widths_at_most_3_pts": narrow,
        "wall_s": round(live["wall_s"], 1),
        "service_cpu_ms_per_call": round(1000 * live["service_cpu_s"] / max(1, lf["placed"]), 2),
        "load_start": live["load_start"],
        "load_end": live["load_end"],
    }


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "model-vs-live.toml"))
    parser.add_argument("--minutes", type=float, default=10.0, help="timeline length")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--speed", type=float, default=1.0, help="simulated s per real s")
    parser.add_argument("--pg", default="postgresql://127.0.0.1:5432/test")
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    parser.add_argument("--keep-log", default="", help="copy the service log here")
    return parser.parse_args(argv)


if __name__ == "__main__":
    arguments = parse()
    print(json.dumps(asyncio.run(main(arguments)), sort_keys=True))
