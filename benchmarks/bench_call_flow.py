"""Benchmark of the whole call flow (issue 4): backend CPU milliseconds per whole call, and
p50/p99 from StasisStart to the counsellor's originate request, at 20 call arrivals per second.

    .venv/bin/python benchmarks/bench_call_flow.py [--rate 20] [--duration 30] [--talk 2]
        [--per-centre 30] [--pg postgresql://127.0.0.1:5432/test | --sqlite]

Two processes:

* the service alone: ``python -m callcenter serve`` (HotlineService under its HTTP API, exactly
  as in production, configured through the environment: ``tests/e2e/process.py``), on
  PostgreSQL (a throw-away database created on the ``--pg`` server and dropped after) or SQLite;
* this process: the PBX simulator running the product's ``asterisk-conf/`` grown to
  ``--per-centre`` phones per centre (all registered, answering after ``--answer-after`` s), and
  the callers: Poisson arrivals at ``--rate`` per second for ``--duration`` seconds through the
  carrier trunk to 111; each caller presses 1 (Vietnamese) and 0 (national pool) the moment the
  service answers, talks ``--talk`` s once bridged with a counsellor, and hangs up.

CPU: the service process's user + system time (``/proc/<pid>/stat``) from just before the first
arrival until every call has ended and every record is written (outbox empty), divided by the
calls placed. Everything the backend does for a call is in it: ARI events in, REST requests out,
IVR, routing, the AMI events of the phones, the call record (outbox + drain into the database,
but not the database server's own CPU), the HTTP API idling. The idle cost (measured for
``--idle`` s before) is printed too.

Latency, measured on the simulator side with ``time.perf_counter`` in this process: from the
moment the simulator puts the caller's channel into Stasis (``StasisStarted`` happening, i.e. the
StasisStart event is produced) until the simulator handles the service's ``POST /channels``
for the first counsellor leg of that call (the ``HOTLINE_CALL`` variable the originate sets on
the new leg). It includes: StasisStart over the WebSocket; the service answering the channel
(REST); the simulator's answer; the caller's two DTMF digits (sent at once on the answer, so no
human key time) as two WebSocket events; the IVR, routing and the originate request over HTTP.
It does not include the dialplan before Stasis, ringing, or any waiting for a free counsellor
(there are enough: a caller who had to wait shows up as a long latency, and the figures count
them). Both ends share one machine, and the simulator's own event loop (this process) adds its
queueing delay to every hop.

Prints figures and ratios and, LAST, one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from pydantic import SecretStr

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from callcenter.flow.config import CounsellorEntry, FlowConfig  # noqa: E402
from callcenter.flow.ivr import IvrConfig  # noqa: E402
from callcenter.settings import (  # noqa: E402
    AmiSettings,
    AriSettings,
    DatabaseSettings,
    RoutingSettings,
    ServiceSettings,
    Settings,
)
from pbxsim.conf import load_config  # noqa: E402
from pbxsim.model import happenings as h  # noqa: E402
from pbxsim.model.errors import PbxError  # noqa: E402
from pbxsim.model.objects import PhoneBehaviour  # noqa: E402
from pbxsim.server import Simulator  # noqa: E402
from routing.model import Gender  # noqa: E402
from tests.e2e.harness import rows_in  # noqa: E402
from tests.e2e.process import ServiceProcess  # noqa: E402
from tests.e2e.product import product_conf_with_phones  # noqa: E402

CALL_VAR = "HOTLINE_CALL"  # set by the service on every counsellor leg it originates
CENTRES = ("hn", "dn", "ag")
TICK = os.sysconf("SC_CLK_TCK")


def process_cpu_s(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` (Linux /proc)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime (fields 14, 15)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def fallback_reasons_in(log: Path, keep: str | None) -> Counter[str]:
    """Why the service sent calls to the fallback queue (its log at level warning)."""
    text = log.read_text(errors="replace")
    if keep:
        Path(keep).write_text(text)
    return Counter(m.group(1) for m in re.finditer(r"goes to the fallback queue: (\w+)", text))


@dataclass
class Caller:
    channel_id: str
    answered: asyncio.Event = field(default_factory=asyncio.Event)
    bridged: asyncio.Event = field(default_factory=asyncio.Event)
    ended: asyncio.Event = field(default_factory=asyncio.Event)
    stasis_at: float | None = None
    offered_at: float | None = None
    was_bridged: bool = False  # with a counsellor, by the service (a Stasis bridge)
    fallback_bridged: bool = False  # with a counsellor by the dialplan's fallback queue


class Watcher:
    """The simulator's happenings -> per-caller timestamps and events (synchronous callback)."""

    def __init__(self) -> None:
        self.callers: dict[str, Caller] = {}

    def __call__(self, x: h.Happening) -> None:
        if isinstance(x, h.StasisStarted):
            caller = self.callers.get(x.channel.id)
            if caller is not None and caller.stasis_at is None:
                caller.stasis_at = time.perf_counter()
        elif isinstance(x, h.VarSet) and x.variable == CALL_VAR:
            caller = self.callers.get(x.value.split("/", 1)[-1])
            if caller is not None and caller.offered_at is None:
                caller.offered_at = time.perf_counter()
        elif isinstance(x, h.ChannelStateChanged) and x.channel.state == "Up":
            caller = self.callers.get(x.channel.id)
            if caller is not None:
                caller.answered.set()
        elif isinstance(x, h.ChannelEnteredBridge) and len(x.bridge.channels) == 2:
            for channel_id in x.bridge.channels:
                caller = self.callers.get(channel_id)
                if caller is not None:
                    if x.bridge.bridge_class == "stasis":
                        caller.was_bridged = True
                    else:  # app_queue's basic bridge: the service had given the call up
                        caller.fallback_bridged = True
                    caller.bridged.set()
        elif isinstance(x, h.ChannelHungUp):
            caller = self.callers.get(x.channel.id)
            if caller is not None:
                caller.ended.set()


def service_settings(
    sim: Simulator, conf_dir: Path, phones: list[str], db_url: str, var_dir: Path, args: Any
) -> Settings:
    conf = load_config(conf_dir)
    (ari_user,) = conf.ari.users.values()
    (ami_user,) = conf.manager.users.values()
    counsellors = [
        CounsellorEntry(
            id=phone,
            centre=phone[:2].upper(),
            endpoint=f"PJSIP/{phone}",
            gender=Gender.FEMALE if n % 2 else Gender.MALE,
        )
        for n, phone in enumerate(phones)
    ]
    return Settings(
        database=DatabaseSettings(url=db_url),
        ari=AriSettings(
            url=sim.ari_base,
            username=ari_user.name,
            password=SecretStr(ari_user.password),
            **({} if args.ari_connections is None else {"max_connections": args.ari_connections}),
        ),
        ami=AmiSettings(
            port=sim.ami_port, username=ami_user.name, secret=SecretStr(ami_user.secret)
        ),
        service=ServiceSettings(node="hn", var_dir=var_dir),
        flow=FlowConfig(
            counsellors=counsellors,
            ring_timeout=10.0,
            max_wait=600.0,
            # every caller takes the whole path: no surge message + fallback when many wait
            queue_cap=args.queue_cap,
            announce_positions=False,
            ivr=IvrConfig(digit_timeout=5.0, attempts=1),
        ),
        routing=RoutingSettings(
            wrap_up=args.wrap_up,
            announce_interval=None,
            overflow_after=5.0,
            callback_offer_wait=1e9,
            expected_talk_time=args.talk,
        ),
    )


class Traffic:
    def __init__(self, sim: Simulator, watcher: Watcher, talk_s: float, patience_s: float) -> None:
        self.sim, self.watcher = sim, watcher
        self.talk_s, self.patience_s = talk_s, patience_s
        self.tasks: set[asyncio.Task[None]] = set()
        self.placed: list[Caller] = []
        self.n = 0

    def place(self) -> None:
        self.n += 1
        channel = self.sim.pbx.originate_inbound("111", f"09{self.n:08d}")
        caller = Caller(channel.id)
        self.watcher.callers[channel.id] = caller
        self.placed.append(caller)
        task = asyncio.get_running_loop().create_task(self._play(caller))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _play(self, caller: Caller) -> None:
        pbx = self.sim.pbx
        with contextlib.suppress(TimeoutError, PbxError):
            async with asyncio.timeout(self.patience_s):
                await caller.answered.wait()
                pbx.send_dtmf(caller.channel_id, "1")  # Vietnamese
                pbx.send_dtmf(caller.channel_id, "0")  # the national pool
                await caller.bridged.wait()
            await asyncio.sleep(self.talk_s)
        if not caller.ended.is_set():
            with contextlib.suppress(PbxError):
                pbx.hangup(caller.channel_id)
        await caller.ended.wait()

    async def run(self, rate: float, duration: float, rng: random.Random) -> None:
        loop = asyncio.get_running_loop()
        start = loop.time()
        at = rng.expovariate(rate)
        while at < duration:
            await asyncio.sleep(max(0.0, start + at - loop.time()))
            self.place()
            at += rng.expovariate(rate)

    async def settle(self) -> None:
        while self.tasks:
            await asyncio.gather(*list(self.tasks))


async def wait_for(check: Any, what: str, within: float = 60.0) -> None:
    deadline = time.monotonic() + within
    while not await check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await asyncio.sleep(0.2)


async def bench(args: argparse.Namespace, db_url: str, tmp: Path) -> dict[str, Any]:
    conf_dir = product_conf_with_phones(tmp, per_centre=args.per_centre)
    phones = [f"{c}-{n:02d}" for c in CENTRES for n in range(1, args.per_centre + 1)]
    async with Simulator(conf_dir) as sim:
        for phone in phones:
            sim.pbx.register_contact(phone, f"sip:{phone}@127.0.0.1:5090", 3600)
            sim.pbx.set_phone(phone, PhoneBehaviour(mode="answer", answer_after=args.answer_after))
        watcher = Watcher()
        sim.pbx.subscribe(watcher)
        settings = service_settings(sim, conf_dir, phones, db_url, tmp / "var", args)
        service = ServiceProcess(settings, tmp / "service.log")
        await service.start(within=60)
        assert service.proc is not None
        pid = service.proc.pid
        try:
            await asyncio.gather(*(service.presence(p, "login") for p in phones))
            async with httpx.AsyncClient(timeout=5) as client:

                async def all_available() -> bool:
                    listed: list[dict[str, Any]] = (
                        await client.get(f"{service.url}/api/counsellors")
                    ).json()
                    return all(c["state"] == "available" for c in listed)

                async def drained() -> bool:
                    health = await service.health()
                    return bool(health["calls_in_service"] == 0 and health["outbox_backlog"] == 0)

                await wait_for(all_available, "every counsellor available")
                # warm-up (not measured): a few calls through every part of the path
                warm = Traffic(sim, watcher, talk_s=0.2, patience_s=30)
                await warm.run(rate=5, duration=2, rng=random.Random(args.seed + 1))
                await warm.settle()
                await wait_for(drained, "warm-up recorded")
                await asyncio.sleep(args.wrap_up + 0.5)

                idle0 = process_cpu_s(pid)
                await asyncio.sleep(args.idle)
                idle_cpu_per_s = (process_cpu_s(pid) - idle0) / args.idle

                traffic = Traffic(sim, watcher, talk_s=args.talk, patience_s=args.patience)
                cpu0, own0, wall0 = process_cpu_s(pid), time.process_time(), time.perf_counter()
                await traffic.run(args.rate, args.duration, random.Random(args.seed))
                arrivals_wall = time.perf_counter() - wall0
                await traffic.settle()
                await wait_for(drained, "every call ended and recorded", within=120)
                cpu1, own1, wall1 = process_cpu_s(pid), time.process_time(), time.perf_counter()
        finally:
            stopping = time.perf_counter()
            service.stop()  # SIGTERM (SIGKILL after 10 s)
            stop_s = time.perf_counter() - stopping
    rows = await rows_in(db_url)
    fallback_reasons = fallback_reasons_in(tmp / "service.log", keep=args.log)
    calls = traffic.placed
    n = len(calls)
    window = wall1 - wall0
    service_cpu = cpu1 - cpu0
    latencies = [
        (c.offered_at - c.stasis_at) * 1000
        for c in calls
        if c.offered_at is not None and c.stasis_at is not None
    ]
    # p99 per 10 s of arrivals: a backlog that grows shows as a rising series
    by_window: dict[int, list[float]] = {}
    for c in calls:
        if c.offered_at is not None and c.stasis_at is not None:
            window_of = int((c.stasis_at - wall0) // 10)
            by_window.setdefault(window_of, []).append((c.offered_at - c.stasis_at) * 1000)
    p99_by_10s = [round(percentile(by_window[k], 0.99), 1) for k in sorted(by_window)]
    measured_ids = {c.channel_id for c in calls}
    records = sum(1 for r in rows if r.channel_id in measured_ids)
    answered = sum(1 for r in rows if r.channel_id in measured_ids and r.outcome == "answered")
    outcome_of = {r.channel_id: r.outcome for r in rows}
    # a record must say "answered" exactly when the caller was bridged with a counsellor
    mismatched = [
        (c.channel_id, outcome_of.get(c.channel_id))
        for c in calls
        if c.was_bridged != (outcome_of.get(c.channel_id) == "answered")
    ]
    outcomes = Counter(str(outcome_of.get(c.channel_id)) for c in calls)
    return {
        "calls": n,
        "arrival_rate": n / arrivals_wall,
        "window_s": window,
        "bridged": sum(1 for c in calls if c.was_bridged),
        "records": records,
        "answered_records": answered,
        "mismatched": mismatched,
        "outcomes": dict(outcomes),
        "not_offered": sum(1 for c in calls if c.offered_at is None),
        "fallback_bridged": sum(1 for c in calls if c.fallback_bridged),
        "stop_s": stop_s,
        "fallback_reasons": dict(fallback_reasons),
        "load": os.getloadavg()[0],
        "service_cpu_s": service_cpu,
        "cpu_ms_per_call": service_cpu * 1000 / n,
        "idle_cpu_ms_per_s": idle_cpu_per_s * 1000,
        "cpu_ms_per_call_net_of_idle": (service_cpu - idle_cpu_per_s * window) * 1000 / n,
        "simulator_cpu_ms_per_call": (own1 - own0) * 1000 / n,
        "latencies": latencies,
        "p99_by_10s": p99_by_10s,
    }


async def main(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        if args.sqlite:
            return await bench(args, f"sqlite+aiosqlite:///{tmp / 'callcenter.db'}", tmp)
        name = f"cc_bench_{uuid.uuid4().hex[:10]}"
        admin = await asyncpg.connect(args.pg)
        await admin.execute(f'CREATE DATABASE "{name}"')
        host = args.pg.split("://", 1)[1].rsplit("/", 1)[0]
        try:
            return await bench(args, f"postgresql+asyncpg://{host}/{name}", tmp)
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()


def report(args: argparse.Namespace, r: dict[str, Any]) -> dict[str, Any]:
    lat: list[float] = r["latencies"]
    n = r["calls"]
    p50, p99 = percentile(lat, 0.50), percentile(lat, 0.99)
    cpu = r["cpu_ms_per_call"]
    core_share = cpu * args.rate / 1000
    database = "SQLite" if args.sqlite else "PostgreSQL"
    print(
        f"{n} calls at {r['arrival_rate']:.1f} arrivals/s (asked {args.rate})"
        f" for {args.duration} s, {database}, {3 * args.per_centre} counsellors, talk {args.talk} s"
    )
    print(
        f"bridged with a counsellor: {r['bridged']}/{n}; records: {r['records']}/{n}"
        f" ({r['answered_records']} answered); machine: {os.cpu_count()} CPUs,"
        f" load average {r['load']:.1f} at the end (other work on it skews every figure)"
    )
    print(f"record outcomes: {r['outcomes']}")
    if r["fallback_reasons"]:
        print(
            f"SENT TO THE FALLBACK QUEUE by the service (reasons from its log):"
            f" {r['fallback_reasons']}; {r['fallback_bridged']} of them answered there"
        )
    if r["mismatched"]:
        print(
            f"RECORDS THAT DISAGREE with what the caller lived (bridged <=> answered):"
            f" {len(r['mismatched'])}, e.g. {r['mismatched'][:5]}"
        )
    print(
        f"service CPU: {r['service_cpu_s']:.2f} s over {r['window_s']:.1f} s"
        f" = {cpu:.2f} ms per whole call ({r['cpu_ms_per_call_net_of_idle']:.2f} ms net of idle;"
        f" idle {r['idle_cpu_ms_per_s']:.1f} ms/s)"
    )
    print(
        f"  = {core_share:.0%} of one core at {args.rate} calls/s;"
        f" one core would carry ~{1000 / cpu:.0f} call arrivals/s"
    )
    print(f"service stopped {r['stop_s']:.1f} s after SIGTERM")
    print(f"simulator + callers (this process): {r['simulator_cpu_ms_per_call']:.2f} ms per call")
    print(
        f"StasisStart -> counsellor originate ({len(lat)} calls;"
        f" {r['not_offered']} callers left before any originate): p50 {p50:.1f} ms,"
        f" p90 {percentile(lat, 0.9):.1f} ms, p99 {p99:.1f} ms, max {max(lat):.1f} ms,"
        f" mean {statistics.fmean(lat):.1f} ms; p99/p50 = {p99 / p50:.1f}"
    )
    print(f"  p99 per 10 s of arrivals (ms): {r['p99_by_10s']}")
    return {
        "bench": "call_flow",
        "database": database.lower(),
        "rate": args.rate,
        "arrival_rate": round(r["arrival_rate"], 2),
        "calls": n,
        "bridged": r["bridged"],
        "records": r["records"],
        "records_disagreeing": len(r["mismatched"]),
        "sent_to_fallback": sum(r["fallback_reasons"].values()),
        "not_offered": r["not_offered"],
        "cpus": os.cpu_count(),
        "load_avg_1m": round(r["load"], 2),
        "cpu_ms_per_call": round(cpu, 3),
        "cpu_ms_per_call_net_of_idle": round(r["cpu_ms_per_call_net_of_idle"], 3),
        "idle_cpu_ms_per_s": round(r["idle_cpu_ms_per_s"], 2),
        "core_share_at_rate": round(core_share, 3),
        "stasis_to_originate_p50_ms": round(p50, 2),
        "stasis_to_originate_p99_ms": round(p99, 2),
        "stasis_to_originate_max_ms": round(max(lat), 2),
        "stasis_to_originate_p99_ms_by_10s": r["p99_by_10s"],
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=20.0, help="call arrivals per second")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of arrivals")
    parser.add_argument("--talk", type=float, default=2.0, help="seconds each call is bridged")
    parser.add_argument("--wrap-up", type=float, default=1.0, help="counsellors' wrap-up, s")
    parser.add_argument("--answer-after", type=float, default=0.1, help="phones answer after, s")
    parser.add_argument("--per-centre", type=int, default=30, help="counsellor phones per centre")
    parser.add_argument("--patience", type=float, default=60.0, help="callers give up after, s")
    parser.add_argument("--idle", type=float, default=3.0, help="seconds of idle CPU measured")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--queue-cap", type=int, default=100_000, help="service's queue_cap (product: 200)"
    )
    parser.add_argument(
        "--ari-connections", type=int, help="service's ari.max_connections (default: settings)"
    )
    parser.add_argument("--log", help="keep the service's log (warnings and errors) here")
    parser.add_argument("--pg", default="postgresql://127.0.0.1:5432/test")
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    arguments = parser.parse_args()
    print(json.dumps(report(arguments, asyncio.run(main(arguments)))))
