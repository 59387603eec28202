"""The simulated world: arrivals follow the rates given, shifts become logged-in periods."""

from __future__ import annotations

import math
from typing import Any

from callcenter.scenario import DAY, HOUR, Counsellor, parse_scenario
from callcenter.simulation.world import ArrivalProcess, logged_in_intervals, stream


def arrivals(spec: dict[str, Any], days: float, seed: int = 1) -> list[float]:
    data = {"format": 1, "name": "t", "centres": {"HN": {"arrivals": spec}}}
    process = ArrivalProcess(parse_scenario(data), "HN", days * DAY, stream(seed, "a"))
    times, t = [], 0.0
    while (nxt := process.next_after(t)) is not None:
        times.append(nxt)
        t = nxt
    return times


def test_arrival_counts_follow_the_hourly_rates() -> None:
    # 24,000 expected; Poisson sd 155: 4 sd either side
    times = arrivals({"per_hour": 100}, days=10)
    assert abs(len(times) - 24_000) < 620
    assert times == sorted(times)
    assert times[-1] < 10 * DAY


def test_a_profile_with_quiet_hours_gives_no_calls_then() -> None:
    times = arrivals({"per_day": 2400, "profile": [0] * 6 + [1] * 18}, days=5)
    assert all((t % DAY) >= 6 * HOUR for t in times)
    assert abs(len(times) - 12_000) < 440


def test_a_surge_multiplies_the_rate_on_its_day_only() -> None:
    spec = {"per_hour": 200, "surges": [{"start": "20:00", "end": "21:00", "factor": 5, "day": 2}]}
    times = arrivals(spec, days=3)
    in_hour = [
        sum(1 for t in times if d * DAY + 20 * HOUR <= t < d * DAY + 21 * HOUR) for d in range(3)
    ]
    assert 150 < in_hour[0] < 250
    assert 850 < in_hour[1] < 1150
    assert 150 < in_hour[2] < 250


def test_streams_are_stable_and_independent() -> None:
    assert stream(1, "x").random() == stream(1, "x").random()
    assert stream(1, "x").random() != stream(1, "y").random()
    assert stream(1, "x").random() != stream(2, "x").random()


def person(*shifts: str) -> Counsellor:
    return Counsellor(id="a", languages=["vi"], gender="female", shifts=list(shifts))


def test_shifts_become_merged_logged_in_periods() -> None:
    # two days; a night shift crossing midnight; the one ending at the run's end never logs out
    spans = logged_in_intervals(person("22:00-06:00"), 2 * DAY)
    assert spans == [(0.0, 6 * HOUR), (22 * HOUR, DAY + 6 * HOUR), (DAY + 22 * HOUR, math.inf)]
    assert logged_in_intervals(person("00:00-24:00"), 3 * DAY) == [(0.0, math.inf)]
    assert logged_in_intervals(person("08:00-12:00", "11:00-16:00"), DAY) == [(8 * HOUR, 16 * HOUR)]
