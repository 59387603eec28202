"""Synthetic callers and softphones: deterministic under the seed, and they really call."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from callcenter.scenario import Scenario, parse_scenario
from callcenter.simulation.world import ArrivalProcess, CallerFactory, stream
from pbxsim.actors import Actors, ActorsError, map_endpoints, plan_callers
from pbxsim.model import happenings as h
from pbxsim.model.clock import Clock
from pbxsim.model.config import load_config
from pbxsim.model.pbx import Pbx

LAB = Path(__file__).resolve().parents[2] / "fixtures" / "asterisk" / "lab-etc"


def scenario(pbx: dict[str, Any] | None = None, **callers: Any) -> Scenario:
    data: dict[str, Any] = {
        "format": 1,
        "name": "actors test",
        "centres": {
            "HN": {
                "arrivals": {"per_hour": 240.0},
                "counsellors": [
                    {"id": "hn-01", "languages": ["vi"], "gender": "female"},
                    {"id": "hn-02", "languages": ["vi", "en"], "gender": "male"},
                ],
            },
            "DN": {"arrivals": {"per_hour": 120.0}},
        },
        "callers": {"languages": {"vi": 3, "en": 1}, "danger_share": 0.2, **callers},
        "pbx": pbx or {},
    }
    return parse_scenario(data)


def test_the_plan_is_fixed_by_the_seed_and_shares_the_simulators_callers() -> None:
    sc = scenario()
    one = plan_callers(sc, 7, duration=600)
    assert one == plan_callers(sc, 7, duration=600)
    assert one != plan_callers(sc, 8, duration=600)
    assert {p.centre for p in one} == {"HN", "DN"}
    # the same arrivals and callers as `callcenter simulate` draws (common random numbers)
    for centre in ("HN", "DN"):
        process = ArrivalProcess(sc, centre, 600, stream(7, f"arrivals/{centre}"))
        factory = CallerFactory(sc.caller_mix(centre), stream(7, f"callers/{centre}"))
        mine = [p for p in one if p.centre == centre]
        t = process.next_after(0.0)
        for plan in mine:
            assert t is not None
            drawn = factory.draw()
            assert (plan.at, plan.talk_time, plan.language) == (t, drawn.talk_time, drawn.language)
            t = process.next_after(t)
        assert t is None


def test_callers_press_the_menu_digits_of_their_language_region_or_danger() -> None:
    plans = plan_callers(scenario(), 3, duration=1800)
    danger = [p for p in plans if p.priority == "danger"]
    normal = [p for p in plans if p.priority == "normal"]
    assert danger and normal
    assert all(p.digits == "9" for p in danger)
    for p in normal:
        assert p.digits == {"vi": "1", "en": "2"}[p.language] + {"HN": "1", "DN": "2"}[p.centre]
    assert all(p.number.startswith("09") and len(p.number) == 10 for p in plans)


def test_withheld_numbers_silent_callers_and_scripts() -> None:
    quiet = scenario({"ivr": {"no_key_share": 1.0}, "caller_numbers": {"withheld_share": 1.0}})
    plans = plan_callers(quiet, 1, duration=600)
    assert all(p.number == "anonymous" and p.digits == "" for p in plans)
    scripted = scenario({"ivr": {"scripts": [{"digits": "21", "share": 1.0}]}})
    assert {p.digits for p in plan_callers(scripted, 1, duration=600)} == {"21"}
    leaving = scenario({"ivr": {"hangup_share": 1.0}})
    assert all(p.ivr_hangup for p in plan_callers(leaving, 1, duration=600))


def test_counsellors_get_endpoints_of_their_centre() -> None:
    endpoints = ["ag-01", "dn-01", "hn-01", "hn-02", "hn-03", "trunk"]
    assert map_endpoints(scenario(), endpoints) == {"hn-01": "hn-01", "hn-02": "hn-02"}
    crowded = parse_scenario(
        {
            "format": 1,
            "name": "too many",
            "centres": {
                "DN": {"arrivals": {"per_hour": 1.0}, "teams": [{"name": "t", "count": 2}]}
            },
        }
    )
    with pytest.raises(ActorsError, match="DN-t-002"):
        map_endpoints(crowded, endpoints)


async def play(
    sc: Scenario, *, calls: int, hotline: str = "1801"
) -> tuple[Actors, list[h.Happening]]:
    pbx = Pbx(load_config(LAB), Clock(speed=100.0))
    seen: list[h.Happening] = []
    pbx.subscribe(seen.append)
    actors = Actors(pbx, sc, 11, hotline=hotline, duration=3600, max_calls=calls)
    try:
        await actors.run()
    finally:
        await pbx.close()
    return actors, seen


async def test_callers_reach_answering_phones_through_the_fallback_queue() -> None:
    sc = scenario(
        {"phones": {"answer_delay": {"kind": "fixed", "value": 1.0}}},
        talk_time={"kind": "fixed", "value": 4.0},
        danger_share=0.0,
    )
    actors, seen = await play(sc, calls=3)
    assert len(actors.outcomes) == 3
    for outcome in actors.outcomes:
        assert outcome.answered_at is not None, outcome
        assert outcome.hung_up_by_caller and not outcome.abandoned
    connects = [x for x in seen if isinstance(x, h.AgentConnected)]
    assert len(connects) == 3


async def test_callers_give_up_when_every_phone_is_busy() -> None:
    sc = scenario(
        {"phones": {"busy": 1.0}},
        patience={"kind": "fixed", "value": 20.0},
        danger_share=0.0,
    )
    actors, seen = await play(sc, calls=2)
    assert all(o.abandoned for o in actors.outcomes)
    busy = [x for x in seen if isinstance(x, h.DialEnded) and x.dialstatus == "BUSY"]
    assert busy
    assert not [x for x in seen if isinstance(x, h.AgentConnected)]


async def test_unreachable_phones_never_ring() -> None:
    sc = scenario(
        {"phones": {"unreachable": 1.0}},
        patience={"kind": "fixed", "value": 20.0},
        danger_share=0.0,
    )
    actors, seen = await play(sc, calls=1)
    invited = [x for x in seen if isinstance(x, h.PhoneInvited)]
    assert invited
    assert not [x for x in seen if isinstance(x, h.DialProgressed)]
    assert actors.outcomes[0].abandoned
    assert math.isfinite(actors.outcomes[0].plan.patience)
