"""Benchmark of the simulator's AMI server: events per second it renders and writes.

    .venv/bin/python benchmarks/bench_pbxsim_ami.py [--calls 300] [--sessions 3] [--speed 50]

The simulator (lab configuration, no ARI client, so every call to 1801 goes through app_queue)
runs in this process with ``--sessions`` AMI clients logged in (``Events: on``) reading in
child processes, so their CPU is not counted here. Callers and phones are the actors of
``pbxsim.actors`` (one scenario, seed 1): every call is answered after 0.5 s and lasts 2 s.
Reports AMI events received per second (all sessions; bounded by the call arrival rate at this
speed), events per call, the CPU time per call of this process (model, actors and AMI together)
and, apart, how many AMI events per second ``render`` + ``encode`` turn out of the captured
happenings. Prints figures and, last, one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import socket
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from callcenter.scenario import parse_scenario  # noqa: E402
from pbxsim.actors import Actors  # noqa: E402
from pbxsim.ami import start_ami  # noqa: E402
from pbxsim.ami.protocol import encode  # noqa: E402
from pbxsim.ami.render import render  # noqa: E402
from pbxsim.model.clock import Clock  # noqa: E402
from pbxsim.model.config import load_config  # noqa: E402
from pbxsim.model.happenings import Happening  # noqa: E402
from pbxsim.model.pbx import Pbx  # noqa: E402

LAB = ROOT / "tests" / "fixtures" / "asterisk" / "lab-etc"


def reader(port: int, ready: multiprocessing.Queue, done: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    """A plain AMI client: log in, count events until the socket goes quiet for 2 s."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(b"Action: Login\r\nUsername: lab\r\nSecret: lab\r\nEvents: on\r\n\r\n")
    ready.put(True)
    sock.settimeout(2.0)
    count = 0
    tail = b""
    try:
        while True:
            data = sock.recv(1 << 16)
            if not data:
                break
            tail += data
            count += tail.count(b"\r\n\r\n")
            tail = tail[tail.rfind(b"\r\n\r\n") + 4 :] if b"\r\n\r\n" in tail else tail
    except TimeoutError:
        pass
    done.put(count)


async def main(calls: int, sessions: int, speed: float) -> dict[str, float]:
    pbx = Pbx(load_config(LAB), Clock(speed=speed))
    ami = await start_ami(pbx, config_dir=LAB, auth_failure_delay=0.0)
    ready: multiprocessing.Queue[bool] = multiprocessing.Queue()
    done: multiprocessing.Queue[int] = multiprocessing.Queue()
    procs = [
        multiprocessing.Process(target=reader, args=(ami.port, ready, done))
        for _ in range(sessions)
    ]
    for proc in procs:
        proc.start()
    for _ in procs:
        await asyncio.to_thread(ready.get)
    await asyncio.sleep(0.2)
    scenario = parse_scenario(
        {
            "format": 1,
            "name": "ami bench",
            "centres": {
                "HN": {
                    "arrivals": {"per_hour": 1800.0},
                    "counsellors": [
                        {"id": "hn-01", "languages": ["vi"], "gender": "female"},
                        {"id": "hn-02", "languages": ["vi"], "gender": "male"},
                    ],
                }
            },
            "callers": {"talk_time": {"kind": "fixed", "value": 2.0}},
            "pbx": {"phones": {"answer_delay": {"kind": "fixed", "value": 0.5}}},
        }
    )
    captured: list[Happening] = []
    pbx.subscribe(captured.append)
    actors = Actors(pbx, scenario, 1, hotline="1801", duration=86_400, max_calls=calls)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    outcomes = await actors.run()
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    await ami.stop()
    received = [await asyncio.to_thread(done.get) for _ in procs]
    for proc in procs:
        proc.join()
    await pbx.close()
    events = sum(received)
    t0 = time.perf_counter()
    rendered = 0
    for _ in range(3):
        for happening in captured:
            for _cls, headers in render(happening):
                encode(headers)
                rendered += 1
    render_s = time.perf_counter() - t0
    return {
        "calls": calls,
        "answered": sum(1 for o in outcomes if o.answered_at is not None),
        "sessions": sessions,
        "happenings": len(captured),
        "ami_events_received": events,
        "ami_events_per_call_per_session": events / max(1, calls * sessions),
        "ami_events_per_s": events / wall,
        "wall_s": wall,
        "cpu_ms_per_call": 1000 * cpu / max(1, calls),
        "render_encode_events_per_s": rendered / render_s,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--sessions", type=int, default=3)
    parser.add_argument("--speed", type=float, default=50.0)
    args = parser.parse_args()
    figures = asyncio.run(main(args.calls, args.sessions, args.speed))
    for key, value in figures.items():
        print(f"{key:>32}: {value:,.2f}")
    print(json.dumps({"benchmark": "pbxsim_ami", **figures}))
