"""Who may take a call: available, phone usable, language (then relaxed with an interpreter),
gender wish (honoured, then relaxed unless insisted)."""

from __future__ import annotations

from collections.abc import Sequence

from routing import (
    CallArrived,
    CallbackReason,
    CounsellorPaused,
    CounsellorResumed,
    Gender,
    GenderWish,
    OfferCallback,
    PhoneBusy,
    PhoneFree,
    PhoneRegistered,
    PhoneUnregistered,
    Policy,
    RingCounsellor,
    TimerFired,
)
from tests.routing.helpers import Driver


def rings(out: Sequence[object]) -> list[tuple[str, str, bool]]:
    return [
        (x.call_id, x.counsellor_id, x.interpreter_needed)
        for x in out
        if isinstance(x, RingCounsellor)
    ]


def test_an_unregistered_phone_is_not_rung_until_it_registers() -> None:
    d = Driver()
    d.at(0.0, PhoneUnregistered("k1"))  # phones may report before log-in
    d.login("k1")
    assert d.counsellor("k1").phone_usable is False
    assert rings(d.at(1.0, CallArrived("c1", "HN", "vi"))) == []
    assert rings(d.at(2.0, PhoneRegistered("k1"))) == [("c1", "k1", False)]


def test_a_phone_busy_elsewhere_is_not_rung_until_free() -> None:
    d = Driver()
    d.login("k1")
    d.at(0.5, PhoneBusy("k1"))
    assert rings(d.at(1.0, CallArrived("c1", "HN", "vi"))) == []
    assert rings(d.at(2.0, PhoneFree("k1"))) == [("c1", "k1", False)]


def test_phone_states_and_pause_are_separate() -> None:
    d = Driver()
    d.login("k1")
    d.at(0.5, CounsellorPaused("k1", "supervision"))
    d.at(0.6, PhoneBusy("k1"))
    d.at(1.0, CallArrived("c1", "HN", "vi"))
    assert rings(d.at(2.0, PhoneFree("k1"))) == []  # phone free, but still paused
    k = d.counsellor("k1")
    assert (k.pause_reason, k.phone_usable) == ("supervision", True)
    d.at(3.0, PhoneBusy("k1"))
    assert rings(d.at(4.0, CounsellorResumed("k1"))) == []  # back, but phone busy
    assert rings(d.at(5.0, PhoneFree("k1"))) == [("c1", "k1", False)]


def test_a_phone_never_reported_can_count_as_unregistered() -> None:
    d = Driver(Policy(assume_phone_registered=False))
    d.login("k1")
    assert rings(d.at(1.0, CallArrived("c1", "HN", "vi"))) == []
    assert rings(d.at(2.0, PhoneRegistered("k1"))) == [("c1", "k1", False)]


def test_language_must_match_then_relaxes_to_the_default_with_an_interpreter() -> None:
    d = Driver()
    d.login("vi1", languages=["vi"])
    out = d.at(1.0, CallArrived("c1", None, "en"))
    assert rings(out) == []
    assert rings(d.at(30.9, TimerFired())) == []
    assert rings(d.at(31.0, TimerFired())) == [("c1", "vi1", True)]


def test_relaxing_uses_each_centres_own_default_language() -> None:
    d = Driver(Policy(default_language_by_centre={"AG": "km"}))
    d.login("ag-vi", centre="AG", languages=["vi"], now=0.0)
    d.login("ag-km", centre="AG", languages=["km"], now=1.0)
    d.at(2.0, CallArrived("c1", "AG", "en"))
    assert rings(d.at(40.0, TimerFired())) == [("c1", "ag-km", True)]


def test_a_relaxed_call_takes_an_interpreter_when_no_speaker_is_usable() -> None:
    d = Driver()
    d.at(0.0, PhoneBusy("en1"))
    d.at(0.0, PhoneBusy("vi1"))
    d.login("vi1", languages=["vi"], now=0.0)  # idle longest
    d.login("en1", languages=["en"], now=5.0)
    d.at(6.0, CallArrived("c1", None, "en"))
    d.at(40.0, TimerFired())  # relaxed now; nobody's phone is usable yet
    d.at(41.0, PhoneFree("vi1"))  # en1 is still busy: vi1 takes it with an interpreter
    assert rings(d.log[-1:]) == [("c1", "vi1", True)]


def test_with_both_free_when_a_relaxed_call_looks_the_speaker_wins() -> None:
    d = Driver()
    d.login("vi1", languages=["vi"], now=0.0)
    d.login("en1", languages=["en"], now=5.0)
    # a call restored after a restart: it arrived long ago, so it is relaxed at once
    out = d.at(60.0, CallArrived("c1", None, "en", arrived_at=0.0))
    assert rings(out) == [("c1", "en1", False)]


def test_gender_wish_is_honoured_then_relaxed() -> None:
    d = Driver()
    d.login("m1", gender=Gender.MALE, now=0.0)
    out = d.at(1.0, CallArrived("c1", "HN", "vi", GenderWish.FEMALE))
    assert rings(out) == []
    assert rings(d.at(60.9, TimerFired())) == []
    assert rings(d.at(61.0, TimerFired())) == [("c1", "m1", False)]


def test_gender_wish_picks_the_wished_gender_over_a_longer_idle_one() -> None:
    d = Driver()
    d.login("m1", gender=Gender.MALE, now=0.0)
    d.login("f1", gender=Gender.FEMALE, now=5.0)
    out = d.at(6.0, CallArrived("c1", "HN", "vi", GenderWish.FEMALE))
    assert rings(out) == [("c1", "f1", False)]


def test_an_insisted_wish_is_never_relaxed() -> None:
    d = Driver()
    d.login("f0", gender=Gender.FEMALE, centre="AG")  # a woman is logged in somewhere
    d.at(0.0, CounsellorPaused("f0", "meal"))
    d.login("m1", gender=Gender.MALE, now=0.0)
    d.at(1.0, CallArrived("c1", "HN", "vi", GenderWish.FEMALE, gender_insist=True))
    out = d.at(10_000.0, TimerFired())
    assert rings(out) == []
    assert not d.call("c1").gender_relaxed
    assert rings(d.at(10_001.0, CounsellorResumed("f0"))) == [("c1", "f0", False)]


def test_insisting_with_nobody_of_that_gender_logged_in_offers_a_callback() -> None:
    d = Driver()
    d.login("m1", gender=Gender.MALE)
    out = d.at(1.0, CallArrived("c1", "HN", "vi", GenderWish.FEMALE, gender_insist=True))
    assert OfferCallback("c1", CallbackReason.NO_COUNSELLOR_OF_GENDER) in out
    later = d.at(100.0, TimerFired())
    assert OfferCallback("c1", CallbackReason.NO_COUNSELLOR_OF_GENDER) not in later  # once


def test_a_deadline_that_float_rounding_puts_a_hair_early_still_fires_once() -> None:
    # 2.3 + 30.0 == 32.3, yet 32.3 - 2.3 < 30.0 in binary floating point
    assert 32.3 - 2.3 < 30.0
    d = Driver()
    d.login("vi1", languages=["vi"], now=0.0)
    d.at(0.0, PhoneBusy("vi1"))
    d.at(2.3, CallArrived("c1", None, "en"))
    d.at(32.3, TimerFired())
    assert d.call("c1").language_relaxed
    assert rings(d.at(32.4, PhoneFree("vi1"))) == [("c1", "vi1", True)]
