"""The scenario format: what loads, what is refused and how clearly, and what it expands to."""

from __future__ import annotations

import random
import statistics
from pathlib import Path
from typing import Any

import pytest

from callcenter.scenario import (
    DAY,
    ScenarioError,
    expand_team,
    load_scenario,
    parse_clock,
    parse_scenario,
    parse_shift,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "scenarios").glob("*.toml")) + sorted(
    (Path(__file__).parent / "scenarios").glob("*.toml")
)


def minimal(**extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "format": 1,
        "name": "t",
        "centres": {"HN": {"arrivals": {"per_hour": 60}, "teams": [{"name": "a", "count": 2}]}},
    }
    data.update(extra)
    return data


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_shipped_scenario_loads(path: Path) -> None:
    scenario = load_scenario(path)
    assert scenario.counsellors()
    scenario.routing_policy()


def test_unknown_key_is_named_with_its_place() -> None:
    data = minimal()
    data["centres"]["HN"]["arrivals"]["per_hours"] = 3
    with pytest.raises(ScenarioError, match=r"centres\.HN\.arrivals\.per_hours: unknown key"):
        parse_scenario(data)


def test_unknown_top_level_section_is_refused() -> None:
    with pytest.raises(ScenarioError, match=r"ivr: unknown key"):
        parse_scenario(minimal(ivr={}))


def test_other_format_versions_are_refused() -> None:
    with pytest.raises(ScenarioError, match="format = 2 is not supported"):
        parse_scenario(minimal(format=2))


def test_missing_file_and_bad_toml_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="cannot read"):
        load_scenario(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("format = 1\nname = \n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="not valid TOML"):
        load_scenario(bad)


def test_policy_overrides_reach_the_routing_policy_and_typos_are_refused() -> None:
    policy = parse_scenario(minimal(policy={"ring_timeout": 7, "announce_interval": False}))
    assert policy.routing_policy().ring_timeout == 7
    assert policy.routing_policy().announce_interval is None
    with pytest.raises(ScenarioError, match=r"unknown key\(s\) \['ring_timout'\]"):
        parse_scenario(minimal(policy={"ring_timout": 7}))
    with pytest.raises(ScenarioError, match="ring_timeout must be > 0"):
        parse_scenario(minimal(policy={"ring_timeout": 0}))
    with pytest.raises(ScenarioError, match="come from \\[centres\\]"):
        parse_scenario(minimal(policy={"centres": ["HN"]}))


def test_centre_wrap_up_and_language_go_to_the_policy() -> None:
    data = minimal()
    data["centres"]["HN"]["wrap_up"] = {"kind": "fixed", "value": 12}
    data["centres"]["HN"]["default_language"] = "en"
    policy = parse_scenario(data).routing_policy()
    assert policy.wrap_up_of("HN") == 12
    assert policy.language_of("HN") == "en"


def test_team_members_follow_the_shares() -> None:
    scenario = parse_scenario(minimal())
    team = (
        scenario.centres["HN"]
        .teams[0]
        .model_copy(
            update={
                "count": 10,
                "languages": {"en": 0.3, "km": 0.1},
                "genders": {"female": 7, "male": 3},
            }
        )
    )
    members = expand_team("HN", "vi", team)
    assert [m.id for m in members][:2] == ["HN-a-001", "HN-a-002"]
    assert all("vi" in m.languages for m in members)
    assert sum("en" in m.languages for m in members) == 3
    assert sum("km" in m.languages for m in members) == 1
    assert sum(m.gender == "female" for m in members) == 7


def test_counsellor_ids_must_be_unique() -> None:
    data = minimal()
    data["centres"]["HN"]["counsellors"] = [
        {"id": "HN-a-001", "languages": ["vi"], "gender": "male"}
    ]
    with pytest.raises(ScenarioError, match="used twice"):
        parse_scenario(data)


def test_phone_overrides_apply_to_one_counsellor_and_unknown_ids_are_refused() -> None:
    data = minimal(pbx={"phones": {"no_answer": 0.1, "by_counsellor": {"HN-a-002": {"busy": 0.5}}}})
    phones = parse_scenario(data).pbx.phones
    assert phones.for_counsellor("HN-a-002").busy == 0.5
    assert phones.for_counsellor("HN-a-002").no_answer == 0.1
    assert phones.for_counsellor("HN-a-001").busy == 0.0
    data["pbx"]["phones"]["by_counsellor"] = {"XX-9": {"busy": 0.5}}
    with pytest.raises(ScenarioError, match="no counsellor 'XX-9'"):
        parse_scenario(data)
    data["pbx"]["phones"]["by_counsellor"] = {"HN-a-001": {"busy": 0.95}}
    with pytest.raises(ScenarioError, match="busy \\+ unreachable > 1"):
        parse_scenario(data)


def test_per_centre_caller_overrides_keep_the_rest_of_the_mix() -> None:
    data = minimal(callers={"danger_share": 0.1, "talk_time": {"kind": "fixed", "value": 60}})
    data["centres"]["HN"]["callers"] = {"languages": {"km": 1.0}}
    mix = parse_scenario(data).caller_mix("HN")
    assert mix.languages == {"km": 1.0}
    assert mix.danger_share == 0.1
    assert mix.talk_time.expected() == 60


def test_arrivals_need_exactly_one_rate() -> None:
    data = minimal()
    data["centres"]["HN"]["arrivals"] = {"per_hour": 5, "per_day": 100}
    with pytest.raises(ScenarioError, match="exactly one of per_hour or per_day"):
        parse_scenario(data)
    data["centres"]["HN"]["arrivals"] = {"per_hour": [1, 2, 3]}
    with pytest.raises(ScenarioError, match="24 values"):
        parse_scenario(data)
    data["centres"]["HN"]["arrivals"] = {"per_day": 240, "profile": [0] * 12 + [1] * 12}
    rates = parse_scenario(data).centres["HN"].arrivals.hourly_rates()
    assert rates[:12] == [0.0] * 12
    assert rates[12:] == [20.0] * 12


def test_clock_and_shift_parsing() -> None:
    assert parse_clock("07:30") == 7.5 * 3600
    assert parse_shift("22:00-06:00") == (22 * 3600, DAY + 6 * 3600)
    assert parse_shift("00:00-24:00") == (0, DAY)
    for bad in ("7", "25:00", "07:60", "24:01", "ab:cd"):
        with pytest.raises(ValueError, match=r"HH:MM|out of range"):
            parse_clock(bad)
    data = minimal()
    data["centres"]["HN"]["teams"][0]["shifts"] = ["07:00/15:00"]
    with pytest.raises(ScenarioError, match=r"teams\.0\.shifts"):
        parse_scenario(data)


@pytest.mark.parametrize(
    ("spec", "mean"),
    [
        ({"kind": "exponential", "mean": 100}, 100),
        ({"kind": "lognormal", "mean": 240, "sd": 200}, 240),
        ({"kind": "gamma", "mean": 50, "sd": 10}, 50),
        ({"kind": "uniform", "low": 2, "high": 6}, 4),
        ({"kind": "fixed", "value": 30}, 30),
    ],
)
def test_distributions_have_the_mean_they_are_given(spec: dict[str, Any], mean: float) -> None:
    dist = parse_scenario(minimal(callers={"talk_time": spec})).callers.talk_time
    rng = random.Random(7)
    samples = [dist.sample(rng) for _ in range(40_000)]
    assert dist.expected() == mean
    assert statistics.fmean(samples) == pytest.approx(mean, rel=0.03)
    assert min(samples) >= 0


def test_never_is_infinite_patience() -> None:
    dist = parse_scenario(minimal(callers={"patience": {"kind": "never"}})).callers.patience
    assert dist.sample(random.Random(1)) == float("inf")


def test_a_distribution_with_a_missing_parameter_is_refused() -> None:
    with pytest.raises(ScenarioError, match=r"talk_time\.lognormal\.sd: Field required"):
        parse_scenario(minimal(callers={"talk_time": {"kind": "lognormal", "mean": 3}}))
