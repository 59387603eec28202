"""Benchmark of the AMI adapter: AMI events per second it reads, converts and delivers.

    .venv/bin/python benchmarks/bench_ami.py [--events 200000]

1. parse + convert: the live events of every recorded AMI conversation (tests/fixtures/asterisk)
   through the framer and ``to_event``, in 1500-byte chunks, in this process;
2. end to end: a local TCP server (a child process, so its CPU is not ours) logs the adapter in
   with the recorded answers, then writes the same events as fast as the socket takes them; the
   adapter frames, converts and delivers them to one subscriber.
CPU time of this process per event is reported besides wall-clock rates (less sensitive to load).

Prints figures and ratios and, last, one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import sys
import time
from datetime import UTC, datetime
from itertools import cycle
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from callcenter import ami  # noqa: E402
from callcenter.ami.convert import to_event  # noqa: E402
from callcenter.ami.wire import AmiFramer, AmiMessage  # noqa: E402
from tests.ami.recordings import ami_recording_paths, by_name, load  # noqa: E402

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def live_event_bytes(count: int) -> tuple[bytes, int]:
    events = [  # without Shutdown: the adapter rightly drops the connection on it
        m.raw for p in ami_recording_paths() for m in load(p).live_events() if m.event != "Shutdown"
    ]
    chosen = [e for e, _ in zip(cycle(events), range(count), strict=False)]
    return b"".join(chosen), len(chosen)


def bench_parse(stream: bytes, count: int) -> dict[str, float]:
    framer = AmiFramer(expect_banner=False)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    converted = 0
    for pos in range(0, len(stream), 1500):
        for item in framer.feed(stream[pos : pos + 1500]):
            assert isinstance(item, AmiMessage)
            to_event(item, "bench", T0)
            converted += 1
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    assert converted == count
    return {"events_per_s": count / wall, "cpu_us_per_event": cpu / count * 1e6}


def serve(port_box: multiprocessing.Queue[int], stream: bytes) -> None:  # child process
    login = b"".join(m.raw for m in by_name("ami-actions.raw").messages[:3])  # answer+booted

    async def main() -> None:
        done = asyncio.Event()

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writer.write(b"Asterisk Call Manager/11.0.0\r\n")
            while True:
                try:
                    block = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    break
                fields = dict(
                    line.split(": ", 1) for line in block.decode().split("\r\n") if ": " in line
                )
                aid, name = fields.get("ActionID", ""), fields.get("Action", "")
                if name == "Login":
                    writer.write(login.replace(b"login-1", aid.encode()))
                elif name == "Logoff":
                    writer.write(f"Response: Goodbye\r\nActionID: {aid}\r\n\r\n".encode())
                    break
                else:  # every status list: empty
                    writer.write(
                        f"Response: Success\r\nActionID: {aid}\r\nEventList: start\r\n"
                        f"Message: follows\r\n\r\nEvent: {name}Complete\r\nActionID: {aid}\r\n"
                        "EventList: Complete\r\nListItems: 0\r\n\r\n".encode()
                    )
                    if name == "QueueStatus":  # the last state action: go
                        writer.write(stream)
                await writer.drain()
            writer.close()
            done.set()

        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port_box.put(server.sockets[0].getsockname()[1])
        await done.wait()
        server.close()

    asyncio.run(main())


async def bench_adapter(stream: bytes, count: int) -> dict[str, float]:
    box: multiprocessing.Queue[int] = multiprocessing.Queue()
    child = multiprocessing.Process(target=serve, args=(box, stream), daemon=True)
    child.start()
    port = box.get(timeout=30)
    adapter = ami.AmiAdapter(ami.AmiConfig(username="bench", secret="bench", port=port))
    received = 0
    finished = asyncio.Event()

    def on_event(event: ami.AmiEvent) -> None:
        nonlocal received
        received += 1
        if received == count:
            finished.set()

    adapter.subscribe(ami.AmiEvent, on_event)
    # Counting starts with the events that follow the snapshot; the adapter's own events
    # (snapshot, FullyBooted) are few and included.
    cpu0, wall0 = time.process_time(), time.perf_counter()
    adapter.start()
    await adapter.wait_synchronized(within=30)
    await asyncio.wait_for(finished.wait(), 600)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    await adapter.close()
    child.join(timeout=10)
    assert adapter.stats.malformed == 0
    return {"events_per_s": count / wall, "cpu_us_per_event": cpu / count * 1e6}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=200_000)
    args = parser.parse_args()
    stream, count = live_event_bytes(args.events)
    parse = bench_parse(stream, count)
    adapter = asyncio.run(bench_adapter(stream, count))
    print(f"AMI events: {count} ({len(stream) / count:.0f} bytes each on average)")
    print(
        f"parse+convert : {parse['events_per_s']:>10,.0f} events/s, "
        f"{parse['cpu_us_per_event']:.1f} us CPU/event"
    )
    print(
        f"adapter (TCP) : {adapter['events_per_s']:>10,.0f} events/s, "
        f"{adapter['cpu_us_per_event']:.1f} us CPU/event"
    )
    ratio = adapter["cpu_us_per_event"] / parse["cpu_us_per_event"]
    print(f"ratio adapter/parse CPU per event: {ratio:.2f}")
    print(
        json.dumps(
            {
                "benchmark": "ami",
                "events": count,
                "parse_events_per_s": round(parse["events_per_s"]),
                "parse_cpu_us_per_event": round(parse["cpu_us_per_event"], 2),
                "adapter_events_per_s": round(adapter["events_per_s"]),
                "adapter_cpu_us_per_event": round(adapter["cpu_us_per_event"], 2),
            }
        )
    )


if __name__ == "__main__":
    main()
