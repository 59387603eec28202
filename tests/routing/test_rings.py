"""Rings that end without an answer, and rings withdrawn because something else happened."""

from __future__ import annotations

from routing import (
    CallAnswered,
    CallArrived,
    CallEnded,
    CallHungUp,
    CallStatus,
    CancelReason,
    CancelRing,
    CounsellorLoggedOut,
    CounsellorMissed,
    CounsellorPaused,
    CounsellorResumed,
    CounsellorState,
    PhoneUnregistered,
    RingCounsellor,
    RingFailed,
    RingFailure,
    TimerFired,
)
from tests.routing.helpers import Driver


def ringing_c1() -> Driver:
    d = Driver()
    d.login("k1", now=0.0)
    d.at(1.0, CallArrived("c1", "HN", "vi"))
    assert d.call("c1").counsellor_id == "k1"
    return d


def test_ring_timeout_makes_the_counsellor_missed_until_they_resume() -> None:
    d = ringing_c1()
    assert d.engine.next_deadline() == 16.0
    out = d.at(16.0, TimerFired())
    assert out[:2] == [
        CancelRing("c1", "k1", CancelReason.RING_TIMEOUT),
        CounsellorMissed("k1", "c1"),
    ]
    d.at(1000.0, TimerFired())
    assert d.counsellor("k1").state == CounsellorState.MISSED
    assert d.call("c1").status == CallStatus.WAITING
    d.at(1001.0, CounsellorResumed("k1"))
    assert d.counsellor("k1").state == CounsellorState.RINGING


def test_no_answer_reported_by_the_pbx_is_the_same_as_a_time_out() -> None:
    d = ringing_c1()
    out = d.at(5.0, RingFailed("c1", "k1", RingFailure.NO_ANSWER))
    assert out == [CounsellorMissed("k1", "c1")]
    assert d.counsellor("k1").state == CounsellorState.MISSED
    assert d.call("c1").tried == ("k1",)


def test_busy_marks_the_phone_busy_and_unreachable_marks_it_unregistered() -> None:
    d = ringing_c1()
    d.at(2.0, RingFailed("c1", "k1", RingFailure.BUSY))
    k = d.counsellor("k1")
    assert (k.state, k.phone_busy, k.phone_usable) == (CounsellorState.AVAILABLE, True, False)
    d2 = ringing_c1()
    d2.at(2.0, RingFailed("c1", "k1", RingFailure.UNREACHABLE))
    k = d2.counsellor("k1")
    assert (k.phone_registered, k.phone_usable) == (False, False)


def test_caller_hanging_up_cancels_the_ring_and_the_counsellor_keeps_their_place() -> None:
    d = ringing_c1()
    d.login("k2", now=2.0)
    out = d.at(3.0, CallHungUp("c1"))
    assert out == [CancelRing("c1", "k1", CancelReason.CALLER_HUNG_UP)]
    assert d.engine.call("c1") is None
    assert d.counsellor("k1").idle_since == 0.0
    out = d.at(4.0, CallArrived("c2", "HN", "vi"))
    assert [x.counsellor_id for x in out if isinstance(x, RingCounsellor)] == ["k1"]


def test_pausing_or_logging_out_while_ringing_sends_the_call_to_someone_else() -> None:
    for event, reason in (
        (CounsellorPaused("k1", "meal"), CancelReason.COUNSELLOR_PAUSED),
        (CounsellorLoggedOut("k1"), CancelReason.COUNSELLOR_LOGGED_OUT),
        (PhoneUnregistered("k1"), CancelReason.PHONE_UNREGISTERED),
    ):
        d = ringing_c1()
        d.login("k2", now=2.0)
        out = d.at(3.0, event)
        assert out[0] == CancelRing("c1", "k1", reason)
        assert out[1] == RingCounsellor("c1", "k2", "HN", 18.0, interpreter_needed=False)
        assert d.call("c1").tried == ()  # not the counsellor's failure


def test_a_pause_asked_during_a_call_starts_when_the_call_ends() -> None:
    d = ringing_c1()
    d.at(2.0, CallAnswered("c1", "k1"))
    d.at(3.0, CounsellorPaused("k1", "debrief"))
    assert d.counsellor("k1").state == CounsellorState.ON_CALL
    d.at(50.0, CallEnded("c1"))
    k = d.counsellor("k1")
    assert (k.state, k.pause_reason) == (CounsellorState.PAUSED, "debrief")


def test_logging_out_during_a_call_leaves_the_call_to_finish() -> None:
    d = ringing_c1()
    d.at(2.0, CallAnswered("c1", "k1"))
    d.at(3.0, CounsellorLoggedOut("k1"))
    assert d.counsellor("k1").state == CounsellorState.OFFLINE
    assert d.call("c1").status == CallStatus.CONNECTED
    d.at(50.0, CallEnded("c1"))
    assert d.counsellor("k1").state == CounsellorState.OFFLINE
    assert d.engine.call("c1") is None
