"""``callcenter simulate SCENARIO [--seed N] [--json] [--days D]``."""

from __future__ import annotations

import argparse
import sys
import time

from callcenter.scenario import ScenarioError, load_scenario
from callcenter.simulation import simulate
from callcenter.simulation.report import format_text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "scenario", help="scenario file (TOML) / tệp kịch bản, see docs/scenario.md"
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed / hạt giống (default 1)")
    parser.add_argument(
        "--days", type=float, default=None, help="days to simulate / số ngày (default: scenario's)"
    )
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object / in một đối tượng JSON"
    )


def run(args: argparse.Namespace) -> int:
    if args.days is not None and not 0 < args.days <= 366:
        print("--days must be in (0, 366] / --days phải trong (0, 366]", file=sys.stderr)
        return 2
    try:
        scenario = load_scenario(args.scenario)
    except ScenarioError as exc:
        print(exc, file=sys.stderr)
        return 2
    started = time.perf_counter()
    report = simulate(scenario, seed=args.seed, days=args.days)
    wall = time.perf_counter() - started
    if args.json:
        print(report.to_json())
    else:
        print(format_text(report))
        print(
            f"\n{report.total.offered} calls, {report.engine_events} engine events, "
            f"{report.decisions} decisions in {wall:.2f} s"
            f" / {report.total.offered} cuộc gọi, mô phỏng trong {wall:.2f} giây"
        )
    rejected = report.extra.get("rejected_events", 0)
    if rejected:
        print(
            f"warning: the engine rejected {rejected} simulated events / cảnh báo: "
            f"bộ định tuyến từ chối {rejected} sự kiện: {report.extra['rejected_examples']}",
            file=sys.stderr,
        )
    return 0
