"""Benchmark of the ARI client: events per second it consumes, REST round trips per second.

    .venv/bin/python benchmarks/bench_ari.py [--target both|pbxsim|local] [--calls 1500]
        [--events 100000] [--requests 4000] [--concurrency 32] [--max-connections 100]

Two targets, each served from a child process on loopback so that the client's CPU is measured
apart from the server's:

- ``pbxsim``: the project's PBX simulator (``pbxsim.server.Simulator`` on the lab
  configuration). Events: the child places ``--calls`` inbound calls to 1800 (each enters
  ``Stasis(hotline)``) and hangs them up, as fast as the model goes; the client, subscribed with
  subscribeAll, counts every event until the stream is quiet. REST: ``GET /asterisk/ping`` and
  ``GET /channels`` alternately.
- ``local``: a minimal server defined here, the client's ceiling: a ``websockets`` server that
  sends the recorded Asterisk frames of tests/fixtures/asterisk as fast as it can, and a raw ASGI
  app under uvicorn answering ``GET /ari/channels/{id}`` (recorded body) and ``POST .../answer``.

Besides wall-clock rates, the client's own CPU time per event and per round trip is reported: it
is much less sensitive to the machine's load. Prints figures and ratios and, last, one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from itertools import cycle, islice
from pathlib import Path
from typing import Any

import uvicorn
from websockets.asyncio.server import ServerConnection, serve

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ari import AriClient, AriConfig, AriEvent, EventStream, parse_event  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "asterisk"
LAB_ETC = FIXTURES / "lab-etc"
QUIET = 1.0  # seconds without an event that end the pbxsim event count


def recorded_frames() -> list[str]:
    """Every recorded frame except ApplicationReplaced (which ends a stream by design)."""
    frames: list[str] = []
    for path in sorted(FIXTURES.glob("recordings*/ari-*.ws.raw")):
        frames += [
            line
            for line in path.read_text("utf-8").split("\n")
            if line.strip() and '"ApplicationReplaced"' not in line
        ]
    return frames


def recorded_channel() -> bytes:
    for path in sorted(FIXTURES.glob("recordings*/ari-*.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            record = json.loads(line)
            if (
                record["kind"] == "rest_response"
                and record["method"] == "GET"
                and record["status"] == 200
                and record["path"].startswith("/ari/channels/")
            ):
                return json.dumps(record["body"]).encode()
    raise SystemExit("no recorded GET /channels/{id} answer")


def bench_parse(frames: list[str], count: int) -> float:
    batch = list(islice(cycle(frames), count))
    start = time.perf_counter()
    for frame in batch:
        parse_event(frame)
    return count / (time.perf_counter() - start)


async def serve_events(count: int) -> None:
    """Child process: send ``count`` recorded frames to the first client, then wait."""
    batch = list(islice(cycle(recorded_frames()), count))

    async def handler(conn: ServerConnection) -> None:
        for frame in batch:
            await conn.send(frame)
        await conn.wait_closed()

    async with serve(handler, "127.0.0.1", 0, compression=None) as server:
        print(server.sockets[0].getsockname()[1], flush=True)
        await asyncio.Event().wait()


async def serve_rest() -> None:
    """Child process: the REST side under uvicorn."""
    server = uvicorn.Server(
        uvicorn.Config(
            asgi_app(recorded_channel()),
            host="127.0.0.1",
            port=0,
            log_level="warning",
            lifespan="off",
        )
    )
    serving = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 (uvicorn offers no event for this)
        await asyncio.sleep(0.01)
    print(server.servers[0].sockets[0].getsockname()[1], flush=True)
    await serving


async def serve_pbxsim(calls: int) -> None:
    """Child process: the simulator; on "go" from stdin, place ``calls`` calls and hang them up."""
    from pbxsim.server import Simulator

    async with Simulator(LAB_ETC, ami_port=None, speed=100.0) as sim:
        print(sim.ari_port, flush=True)
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        while await reader.readline():
            ids = []
            for i in range(calls):
                ids.append(sim.pbx.originate_inbound("1800", f"09{i:08d}").id)
                if i % 20 == 0:
                    await asyncio.sleep(0)
            await asyncio.sleep(0.5)  # Answer() and Stasis at speed 100
            for channel_id in ids:
                with contextlib.suppress(Exception):
                    sim.pbx.hangup(channel_id)
                await asyncio.sleep(0)


async def child(*args: str) -> tuple[asyncio.subprocess.Process, int]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        *args,
        stdout=asyncio.subprocess.PIPE,
        stdin=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None
    line = await proc.stdout.readline()
    return proc, int(line)


async def stop(proc: asyncio.subprocess.Process) -> None:
    proc.terminate()
    await proc.wait()


async def bench_pbxsim_events(calls: int) -> dict[str, float]:
    proc, port = await child("--serve-pbxsim", str(calls))
    try:
        config = AriConfig(
            url=f"http://127.0.0.1:{port}", username="lab", password="lab", app="hotline"
        )
        received = 0
        first = last = cpu0 = 0.0
        async with EventStream(config) as stream:
            await stream.wait_connected()
            assert proc.stdin is not None
            proc.stdin.write(b"go\n")
            await proc.stdin.drain()
            while True:
                try:
                    async with asyncio.timeout(QUIET if received else 30.0):
                        item = await anext(stream)
                except TimeoutError:
                    break
                if isinstance(item, AriEvent):
                    if not received:
                        first, cpu0 = time.perf_counter(), time.process_time()
                    received += 1
                    last = time.perf_counter()
            cpu = time.process_time() - cpu0
            stats = stream.stats
        if received < 2:
            raise SystemExit(f"pbxsim sent {received} events")
        return {
            "per_s": (received - 1) / (last - first),
            "cpu_us": cpu / received * 1e6,
            "events": received,
            "malformed": stats.malformed,
            "fallback": stats.fallback,
            "unknown_types": len(stats.unknown_types),
        }
    finally:
        await stop(proc)


async def bench_stream(count: int) -> dict[str, float]:
    proc, port = await child("--serve-events", str(count))
    try:
        config = AriConfig(
            url=f"http://127.0.0.1:{port}",
            username="b",
            password="b",
            app="hotline",
            repair_stale_subscriptions=False,
        )
        received = 0
        async with EventStream(config) as stream:
            start = cpu0 = 0.0
            async for item in stream:
                if not isinstance(item, AriEvent):
                    start, cpu0 = time.perf_counter(), time.process_time()
                    continue
                received += 1
                if received == count:
                    break
            elapsed = time.perf_counter() - start
            cpu = time.process_time() - cpu0
            if received != count:
                raise SystemExit(f"stream ended after {received} of {count} events")
            return {
                "per_s": count / elapsed,
                "cpu_us": cpu / count * 1e6,
                "malformed": stream.stats.malformed,
                "fallback": stream.stats.fallback,
            }
    finally:
        await stop(proc)


def asgi_app(channel_body: bytes) -> Callable[..., Awaitable[None]]:
    async def app(
        scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Awaitable[None]]
    ) -> None:
        if scope["type"] != "http":
            return
        if scope["method"] == "GET":
            status, body = 200, channel_body
        else:
            status, body = 204, b""
        headers = [(b"content-type", b"application/json")] if body else []
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


async def bench_rest(
    target: str, requests: int, concurrency: int, max_connections: int
) -> dict[str, float]:
    if target == "pbxsim":
        proc, port = await child("--serve-pbxsim", "0")
    else:
        proc, port = await child("--serve-rest")
    config = AriConfig(
        url=f"http://127.0.0.1:{port}",
        username="lab",
        password="lab",
        app="hotline",
        max_connections=max_connections,
    )
    latencies: list[float] = []

    async def one(ari: AriClient, i: int) -> None:
        if target == "pbxsim":
            if i % 2:
                await ari.channels.list()
            else:
                await ari.asterisk.ping()
        elif i % 2:
            await ari.channels.answer("1795383772.4938")
        else:
            await ari.channels.get("1795383772.4938")

    try:
        async with AriClient(config) as ari:
            await one(ari, 0)  # warm the connection
            sequential = requests // 4
            start, cpu0 = time.perf_counter(), time.process_time()
            for i in range(sequential):
                t0 = time.perf_counter()
                await one(ari, i)
                latencies.append(time.perf_counter() - t0)
            seq_rate = sequential / (time.perf_counter() - start)
            seq_cpu = (time.process_time() - cpu0) / sequential * 1e6
            queue = iter(range(requests))

            async def worker() -> None:
                for i in queue:
                    await one(ari, i)

            start, cpu0 = time.perf_counter(), time.process_time()
            async with asyncio.TaskGroup() as group:
                for _ in range(concurrency):
                    group.create_task(worker())
            conc_rate = requests / (time.perf_counter() - start)
            conc_cpu = (time.process_time() - cpu0) / requests * 1e6
    finally:
        await stop(proc)
    latencies.sort()
    return {
        "sequential_per_s": seq_rate,
        "concurrent_per_s": conc_rate,
        "cpu_us": seq_cpu,
        "concurrent_cpu_us": conc_cpu,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000,
    }


def rest_lines(name: str, rest: dict[str, float], concurrency: int) -> None:
    print(
        f"  REST sequential round trips:   {rest['sequential_per_s']:10,.0f} /s "
        f"(p50 {rest['p50_ms']:.2f} ms, p99 {rest['p99_ms']:.2f} ms, "
        f"{rest['cpu_us']:.0f} us client CPU each)"
    )
    print(
        f"  REST {concurrency} concurrent:            {rest['concurrent_per_s']:10,.0f} /s "
        f"({rest['concurrent_cpu_us']:.0f} us client CPU each)"
    )
    print(
        "  ratio concurrent / sequential: "
        f"{rest['concurrent_per_s'] / rest['sequential_per_s']:10.2f}"
    )


def rest_json(prefix: str, rest: dict[str, float]) -> dict[str, float]:
    return {
        f"{prefix}rest_round_trips_per_s_sequential": round(rest["sequential_per_s"]),
        f"{prefix}rest_round_trips_per_s_concurrent": round(rest["concurrent_per_s"]),
        f"{prefix}client_cpu_us_per_round_trip": round(rest["cpu_us"]),
        f"{prefix}client_cpu_us_per_concurrent_round_trip": round(rest["concurrent_cpu_us"]),
        f"{prefix}rest_p50_ms": round(rest["p50_ms"], 3),
        f"{prefix}rest_p99_ms": round(rest["p99_ms"], 3),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--target", choices=("both", "pbxsim", "local"), default="both")
    parser.add_argument("--calls", type=int, default=1500, help="pbxsim: calls to place")
    parser.add_argument("--events", type=int, default=100_000, help="local: frames to send")
    parser.add_argument("--requests", type=int, default=4_000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument(
        "--max-connections",
        type=int,
        default=AriConfig.model_fields["max_connections"].default,
        help="AriConfig.max_connections (REST pool size)",
    )
    parser.add_argument("--serve-events", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--serve-rest", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--serve-pbxsim", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_events:
        await serve_events(args.serve_events)
        return
    if args.serve_rest:
        await serve_rest()
        return
    if args.serve_pbxsim is not None:
        await serve_pbxsim(args.serve_pbxsim)
        return

    load = os.getloadavg()[0]
    print(
        f"machine: {os.cpu_count()} CPUs, load average {load:.2f} (wall rates are noisy "
        "under load; CPU per operation much less)"
    )
    result: dict[str, object] = {"benchmark": "ari", "target": args.target}
    if args.target in ("both", "pbxsim"):
        print(f"pbxsim (lab-etc, {args.calls} calls to 1800 into Stasis, then hung up):")
        events = await bench_pbxsim_events(args.calls)
        print(
            f"  events consumed:               {events['per_s']:10,.0f} events/s "
            f"({events['events']:.0f} events, {events['cpu_us']:.1f} us client CPU/event, "
            f"malformed {events['malformed']:.0f}, fallback {events['fallback']:.0f})"
        )
        rest = await bench_rest("pbxsim", args.requests, args.concurrency, args.max_connections)
        rest_lines("pbxsim", rest, args.concurrency)
        result |= {
            "events_per_s": round(events["per_s"]),
            "events": events["events"],
            "client_cpu_us_per_event": round(events["cpu_us"], 1),
            "fallback_events": events["fallback"],
            "malformed": events["malformed"],
            **rest_json("", rest),
        }
    if args.target in ("both", "local"):
        frames = recorded_frames()
        print(f"local minimal server ({len(frames)} recorded frames cycled to {args.events}):")
        parse_rate = bench_parse(frames, args.events)
        print(
            f"  parse only (no socket):        {parse_rate:10,.0f} events/s "
            f"({1e6 / parse_rate:.1f} us CPU/event)"
        )
        stream = await bench_stream(args.events)
        print(
            f"  WebSocket -> typed events:     {stream['per_s']:10,.0f} events/s "
            f"({stream['cpu_us']:.1f} us client CPU/event)"
        )
        print(f"  ratio stream / parse-only:     {stream['per_s'] / parse_rate:10.2f}")
        rest = await bench_rest("local", args.requests, args.concurrency, args.max_connections)
        rest_lines("local", rest, args.concurrency)
        result |= {
            "local_events_per_s": round(stream["per_s"]),
            "local_client_cpu_us_per_event": round(stream["cpu_us"], 1),
            "local_parse_events_per_s": round(parse_rate),
            **rest_json("local_", rest),
        }
    result |= {
        "rest_concurrency": args.concurrency,
        "rest_max_connections": args.max_connections,
        "cpus": os.cpu_count(),
        "load_average": round(load, 2),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main())
