"""The simulator driving the real routing engine: what a user of `callcenter simulate` sees."""

from __future__ import annotations

import json
import math
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from callcenter.cli import main
from callcenter.scenario import Scenario, load_scenario, parse_scenario
from callcenter.simulation import Report, RunTotals, Simulation, build_report, simulate

HERE = Path(__file__).parent
TWO = HERE / "scenarios" / "two-centres.toml"
DAY_SCENARIO = HERE.parents[1] / "scenarios" / "three-centres-day.toml"


def two_centres(**changes: Any) -> Scenario:
    data: dict[str, Any] = tomllib.loads(TWO.read_text(encoding="utf-8"))
    for dotted, value in changes.items():
        *path, last = dotted.split("__")
        node = data
        for part in path:
            node = node.setdefault(part, {})
        node[last] = value
    return parse_scenario(data, "two-centres")


@cache
def day_run() -> tuple[RunTotals, Report]:
    """The main scenario's day, run once for every test that looks at it."""
    sim = Simulation(load_scenario(DAY_SCENARIO), seed=1)
    totals = sim.run()
    return totals, build_report(sim, totals)


def day_report() -> Report:
    return day_run()[1]


def test_same_seed_gives_the_same_figures_and_another_seed_other_figures() -> None:
    scenario = load_scenario(TWO)
    first, again, other = simulate(scenario, 5), simulate(scenario, 5), simulate(scenario, 6)
    assert first.to_json() == again.to_json()
    assert first.total.offered != other.total.offered


def test_every_call_ends_answered_abandoned_called_back_or_still_waiting() -> None:
    report = day_report()
    assert report.extra["rejected_events"] == 0, report.extra["rejected_examples"]
    for code, fig in [*report.centres.items(), ("ALL", report.total)]:
        assert fig.answered + fig.abandoned + fig.callbacks + fig.still_waiting == fig.offered, code
        for share in (fig.service_level, fig.abandoned_share, fig.waited_share, fig.occupancy):
            assert 0.0 <= share <= 1.0
        assert fig.service_level_ci95.contains(fig.service_level)
        assert fig.abandoned_share_ci95.contains(fig.abandoned_share)
    assert sum(f.overflow_in for f in report.centres.values()) == sum(
        f.overflow_out for f in report.centres.values()
    )


def test_the_main_scenario_is_a_day_of_about_twenty_thousand_calls() -> None:
    # expected 20,000 plus HN's surge (one more hour at 20:00): about 20,600, Poisson sd ~ 145
    offered = day_report().total.offered
    assert 20_000 < offered < 21_200


def test_callers_in_danger_reach_a_counsellor_sooner_than_others() -> None:
    calls = day_run()[0].calls
    danger = [c.answered - c.arrived for c in calls if c.priority == 2 and c.answered is not None]
    normal = [c.answered - c.arrived for c in calls if c.priority == 0 and c.answered is not None]
    assert len(danger) > 200
    assert sum(danger) / len(danger) < 0.5 * sum(normal) / len(normal)
    assert all(c.widened for c in calls if c.priority == 2)


def test_a_centre_with_nobody_logged_in_sends_its_calls_to_the_other() -> None:
    sim = Simulation(load_scenario(TWO), seed=3)
    calls = sim.run().calls
    night_hn = [c for c in calls if c.home == "HN" and not 8 <= (c.arrived % 86_400) / 3600 < 16]
    answered = [c for c in night_hn if c.answered is not None]
    assert len(answered) > 100
    assert all(c.answered_centre == "DN" for c in answered)
    assert all(c.widened for c in night_hn)


def test_a_phone_that_never_answers_leaves_its_calls_to_the_others() -> None:
    scenario = two_centres(pbx__phones__by_counsellor={"DN-all-001": {"no_answer": 1.0}})
    totals = Simulation(scenario, seed=2).run()
    counsellors = {c.counsellor for c in totals.calls if c.answered is not None}
    assert "DN-all-001" not in counsellors
    assert {"DN-all-002", "DN-all-003", "DN-all-004"} <= counsellors
    assert totals.rejected == []


def test_busy_and_unreachable_phones_are_reported_to_the_engine_and_recover() -> None:
    scenario = two_centres(pbx__phones__busy=0.2, pbx__phones__unreachable=0.1)
    report = simulate(scenario, seed=4)
    assert report.extra["rejected_events"] == 0, report.extra["rejected_examples"]
    assert report.total.answered > 0.8 * report.total.offered


def test_callers_who_accept_a_callback_leave_the_line_and_are_called_back() -> None:
    scenario = two_centres(
        policy__callback_offer_wait=30,
        callers__callback_accept=1.0,
        centres__DN__arrivals={"per_hour": 40},
    )
    report = simulate(scenario, seed=1)
    assert report.total.callbacks > 50
    assert report.extra["callbacks_served"] > 0
    assert report.extra["rejected_events"] == 0, report.extra["rejected_examples"]


def test_impatient_callers_with_nobody_to_answer_all_abandon_early() -> None:
    scenario = two_centres(
        centres__HN__teams=[],
        centres__DN__teams=[],
        callers__patience={"kind": "fixed", "value": 3},
    )
    fig = simulate(scenario, seed=1).total
    assert fig.offered > 0
    assert fig.abandoned == fig.short_abandoned == fig.offered
    assert fig.answered == 0
    assert fig.service_level == 0.0  # every call was a short abandon: nothing to count


def test_wrap_up_and_talk_make_the_occupancy() -> None:
    scenario = two_centres(
        centres__HN__teams=[],
        centres__DN__teams=[{"name": "one", "count": 1}],
        centres__DN__wrap_up={"kind": "fixed", "value": 50},
        centres__DN__arrivals={"per_hour": 2},
        centres__HN__arrivals={"per_hour": 0},
        callers__talk_time={"kind": "fixed", "value": 100},
        callers__patience={"kind": "never"},
        policy__overflow_after=1e9,  # an engine deadline far beyond the run
    )
    totals = Simulation(scenario, seed=1).run()
    answered = sum(c.answered is not None for c in totals.calls)
    assert answered == len(totals.calls) > 50
    assert totals.busy["DN"] == pytest.approx(150 * answered)
    # logged in from the start to the end of the last call (the shift runs to the run's end)
    last_end = max(c.answered for c in totals.calls if c.answered is not None) + 100
    assert totals.end_time == pytest.approx(max(2 * 86_400, last_end))
    assert totals.staffed["DN"] == pytest.approx(totals.end_time)


def test_shifts_log_counsellors_in_and_out() -> None:
    # HN works 08:00-16:00 only: nobody at HN answers outside it
    totals = Simulation(load_scenario(TWO), seed=1).run()
    hn = [
        c.answered % 86_400 / 3600
        for c in totals.calls
        if c.answered is not None and c.answered_centre == "HN"
    ]
    assert hn
    assert all(8 <= h < 16.5 for h in hn)  # a call may still be ringing when the shift ends


def test_cli_json_prints_one_object_with_every_figure(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", str(TWO), "--seed", "3", "--json", "--days", "1"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["seed"] == 3
    assert data["days"] == 1
    assert set(data["centres"]) == {"HN", "DN"}
    for key in (
        "offered",
        "answered",
        "abandoned",
        "service_level",
        "service_level_ci95",
        "abandoned_share_ci95",
        "average_speed_of_answer",
        "waited_share",
        "occupancy",
        "overflow_in",
        "overflow_out",
    ):
        assert key in data["centres"]["HN"]
        assert key in data["total"]
    assert math.isclose(data["service_level_seconds"], 20)


def test_cli_text_is_a_table_per_centre(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", str(TWO), "--days", "0.5"]) == 0
    out = capsys.readouterr().out
    assert "HN" in out and "DN" in out and "ALL" in out
    assert "service level <= 20s / mức phục vụ" in out


def test_cli_refuses_a_bad_scenario_clearly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(TWO.read_text(encoding="utf-8").replace("days = 2", "dayz = 2"))
    assert main(["simulate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "dayz: unknown key" in err
    assert main(["simulate", str(TWO), "--days", "0"]) == 2
