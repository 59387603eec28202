"""Who gets the call, and the life of a counsellor around it (ring, talk, wrap-up)."""

from __future__ import annotations

from routing import (
    CallAnswered,
    CallArrived,
    CallEnded,
    CounsellorState,
    Policy,
    RingCounsellor,
    TimerFired,
    WrapUpEnded,
)
from tests.routing.helpers import Driver


def test_a_call_rings_the_longest_idle_counsellor() -> None:
    d = Driver()
    d.login("k-late", now=5.0)
    d.login("k-early", now=6.0)  # logged in later, so idle for less time
    out = d.at(10.0, CallArrived("c1", "HN", "vi"))
    assert out == [RingCounsellor("c1", "k-late", "HN", 25.0, interpreter_needed=False)]


def test_ties_in_idle_time_go_to_the_smallest_id() -> None:
    d = Driver()
    d.login("b", now=1.0)
    d.login("a", now=1.0)
    out = d.at(2.0, CallArrived("c1", "HN", "vi"))
    assert [x.counsellor_id for x in out if isinstance(x, RingCounsellor)] == ["a"]


def test_a_freed_counsellor_takes_the_call_that_waited_longest() -> None:
    d = Driver()
    d.login("k1")
    d.at(1.0, CallArrived("c1", "HN", "vi"))
    d.at(2.0, CallAnswered("c1", "k1"))
    d.at(3.0, CallArrived("c2", "HN", "vi"))
    d.at(4.0, CallArrived("c3", "HN", "vi"))
    d.at(5.0, CallEnded("c1"))
    out = d.at(35.0, TimerFired())
    assert [x.call_id for x in out if isinstance(x, RingCounsellor)] == ["c2"]


def test_answer_then_end_then_wrap_up_then_available() -> None:
    d = Driver()
    d.login("k1")
    d.at(1.0, CallArrived("c1", "HN", "vi"))
    d.at(3.0, CallAnswered("c1", "k1"))
    k = d.counsellor("k1")
    assert (k.state, k.call_id, k.calls_handled) == (CounsellorState.ON_CALL, "c1", 1)
    d.at(100.0, CallEnded("c1"))
    k = d.counsellor("k1")
    assert (k.state, k.wrap_up_until) == (CounsellorState.WRAP_UP, 130.0)
    assert d.engine.next_deadline() == 130.0
    assert d.engine.call("c1") is None
    d.at(129.0, TimerFired())
    assert d.counsellor("k1").state == CounsellorState.WRAP_UP
    d.at(130.0, TimerFired())
    k = d.counsellor("k1")
    assert (k.state, k.idle_since) == (CounsellorState.AVAILABLE, 130.0)


def test_wrap_up_time_is_per_centre() -> None:
    d = Driver(Policy(wrap_up_by_centre={"DN": 60.0}))
    d.login("k1", centre="DN")
    d.at(1.0, CallArrived("c1", "DN", "vi"))
    d.at(2.0, CallAnswered("c1", "k1"))
    d.at(10.0, CallEnded("c1"))
    assert d.counsellor("k1").wrap_up_until == 70.0


def test_a_counsellor_may_end_wrap_up_early_and_takes_the_waiting_call() -> None:
    d = Driver()
    d.login("k1")
    d.at(1.0, CallArrived("c1", "HN", "vi"))
    d.at(2.0, CallAnswered("c1", "k1"))
    d.at(3.0, CallArrived("c2", "HN", "vi"))
    d.at(10.0, CallEnded("c1"))
    out = d.at(12.0, WrapUpEnded("k1"))
    assert [(x.call_id, x.counsellor_id) for x in out if isinstance(x, RingCounsellor)] == [
        ("c2", "k1")
    ]


def test_no_wrap_up_means_available_at_once() -> None:
    d = Driver(Policy(wrap_up=0.0))
    d.login("k1")
    d.at(1.0, CallArrived("c1", "HN", "vi"))
    d.at(2.0, CallAnswered("c1", "k1"))
    d.at(3.0, CallArrived("c2", "HN", "vi"))
    out = d.at(10.0, CallEnded("c1"))
    assert [x.call_id for x in out if isinstance(x, RingCounsellor)] == ["c2"]


def test_talk_times_teach_the_expected_wait() -> None:
    d = Driver(Policy(expected_talk_time=100.0, talk_time_smoothing=0.5, wrap_up=0.0))
    d.login("k1")
    d.at(0.0, CallArrived("c1", "HN", "vi"))
    d.at(0.0, CallAnswered("c1", "k1"))
    d.at(1.0, CallArrived("c2", "HN", "vi"))
    assert d.call("c2").expected_wait == 100.0
    d.at(300.0, CallEnded("c1"))  # talked 300 s: estimate moves half way, to 200 s
    d.at(300.0, CallAnswered("c2", "k1"))
    d.at(301.0, CallArrived("c3", "HN", "vi"))
    assert d.call("c3").expected_wait == 200.0
