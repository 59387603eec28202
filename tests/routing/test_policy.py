from __future__ import annotations

import dataclasses

import pytest

from routing import Policy, PolicyError, Priority


def test_defaults_are_the_documented_ones() -> None:
    p = Policy()
    assert p.centres == ("HN", "DN", "AG")
    assert p.overflow_after == 20.0
    assert p.ring_timeout == 15.0
    assert p.wrap_up == 30.0
    assert p.language_of("AG") == "vi"
    assert p.max_overtake == 120.0
    assert [p.lead(x) for x in Priority] == [0.0, 60.0, 120.0]


def test_per_centre_overrides() -> None:
    p = Policy(wrap_up_by_centre={"DN": 45.0}, default_language_by_centre={"AG": "km"})
    assert (p.wrap_up_of("DN"), p.wrap_up_of("HN")) == (45.0, 30.0)
    assert (p.language_of("AG"), p.language_of("HN")) == ("km", "vi")


def test_policy_is_frozen_and_its_tables_are_read_only() -> None:
    p = Policy(wrap_up_by_centre={"DN": 45.0})
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.ring_timeout = 1.0  # type: ignore[misc]
    with pytest.raises(TypeError):
        p.wrap_up_by_centre["DN"] = 1.0  # type: ignore[index]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"centres": ()}, "at least one centre"),
        ({"centres": ("HN", "HN")}, "duplicates"),
        ({"centres": ("HN", "*")}, "not a centre code"),
        ({"overflow_after": -1.0}, "overflow_after"),
        ({"ring_timeout": 0.0}, "ring_timeout"),
        ({"language_wait": float("nan")}, "language_wait"),
        ({"urgent_lead": 200.0}, "urgent_lead"),
        ({"announce_interval": 0.0}, "announce_interval"),
        ({"talk_time_smoothing": 0.0}, "talk_time_smoothing"),
        ({"wrap_up_by_centre": {"XX": 3.0}}, "unknown centre 'XX'"),
        ({"default_language_by_centre": {"HN": ""}}, "not a language"),
        ({"gender_wait": "soon"}, "gender_wait"),
    ],
)
def test_bad_values_are_refused_clearly(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        Policy(**kwargs)  # type: ignore[arg-type]
