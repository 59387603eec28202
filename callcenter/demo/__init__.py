"""``callcenter demo``: the whole hotline on one machine, nothing to install.

The PBX simulator on the product's asterisk-conf/ (grown to the scenario's phones), its actors
playing a scenario's callers and counsellors, the hotline service (``callcenter serve``, its own
process, on SQLite under ``--var-dir``) with its HTTP API on 127.0.0.1, and the stranded-caller
watchdog (``callcenter watchdog``, its own process). Stops on Ctrl-C or after ``--duration``.
See docs/demo.md.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import sys
from pathlib import Path

SCENARIOS = Path(__file__).parents[2] / "scenarios"
DEFAULT_SCENARIO = SCENARIOS / "demo.toml"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--scenario",
        type=Path,
        default=DEFAULT_SCENARIO,
        help="scenario file (TOML) / kịch bản (default: scenarios/demo.toml; the full day: "
        "scenarios/three-centres-day.toml)",
    )
    parser.add_argument(
        "--duration", type=float, default=None, help="stop after so many real seconds / dừng sau"
    )
    parser.add_argument(
        "--speed", type=float, default=1.0, help="simulated seconds per real second (default 1)"
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed of the scenario")
    parser.add_argument("--port", type=int, default=8000, help="HTTP API port (default 8000)")
    parser.add_argument(
        "--var-dir", type=Path, default=Path("var/demo"), help="database and logs (var/demo)"
    )
    parser.add_argument("--start", default="00:00", help="time of the scenario's day to start")
    parser.add_argument(
        "--status-every", type=float, default=5.0, help="seconds between status lines (5)"
    )


def _fail(message: str) -> int:
    print(f"callcenter demo: {message}", file=sys.stderr)
    return 2


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds it
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def run(args: argparse.Namespace) -> int:
    from callcenter.demo.runner import DemoError, DemoOptions, run_demo
    from callcenter.scenario import ScenarioError, load_scenario, parse_clock
    from pbxsim.actors import ActorsError

    if args.speed <= 0:
        return _fail("--speed must be > 0 / --speed phải lớn hơn 0")
    if args.duration is not None and args.duration <= 0:
        return _fail("--duration must be > 0 / --duration phải lớn hơn 0")
    if args.status_every <= 0:
        return _fail("--status-every must be > 0 / --status-every phải lớn hơn 0")
    if not 0 < args.port < 65536:
        return _fail("--port must be 1-65535 / --port phải trong khoảng 1-65535")
    try:
        scenario = load_scenario(args.scenario)
        start_at = parse_clock(args.start)
    except (ScenarioError, ValueError, OSError) as exc:
        return _fail(str(exc))
    if not _port_free(args.port):
        return _fail(
            f"port {args.port} is in use; choose another with --port / "
            f"cổng {args.port} đang bận; chọn cổng khác bằng --port"
        )
    options = DemoOptions(
        scenario_path=args.scenario,
        scenario=scenario,
        duration=args.duration,
        speed=args.speed,
        seed=args.seed,
        port=args.port,
        var_dir=args.var_dir,
        start_at=start_at,
        status_every=args.status_every,
    )
    try:
        return asyncio.run(run_demo(options, sys.stdout))
    except (DemoError, ActorsError) as exc:
        return _fail(str(exc))
