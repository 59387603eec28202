"""Soak run of issue 4's acceptance: the database unreachable for 30 s in the middle of traffic.

    .venv/bin/python benchmarks/soak_db_outage.py [--outage 30] [--every 0.5] [--calm 4]

The same traffic and checks as ``tests/e2e/test_db_outage.py`` (which runs an 8 s outage to keep
CI short): a PostgreSQL cluster of this script's own (initdb + pg_ctl on a free port, as the
``postgres`` user when run as root) is stopped for real for ``--outage`` seconds while callers
keep ringing the in-process service (lab configuration, 4 counsellors); then started again.

Prints: calls placed, callers bridged while the database was away, the outbox's peak backlog,
the seconds from the restart until every record was written (the recorder's retry back-off, at
most 15 s, dominates it), and whether every check passed; LAST, one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.calls.throwaway_pg import ThrowawayPostgres  # noqa: E402
from tests.e2e.outage_traffic import check_outage_run, run_outage  # noqa: E402


async def main(outage_s: float, every_s: float, calm_s: float) -> dict[str, object]:
    pg = ThrowawayPostgres()
    pg.init()
    pg.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            run = await run_outage(
                pg, Path(tmp) / "var", outage_s=outage_s, calm_s=calm_s, every_s=every_s
            )
    finally:
        pg.destroy()
    failure = ""
    try:
        check_outage_run(run, outage_s)
    except AssertionError as exc:
        failure = str(exc) or "assertion failed"
    during = len(run.bridged_during_outage())
    outage = run.restarted_at - run.stopped_at
    recovery = run.drained_at - run.restarted_at
    outcomes = Counter(r.outcome or "none" for r in run.rows)
    print(f"outage (server stopped -> started): {outage:.1f} s")
    print(f"calls placed: {len(run.calls)}; records: {len(run.rows)}; outcomes: {dict(outcomes)}")
    print(f"callers bridged while the database was away: {during} ({during / outage:.2f} per s)")
    print(f"outbox backlog (facts): peak {run.backlog_peak}")
    print(f"restart -> every record written: {recovery:.1f} s")
    print(f"records per call: {len(run.rows) / max(1, len(run.calls)):.3f} (must be 1.000)")
    print("checks: " + ("all passed" if not failure else f"FAILED: {failure}"))
    return {
        "bench": "soak_db_outage",
        "outage_s": round(outage, 2),
        "calls": len(run.calls),
        "records": len(run.rows),
        "bridged_during_outage": during,
        "backlog_peak": run.backlog_peak,
        "recovery_s": round(recovery, 2),
        "ok": not failure,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outage", type=float, default=30.0, help="seconds the server is down")
    parser.add_argument("--every", type=float, default=0.5, help="seconds between callers")
    parser.add_argument("--calm", type=float, default=4.0, help="seconds of traffic around it")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    result = asyncio.run(main(args.outage, args.every, args.calm))
    print(json.dumps(result))
    sys.exit(0 if result["ok"] else 1)
