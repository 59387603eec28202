"""``callcenter simulate``: a discrete-event simulator around the real routing engine.

Library use::

    from callcenter.scenario import load_scenario
    from callcenter.simulation import simulate

    report = simulate(load_scenario("scenarios/three-centres-day.toml"), seed=1)
    report.centres["HN"].service_level, report.total.abandoned_share_ci95
"""

from __future__ import annotations

from callcenter.scenario import Scenario
from callcenter.simulation.des import Simulation
from callcenter.simulation.report import CallRecord, CentreFigures, Report, figures
from callcenter.simulation.state import RunTotals
from callcenter.simulation.stats import Interval

__all__ = [
    "CallRecord",
    "CentreFigures",
    "Interval",
    "Report",
    "RunTotals",
    "Simulation",
    "build_report",
    "simulate",
]


def simulate(scenario: Scenario, seed: int = 0, days: float | None = None) -> Report:
    """Run ``scenario`` once under ``seed`` (``days`` overrides the scenario's) and report."""
    sim = Simulation(scenario, seed, days)
    return build_report(sim, sim.run())


def build_report(sim: Simulation, totals: RunTotals) -> Report:
    """The figures of a finished run (``totals`` = ``sim.run()``; per-call data stays there)."""
    scenario, seed = sim.scenario, sim.seed
    settings = scenario.report

    def of(centres: set[str] | None, busy: float, staffed: float) -> CentreFigures:
        return figures(
            totals.calls,
            centres,
            threshold=settings.service_level_seconds,
            short_abandon=settings.short_abandon_seconds,
            batches=settings.batches,
            busy_seconds=busy,
            staffed_seconds=staffed,
        )

    centres = {c: of({c}, totals.busy[c], totals.staffed[c]) for c in scenario.centres}
    total = of(None, sum(totals.busy.values()), sum(totals.staffed.values()))
    return Report(
        scenario=scenario.name,
        seed=seed,
        days=sim.horizon / 86_400.0,
        service_level_seconds=settings.service_level_seconds,
        short_abandon_seconds=settings.short_abandon_seconds,
        centres=centres,
        total=total,
        engine_events=totals.engine_events,
        decisions=totals.decisions,
        extra={
            "callbacks_served": totals.callbacks_served,
            "rejected_events": len(totals.rejected),
            "rejected_examples": totals.rejected[:5],
            "end_time": totals.end_time,
        },
    )
