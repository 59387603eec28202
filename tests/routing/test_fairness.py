"""Priority ahead, FIFO within a class, the ageing bound, and fairness after a failed ring."""

from __future__ import annotations

from collections.abc import Sequence

from routing import (
    CallAnswered,
    CallArrived,
    CallEnded,
    CounsellorResumed,
    PhoneFree,
    Policy,
    Priority,
    RingCounsellor,
    RingFailed,
    RingFailure,
    TimerFired,
)
from tests.routing.helpers import Driver


def rung(out: Sequence[object]) -> list[str]:
    return [x.call_id for x in out if isinstance(x, RingCounsellor)]


def one_busy_counsellor(policy: Policy | None = None) -> Driver:
    d = Driver(policy or Policy(wrap_up=0.0))
    d.login("k1", now=0.0)
    d.at(0.0, CallArrived("c0", "HN", "vi"))
    d.at(0.0, CallAnswered("c0", "k1"))
    return d


def serve_next(d: Driver, now: float) -> str:
    """End k1's current call and return the call it is offered next."""
    view = d.counsellor("k1")
    assert view.call_id is not None
    d.at(now, CallEnded(view.call_id))
    nxt = d.counsellor("k1").call_id
    assert nxt is not None
    d.at(now, CallAnswered(nxt, "k1"))
    return nxt


def test_within_a_class_calls_are_served_by_arrival() -> None:
    d = one_busy_counsellor()
    for i in range(1, 4):
        d.at(float(i), CallArrived(f"c{i}", "HN", "vi"))
    assert [serve_next(d, 10.0 + i) for i in range(3)] == ["c1", "c2", "c3"]


def test_priority_calls_go_ahead_of_normal_ones() -> None:
    d = one_busy_counsellor()
    d.at(1.0, CallArrived("n1", "HN", "vi"))
    d.at(2.0, CallArrived("u1", "HN", "vi", priority=Priority.URGENT))
    d.at(3.0, CallArrived("d1", "HN", "vi", priority=Priority.DANGER))
    assert [serve_next(d, 10.0 + i) for i in range(3)] == ["d1", "u1", "n1"]


def test_ageing_bound_a_normal_call_that_waited_urgent_lead_is_not_overtaken() -> None:
    d = one_busy_counsellor(Policy(wrap_up=0.0, urgent_lead=60.0, max_overtake=120.0))
    d.at(1.0, CallArrived("n1", "HN", "vi"))
    d.at(60.0, CallArrived("u-early", "HN", "vi", priority=Priority.URGENT))  # 59 s later
    d.at(62.0, CallArrived("u-late", "HN", "vi", priority=Priority.URGENT))  # 61 s later
    assert [serve_next(d, 100.0 + i) for i in range(3)] == ["u-early", "n1", "u-late"]


def test_ageing_bound_nothing_overtakes_a_call_older_than_max_overtake() -> None:
    d = one_busy_counsellor(Policy(wrap_up=0.0, max_overtake=120.0))
    d.at(1.0, CallArrived("n1", "HN", "vi"))
    d.at(120.0, CallArrived("d-early", "HN", "vi", priority=Priority.DANGER))
    d.at(122.0, CallArrived("d-late", "HN", "vi", priority=Priority.DANGER))
    assert [serve_next(d, 200.0 + i) for i in range(3)] == ["d-early", "n1", "d-late"]


def test_a_call_sent_back_after_no_answer_keeps_its_place_at_the_head() -> None:
    d = Driver()
    d.login("k1", now=0.0)
    d.at(1.0, CallArrived("c1", "HN", "vi"))  # rings k1
    d.at(2.0, CallArrived("c2", "HN", "vi"))
    out = d.at(16.0, TimerFired())  # k1 did not answer
    assert rung(out) == []
    assert [c.call_id for c in d.engine.waiting_calls(16.0)] == ["c1", "c2"]
    assert d.call("c1").position == 1
    d.login("k2", now=17.0)
    assert d.counsellor("k2").call_id == "c1"


def test_a_call_does_not_ring_the_same_counsellor_again_while_someone_else_can() -> None:
    d = Driver()
    d.login("k1", now=0.0)
    d.at(1.0, CallArrived("c1", "HN", "vi"))
    d.at(2.0, RingFailed("c1", "k1", RingFailure.BUSY))  # k1's phone is now busy
    d.login("k2", now=3.0)
    d.at(3.0, PhoneFree("k1"))  # k2 is already ringing for c1
    assert d.call("c1").counsellor_id == "k2"
    assert d.counsellor("k1").call_id is None


def test_a_call_rings_the_same_counsellor_again_when_nobody_else_can() -> None:
    d = Driver()
    d.login("k1", now=0.0)
    d.at(1.0, CallArrived("c1", "HN", "vi"))
    d.at(16.0, TimerFired())  # no answer: k1 -> missed
    out = d.at(30.0, CounsellorResumed("k1"))
    assert rung(out) == ["c1"]
    assert d.call("c1").tried == ("k1",)


def test_a_counsellor_prefers_a_call_it_has_not_failed_yet() -> None:
    d = Driver()
    d.login("k1", now=0.0)
    d.at(1.0, CallArrived("c1", "HN", "vi"))
    d.at(16.0, TimerFired())  # k1 missed c1
    d.at(17.0, CallArrived("c2", "HN", "vi"))
    out = d.at(18.0, CounsellorResumed("k1"))
    assert rung(out) == ["c2"]


def test_a_call_restored_after_a_restart_keeps_its_place_in_line() -> None:
    d = one_busy_counsellor()
    d.at(100.0, CallArrived("new", "HN", "vi"))
    d.at(101.0, CallArrived("old", "HN", "vi", arrived_at=50.0))  # waited since before
    assert [c.call_id for c in d.engine.waiting_calls(101.0)] == ["old", "new"]
    assert serve_next(d, 110.0) == "old"
