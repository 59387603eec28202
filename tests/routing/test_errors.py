"""Bad events get a clear typed error and change nothing."""

from __future__ import annotations

from typing import Any

import pytest

from routing import (
    CallAnswered,
    CallArrived,
    CallbackCompleted,
    CallbackRequested,
    CallEnded,
    CallHungUp,
    CounsellorLoggedIn,
    CounsellorPaused,
    CounsellorResumed,
    Gender,
    InvalidTransition,
    RingFailed,
    RingFailure,
    RoutingError,
    RoutingEvent,
    TimerFired,
    TimeWentBackwards,
    UnknownCall,
    UnknownCounsellor,
    WrapUpEnded,
)
from tests.routing.helpers import Driver


def scene() -> Driver:
    d = Driver()
    d.login("k1", now=0.0)
    d.login("k2", now=0.0)
    d.at(1.0, CallArrived("c1", "HN", "vi"))  # rings k1
    d.at(2.0, CallArrived("c2", "HN", "vi"))  # rings k2
    d.at(3.0, CallAnswered("c2", "k2"))
    d.at(4.0, CallArrived("c3", "HN", "vi"))  # waits
    return d


def state(d: Driver) -> Any:
    return d.engine.calls(d.now), d.engine.counsellors(), d.engine.next_deadline()


@pytest.mark.parametrize(
    ("event", "error", "text"),
    [
        (CallAnswered("nope", "k1"), UnknownCall, "unknown call 'nope'"),
        (CallAnswered("c1", "nobody"), UnknownCounsellor, "unknown counsellor 'nobody'"),
        (CallAnswered("c1", "k2"), InvalidTransition, "not ringing counsellor 'k2'"),
        (CallAnswered("c3", "k1"), InvalidTransition, "not ringing"),
        (CallEnded("c1"), InvalidTransition, "ringing, not connected"),
        (RingFailed("c2", "k2", RingFailure.NO_ANSWER), InvalidTransition, "not ringing"),
        (CallArrived("c1", "HN", "vi"), InvalidTransition, "already known"),
        (CallArrived("c9", "XX", "vi"), RoutingError, "unknown home centre 'XX'"),
        (CallArrived("c9", "HN", ""), RoutingError, "language"),
        (CallArrived("c9", "HN", "vi", arrived_at=99.0), RoutingError, "after now"),
        (
            CounsellorLoggedIn("k1", "HN", frozenset({"vi"}), Gender.MALE),
            InvalidTransition,
            "already",
        ),
        (CounsellorLoggedIn("k9", "XX", frozenset({"vi"}), Gender.MALE), RoutingError, "centre"),
        (CounsellorLoggedIn("k9", "HN", frozenset(), Gender.MALE), RoutingError, "languages"),
        (CounsellorPaused("k1", ""), RoutingError, "reason"),
        (CounsellorResumed("k2"), InvalidTransition, "on_call, not paused"),
        (WrapUpEnded("k1"), InvalidTransition, "not in wrap-up"),
        (CallbackRequested("c1"), InvalidTransition, "not waiting"),
        (CallbackCompleted("c3"), InvalidTransition, "not a callback"),
        (CallHungUp("gone"), UnknownCall, "gone"),
    ],
)
def test_a_bad_event_raises_a_clear_error_and_changes_nothing(
    event: RoutingEvent, error: type[RoutingError], text: str
) -> None:
    d = scene()
    before = state(d)
    with pytest.raises(error, match=text):
        d.engine.handle(event, 5.0)
    assert state(d) == before
    # and the engine carries on normally
    d.at(5.0, CallAnswered("c1", "k1"))


def test_time_never_goes_backwards() -> None:
    d = scene()
    with pytest.raises(TimeWentBackwards):
        d.engine.handle(TimerFired(), 3.0)
    with pytest.raises(TimeWentBackwards):
        d.engine.handle(TimerFired(), float("nan"))


def test_something_that_is_not_an_event_is_refused() -> None:
    d = scene()
    with pytest.raises(RoutingError, match="not a routing event"):
        d.engine.handle("CallArrived", 5.0)  # type: ignore[arg-type]
