"""Benchmark of ``callcenter simulate``: a day of about 20,000 calls across the three centres.

    .venv/bin/python benchmarks/bench_simulate.py [--scenario scenarios/three-centres-day.toml]
        [--seeds 3] [--days 1]

Target (issue 2): under 10 s for the day. Besides wall time, the process CPU time is reported: it
is much less sensitive to other work on the machine. Prints figures and ratios and, last, one
JSON line.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from callcenter.scenario import load_scenario  # noqa: E402
from callcenter.simulation import simulate  # noqa: E402

TARGET_SECONDS = 10.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "three-centres-day.toml"))
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--days", type=float, default=None)
    args = parser.parse_args()
    scenario = load_scenario(args.scenario)
    runs = []
    for seed in range(1, args.seeds + 1):
        wall0, cpu0 = time.perf_counter(), time.process_time()
        report = simulate(scenario, seed=seed, days=args.days)
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        calls = report.total.offered
        runs.append(
            {
                "seed": seed,
                "calls": calls,
                "engine_events": report.engine_events,
                "wall_s": wall,
                "cpu_s": cpu,
                "us_per_call": 1e6 * cpu / calls,
                "service_level": report.total.service_level,
                "rejected_events": report.extra["rejected_events"],
            }
        )
        print(
            f"seed {seed}: {calls} calls, {report.engine_events} engine events, "
            f"wall {wall:.2f} s, cpu {cpu:.2f} s, {1e6 * cpu / calls:.0f} us/call, "
            f"{report.engine_events / cpu:,.0f} engine events/s (cpu), "
            f"service level {100 * report.total.service_level:.1f}%"
        )
    wall_median = statistics.median(r["wall_s"] for r in runs)
    cpu_median = statistics.median(r["cpu_s"] for r in runs)
    print(
        f"median wall {wall_median:.2f} s, median cpu {cpu_median:.2f} s; "
        f"target {TARGET_SECONDS:.0f} s: wall/target {wall_median / TARGET_SECONDS:.2f}, "
        f"cpu/target {cpu_median / TARGET_SECONDS:.2f}"
    )
    print(
        json.dumps(
            {
                "benchmark": "simulate_day",
                "scenario": scenario.name,
                "median_wall_s": round(wall_median, 3),
                "median_cpu_s": round(cpu_median, 3),
                "target_s": TARGET_SECONDS,
                "runs": runs,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
