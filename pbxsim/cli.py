"""``callcenter pbxsim`` / ``python -m pbxsim``: run the PBX simulator on loopback.

Without ``--scenario`` it serves ARI and AMI until interrupted. With a scenario, synthetic
callers and softphones play it (deterministic under ``--seed``) and the command ends when every
planned caller is done, printing a summary (``--json`` for one JSON line).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pbxsim.conf import ConfError, load_config

if TYPE_CHECKING:
    from pbxsim.actors import CallerOutcome


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        required=True,
        type=Path,
        help="Asterisk configuration directory (asterisk-conf/ or the lab's lab-etc) / "
        "thư mục cấu hình Asterisk",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (loopback)")
    parser.add_argument(
        "--ari-port", type=int, default=None, help="ARI port (default: http.conf bindport)"
    )
    parser.add_argument(
        "--ami-port", type=int, default=None, help="AMI port (default: manager.conf port)"
    )
    parser.add_argument(
        "--speed", type=float, default=1.0, help="simulated seconds per real second (default 1)"
    )
    parser.add_argument("--scenario", type=Path, help="scenario file (TOML) to play / kịch bản")
    parser.add_argument("--seed", type=int, default=1, help="random seed for the scenario")
    parser.add_argument(
        "--duration", type=float, default=3600.0, help="seconds of the scenario to play"
    )
    parser.add_argument("--start", default="00:00", help="time of day the run starts (HH:MM)")
    parser.add_argument("--max-calls", type=int, default=None, help="stop planning after N calls")
    parser.add_argument("--hotline", default="1800", help="number the callers dial (default 1800)")
    parser.add_argument(
        "--trunk", default=None, help="PJSIP endpoint the callers arrive on (default: the trunk)"
    )
    parser.add_argument("--json", action="store_true", help="print the summary as one JSON line")


def _fail(message: str) -> int:
    print(f"pbxsim: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    try:
        conf = load_config(args.config)
    except ConfError as exc:
        return _fail(f"{exc} / cấu hình Asterisk không đọc được")
    if args.speed <= 0:
        return _fail("--speed must be > 0 / --speed phải lớn hơn 0")
    scenario = None
    start_at = 0.0
    if args.scenario is not None:
        from callcenter.scenario import ScenarioError, load_scenario, parse_clock

        try:
            scenario = load_scenario(args.scenario)
            start_at = parse_clock(args.start)
        except (ScenarioError, ValueError) as exc:
            return _fail(str(exc))
    ari_port = args.ari_port if args.ari_port is not None else conf.http.bindport
    ami_port = args.ami_port if args.ami_port is not None else conf.manager.port
    try:
        return asyncio.run(_serve(args, ari_port, ami_port, scenario, start_at))
    except OSError as exc:
        return _fail(f"cannot listen / không mở được cổng: {exc}")
    except KeyboardInterrupt:
        return 130


async def _serve(
    args: argparse.Namespace, ari_port: int, ami_port: int, scenario: object, start_at: float
) -> int:
    from pbxsim.server import Simulator

    async with Simulator(
        args.config, host=args.host, ari_port=ari_port, ami_port=ami_port, speed=args.speed
    ) as sim:
        print(
            f"pbxsim: ARI {sim.ari_url} (WebSocket {sim.ari_ws_url}), "
            f"AMI {args.host}:{sim.ami_port} / giả lập tổng đài đang chạy",
            file=sys.stderr,
            flush=True,
        )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        if scenario is None:
            await stop.wait()
            return 0
        from callcenter.scenario import Scenario
        from pbxsim.actors import Actors, ActorsError

        assert isinstance(scenario, Scenario)
        try:
            actors = Actors(
                sim.pbx,
                scenario,
                args.seed,
                hotline=args.hotline,
                trunk=args.trunk,
                duration=args.duration,
                start_at=start_at,
                max_calls=args.max_calls,
            )
        except ActorsError as exc:
            print(f"pbxsim: {exc}", file=sys.stderr)
            return 2
        play = asyncio.ensure_future(actors.run())
        halt = asyncio.ensure_future(stop.wait())
        await asyncio.wait({play, halt}, return_when=asyncio.FIRST_COMPLETED)
        halt.cancel()
        if not play.done():
            await actors.stop()
            play.cancel()
        await asyncio.gather(play, halt, return_exceptions=True)
        _summary(actors.outcomes, args.json)
        return 0


def _summary(outcomes: Sequence[CallerOutcome], as_json: bool) -> None:
    per: dict[str, Counter[str]] = {}
    for o in outcomes:
        c = per.setdefault(o.plan.centre, Counter())
        c["offered"] += 1
        c["answered"] += o.answered_at is not None
        c["abandoned"] += o.abandoned
        c["unfinished"] += o.ended_at is None
    total: Counter[str] = Counter()
    for c in per.values():
        total.update(c)
    if as_json:
        print(json.dumps({"centres": {k: dict(v) for k, v in per.items()}, "total": dict(total)}))
        return
    print("centre  offered  answered  abandoned  unfinished")
    for name, c in [*sorted(per.items()), ("total", total)]:
        print(
            f"{name:<7} {c['offered']:>7} {c['answered']:>9} {c['abandoned']:>10} "
            f"{c['unfinished']:>11}"
        )
