"""Home centre first; widening (not moving) after a time-out, at once when home has nobody
who could take the call, and at once for "in danger now"."""

from __future__ import annotations

from collections.abc import Sequence

from routing import (
    CallAnswered,
    CallArrived,
    CallEnded,
    CallOverflowed,
    CounsellorLoggedOut,
    CounsellorPaused,
    Gender,
    GenderWish,
    OverflowReason,
    Policy,
    Priority,
    RingCounsellor,
    TimerFired,
)
from tests.routing.helpers import Driver

ALL = ("HN", "DN", "AG")


def rings(out: Sequence[object]) -> list[tuple[str, str]]:
    return [(x.call_id, x.counsellor_id) for x in out if isinstance(x, RingCounsellor)]


def busy_home(d: Driver) -> None:
    """HN has one counsellor, busy on call c0; DN has one free counsellor."""
    d.login("hn1", centre="HN", now=0.0)
    d.at(0.0, CallArrived("c0", "HN", "vi"))
    d.at(0.0, CallAnswered("c0", "hn1"))
    d.login("dn1", centre="DN", now=0.0)


def test_a_call_waits_at_home_then_widens_after_overflow_after() -> None:
    d = Driver()
    busy_home(d)
    out = d.at(1.0, CallArrived("c1", "HN", "vi"))
    assert rings(out) == []
    assert d.call("c1").reach == ("HN",)
    assert d.engine.next_deadline() == 1.0 + 20.0
    assert rings(d.at(20.9, TimerFired())) == []
    out = d.at(21.0, TimerFired())
    assert out[0] == CallOverflowed("c1", ALL, OverflowReason.TIMEOUT)
    assert rings(out) == [("c1", "dn1")]


def test_widening_is_not_moving_home_still_takes_the_call() -> None:
    d = Driver()
    busy_home(d)
    d.at(0.0, CallArrived("c-dn", "DN", "vi"))  # DN's own caller takes dn1
    d.at(0.0, CallAnswered("c-dn", "dn1"))
    d.at(1.0, CallArrived("c1", "HN", "vi"))
    d.at(30.0, TimerFired())
    assert d.call("c1").reach == ALL
    d.at(40.0, CallEnded("c0"))
    out = d.at(70.0, TimerFired())  # hn1's wrap-up ends first
    assert rings(out) == [("c1", "hn1")]


def test_home_with_nobody_logged_in_who_could_take_it_widens_at_once() -> None:
    d = Driver()
    d.login("dn1", centre="DN")
    out = d.at(1.0, CallArrived("c1", "HN", "vi"))
    assert out == [
        CallOverflowed("c1", ALL, OverflowReason.HOME_HAS_NOBODY),
        RingCounsellor("c1", "dn1", "DN", 16.0, interpreter_needed=False),
    ]


def test_nobody_speaking_the_language_at_home_counts_as_nobody() -> None:
    d = Driver()
    d.login("hn-vi", centre="HN", languages=["vi"])
    d.login("ag-km", centre="AG", languages=["km", "vi"])
    out = d.at(1.0, CallArrived("c1", "HN", "km"))
    assert rings(out) == [("c1", "ag-km")]


def test_a_paused_home_counsellor_is_still_logged_in_so_the_call_waits() -> None:
    d = Driver()
    d.login("hn1", centre="HN")
    d.at(0.0, CounsellorPaused("hn1", "meal"))
    d.login("dn1", centre="DN")
    assert rings(d.at(1.0, CallArrived("c1", "HN", "vi"))) == []
    assert rings(d.at(21.0, TimerFired())) == [("c1", "dn1")]


def test_danger_widens_at_once_but_home_still_comes_first() -> None:
    d = Driver()
    d.login("dn1", centre="DN", now=0.0)
    d.login("hn1", centre="HN", now=5.0)  # less idle than dn1, yet at home
    out = d.at(6.0, CallArrived("c1", "HN", "vi", priority=Priority.DANGER))
    assert out[0] == CallOverflowed("c1", ALL, OverflowReason.DANGER)
    assert rings(out) == [("c1", "hn1")]


def test_danger_with_home_busy_goes_elsewhere_at_once() -> None:
    d = Driver()
    busy_home(d)
    out = d.at(1.0, CallArrived("c1", "HN", "vi", priority=Priority.DANGER))
    assert rings(out) == [("c1", "dn1")]


def test_national_pool_calls_reach_every_centre_from_the_start() -> None:
    d = Driver()
    d.login("ag1", centre="AG", now=0.0)
    d.login("hn1", centre="HN", now=1.0)
    out = d.at(2.0, CallArrived("c1", None, "vi"))
    assert out == [RingCounsellor("c1", "ag1", "AG", 17.0, interpreter_needed=False)]


def test_among_other_centres_the_shortest_expected_wait_wins() -> None:
    d = Driver(Policy(wrap_up=0.0))
    d.login("hn1", centre="HN")
    d.at(0.0, CallArrived("c0", "HN", "vi"))
    d.at(0.0, CallAnswered("c0", "hn1"))
    d.login("dn1", centre="DN", now=0.0)  # DN: one counsellor staffed
    for i in range(3):  # AG: three staffed, two of them talking
        d.login(f"ag{i}", centre="AG", now=1.0)
    for i in range(2):
        d.at(1.0, CallArrived(f"a{i}", "AG", "vi"))
        d.at(1.0, CallAnswered(f"a{i}", f"ag{i}"))
    # dn1 is idle longer, but AG serves its own callers three times as fast
    d.at(2.0, CallArrived("c1", "HN", "vi"))
    assert rings(d.at(22.0, TimerFired())) == [("c1", "ag2")]


def test_when_home_loses_its_last_capable_counsellor_waiting_calls_widen() -> None:
    d = Driver()
    busy_home(d)
    d.at(0.0, CallArrived("c-dn", "DN", "vi"))
    d.at(0.0, CallAnswered("c-dn", "dn1"))
    d.login("ag1", centre="AG", now=0.0)
    d.at(0.0, CallArrived("c-ag", "AG", "vi"))
    d.at(0.0, CallAnswered("c-ag", "ag1"))
    d.at(1.0, CallArrived("c1", "HN", "vi"))
    out = d.at(2.0, CounsellorLoggedOut("hn1"))  # still talking on c0, but gone for routing
    assert out == [CallOverflowed("c1", ALL, OverflowReason.HOME_HAS_NOBODY)]


def test_an_insisted_wish_with_nobody_of_that_gender_at_home_widens_at_once() -> None:
    d = Driver()
    d.login("hn-m", centre="HN", gender=Gender.MALE)
    d.login("ag-f", centre="AG", gender=Gender.FEMALE)
    out = d.at(1.0, CallArrived("c1", "HN", "vi", GenderWish.FEMALE, gender_insist=True))
    assert out[0] == CallOverflowed("c1", ALL, OverflowReason.HOME_HAS_NOBODY)
    assert rings(out) == [("c1", "ag-f")]


def test_an_engine_with_nothing_to_do_has_no_deadline() -> None:
    d = Driver()
    assert d.engine.next_deadline() is None
    d.login("k1")
    assert d.engine.next_deadline() is None
