"""Position and expected wait, callback offers, and callback requests that keep their place."""

from __future__ import annotations

from routing import (
    AnnouncePosition,
    CallAnswered,
    CallArrived,
    CallbackCompleted,
    CallbackReason,
    CallbackRequested,
    CallEnded,
    CallHungUp,
    CallStatus,
    CancelReason,
    CancelRing,
    OfferCallback,
    Policy,
    RingCounsellor,
    TimerFired,
)
from tests.routing.helpers import Driver

# expected wait = position x (talk + wrap-up) / counsellors staffed = position x 450 / staffed


def busy(d: Driver, n: int) -> None:
    for i in range(n):
        d.login(f"k{i}", now=0.0)
        d.at(0.0, CallArrived(f"busy{i}", "HN", "vi"))
        d.at(0.0, CallAnswered(f"busy{i}", f"k{i}"))


def test_a_waiting_caller_hears_position_and_expected_wait_on_arrival_and_then_regularly() -> None:
    d = Driver(Policy(callback_offer_wait=10_000.0))
    busy(d, 3)
    assert d.at(1.0, CallArrived("c1", "HN", "vi")) == [AnnouncePosition("c1", 1, 150.0)]
    assert d.at(2.0, CallArrived("c2", "HN", "vi")) == [AnnouncePosition("c2", 2, 300.0)]
    assert d.engine.next_deadline() == 21.0  # c1 widens at 21: same staff in reach here
    d.at(30.0, TimerFired())
    assert d.at(31.0, TimerFired()) == [AnnouncePosition("c1", 1, 150.0)]
    assert d.at(32.0, TimerFired()) == [AnnouncePosition("c2", 2, 300.0)]
    assert d.engine.next_deadline() == 61.0


def test_positions_count_per_home_centre() -> None:
    d = Driver(Policy(callback_offer_wait=10_000.0))
    busy(d, 1)
    d.login("dn", centre="DN")
    d.at(0.0, CallArrived("x", "DN", "vi"))
    d.at(0.0, CallAnswered("x", "dn"))
    d.at(1.0, CallArrived("h1", "HN", "vi"))
    d.at(2.0, CallArrived("d1", "DN", "vi"))
    d.at(3.0, CallArrived("h2", "HN", "vi"))
    positions = {c.call_id: c.position for c in d.engine.waiting_calls(3.0)}
    assert positions == {"h1": 1, "d1": 1, "h2": 2}


def test_a_callback_is_offered_once_when_the_expected_wait_passes_the_threshold() -> None:
    d = Driver(Policy(callback_offer_wait=400.0))
    busy(d, 1)
    out = d.at(1.0, CallArrived("c1", "HN", "vi"))  # 1 x 450 / 1 = 450 s > 400 s
    assert out == [AnnouncePosition("c1", 1, 450.0), OfferCallback("c1", CallbackReason.LONG_WAIT)]
    out = d.at(31.0, TimerFired())
    assert not any(isinstance(x, OfferCallback) for x in out)


def test_no_callback_offer_below_the_threshold() -> None:
    d = Driver(Policy(callback_offer_wait=500.0))
    busy(d, 1)
    assert d.at(1.0, CallArrived("c1", "HN", "vi")) == [AnnouncePosition("c1", 1, 450.0)]


def test_nobody_staffed_gives_an_unknown_wait_and_a_callback_offer() -> None:
    d = Driver()
    out = d.at(1.0, CallArrived("c1", None, "vi"))
    assert out == [
        AnnouncePosition("c1", 1, None),
        OfferCallback("c1", CallbackReason.NOBODY_STAFFED),
    ]


def test_without_announcements_callbacks_are_still_offered() -> None:
    d = Driver(Policy(announce_interval=None, callback_offer_wait=60.0))
    busy(d, 1)
    assert d.at(1.0, CallArrived("c1", "HN", "vi")) == [
        OfferCallback("c1", CallbackReason.LONG_WAIT)
    ]


def test_a_callback_request_keeps_its_place_and_rings_like_a_call() -> None:
    d = Driver(Policy(wrap_up=0.0, callback_offer_wait=10_000.0))
    busy(d, 1)
    d.at(1.0, CallArrived("c1", "HN", "vi"))
    d.at(2.0, CallArrived("c2", "HN", "vi"))
    assert d.at(3.0, CallbackRequested("c1")) == []
    assert d.at(4.0, CallHungUp("c1")) == []  # the caller leaves; the request stays
    assert d.call("c1").callback and d.call("c1").position == 1
    out = d.at(32.0, TimerFired())  # announcements for c1 stop: nobody is listening
    assert [x.call_id for x in out if isinstance(x, AnnouncePosition)] == ["c2"]
    out = d.at(40.0, CallEnded("busy0"))
    assert out == [RingCounsellor("c1", "k0", "HN", 55.0, interpreter_needed=False, callback=True)]


def test_a_callback_request_can_arrive_directly_and_be_completed() -> None:
    d = Driver()
    busy(d, 1)
    assert d.at(1.0, CallArrived("cb", "HN", "vi", callback=True)) == []
    assert d.call("cb").status == CallStatus.WAITING
    d.at(2.0, CallbackCompleted("cb"))
    assert d.engine.call("cb") is None


def test_completing_a_ringing_callback_cancels_the_ring() -> None:
    d = Driver()
    d.login("k1")
    d.at(1.0, CallArrived("cb", "HN", "vi", callback=True))
    out = d.at(2.0, CallbackCompleted("cb"))
    assert out == [CancelRing("cb", "k1", CancelReason.CALLBACK_COMPLETED)]
