"""Queueing theory as an outside check on the simulator and the real routing engine.

One centre, Poisson arrivals, exponential talk times (mean 300 s), no wrap-up, counsellors who
answer at once, 10 counsellors (tests/simulation/scenarios/erlang.toml):

* without abandonment (M/M/10), the simulated share of calls that waited at all and the service
  level (answered within 20 s) match Erlang C within 2 percentage points at loads 0.70, 0.85 and
  0.95;
* with exponential patience (mean 300 s; M/M/10+M), the abandoned share matches Erlang A
  (Palm's model, Garnett-Mandelbaum-Reiman closed form) within 2 points at loads 0.95 and 1.2.

Run lengths: the statistical error of these shares shrinks slowly near saturation (successive
callers share one queue). Measured on independent replications (30 runs of a plain M/M/10
recursion; 5 runs of this simulator at load 0.70 agree), the standard deviation of the
share that waited is about 0.6, 1.2 and 1.6 points per 100,000 calls at loads 0.70, 0.85 and
0.95, and about 0.4 points for the abandoned share per 50,000 calls. The runs below (about
80,000, 135,000 and 245,000 calls; 55,000 and 50,000 with patience) put 2 points at two to three
standard deviations, so a simulator or engine that is off by more than that fails. Seeds are
fixed (1) and were not chosen by looking at the results. The runs go to a process pool.
"""

from __future__ import annotations

import os
import tomllib
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import pytest

from callcenter.scenario import parse_scenario
from callcenter.simulation import simulate
from tests.simulation.erlang import (
    erlang_a,
    erlang_a_chain,
    erlang_b,
    erlang_c,
    erlang_c_service_level,
)

SCENARIO = Path(__file__).parent / "scenarios" / "erlang.toml"
N, TALK, THRESHOLD, PATIENCE, SEED = 10, 300.0, 20.0, 300.0, 1
Case = tuple[float, float, float | None]  # (load, days, patience or None)
C_RUNS: list[Case] = [(0.70, 40.0, None), (0.85, 55.0, None), (0.95, 90.0, None)]
A_RUNS: list[Case] = [(0.95, 20.0, PATIENCE), (1.2, 15.0, PATIENCE)]
TOLERANCE = 0.02


def run_case(case: Case) -> dict[str, float]:
    """One simulation (in a worker process): the figures the checks compare."""
    load, days, patience = case
    data: dict[str, Any] = tomllib.loads(SCENARIO.read_text(encoding="utf-8"))
    data["centres"]["HN"]["arrivals"] = {"per_hour": load * N * 3600.0 / TALK}
    if patience is not None:
        data["callers"]["patience"] = {"kind": "exponential", "mean": patience}
    report = simulate(parse_scenario(data, str(SCENARIO)), seed=SEED, days=days)
    total = report.total
    return {
        "offered": total.offered,
        "waited": total.waited_share,
        "service_level": total.service_level,
        "abandoned": total.abandoned_share,
        "occupancy": total.occupancy,
        "rejected": report.extra["rejected_events"],
    }


@pytest.fixture(scope="module")
def results() -> dict[Case, dict[str, float]]:
    cases = C_RUNS + A_RUNS
    workers = max(1, min(len(cases), os.cpu_count() or 1))
    # the longest runs first, so the pool finishes together
    order = sorted(cases, key=lambda c: -c[0] * c[1])
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        figures: dict[Case, dict[str, float]] = dict(
            zip(order, pool.map(run_case, order), strict=True)
        )
    for case, fig in figures.items():
        print(f"erlang check {case}: {fig}")
    return figures


# --- the formulas themselves (independent of the simulator) ---------------------------------


def test_erlang_formulas_agree_with_known_values_and_each_other() -> None:
    assert erlang_b(1, 1.0) == pytest.approx(0.5)
    assert erlang_c(1, 0.5) == pytest.approx(0.5)  # M/M/1: P(wait) = rho
    assert erlang_c(10, 7.0) == pytest.approx(0.2217, abs=1e-4)
    lam, mu = 0.95 / 30, 1 / 300
    assert erlang_c_service_level(10, lam, mu, 0.0) == pytest.approx(1 - erlang_c(10, 9.5))
    for load in (0.7, 0.95, 1.2, 2.0):
        closed = erlang_a(10, load / 30, mu, 1 / PATIENCE)
        chain = erlang_a_chain(10, load / 30, mu, 1 / PATIENCE)
        assert closed == pytest.approx(chain, rel=1e-9)
    # patience that almost never runs out: Erlang A tends to Erlang C
    p_wait, p_abandon = erlang_a(10, lam, mu, 1e-9)
    assert p_wait == pytest.approx(erlang_c(10, 9.5), abs=1e-4)
    assert p_abandon < 1e-4


# --- the simulator against them -------------------------------------------------------------


@pytest.mark.parametrize("case", C_RUNS, ids=lambda c: f"load{c[0]}")
def test_waiting_share_and_service_level_match_erlang_c(
    results: dict[Case, dict[str, float]],
    case: Case,
) -> None:
    load = case[0]
    fig = results[case]
    lam, mu = load * N / TALK, 1.0 / TALK
    assert fig["rejected"] == 0
    assert fig["abandoned"] == 0
    assert fig["waited"] == pytest.approx(erlang_c(N, lam / mu), abs=TOLERANCE)
    assert fig["service_level"] == pytest.approx(
        erlang_c_service_level(N, lam, mu, THRESHOLD), abs=TOLERANCE
    )
    assert fig["occupancy"] == pytest.approx(load, abs=TOLERANCE)  # no wrap-up: busy = load


@pytest.mark.parametrize("case", A_RUNS, ids=lambda c: f"load{c[0]}")
def test_abandoned_share_matches_erlang_a(
    results: dict[Case, dict[str, float]],
    case: Case,
) -> None:
    load, _, patience = case
    assert patience is not None
    fig = results[case]
    p_wait, p_abandon = erlang_a(N, load * N / TALK, 1.0 / TALK, 1.0 / patience)
    assert fig["rejected"] == 0
    assert fig["abandoned"] == pytest.approx(p_abandon, abs=TOLERANCE)
    assert fig["waited"] == pytest.approx(p_wait, abs=TOLERANCE)
    assert fig["occupancy"] == pytest.approx(load * (1 - p_abandon), abs=TOLERANCE)
