"""What happens, as the engine hears it: frozen, past-tense, one type per thing.

The caller of ``RoutingEngine.handle(event, now)`` translates PBX and browser traffic into these.
Time is never part of an event: it is the ``now`` passed beside it.
"""

from __future__ import annotations

from dataclasses import dataclass

from routing.model import Gender, GenderWish, Priority, RingFailure


@dataclass(frozen=True, slots=True)
class CallArrived:
    """A call entered the hotline queue (after the IVR).

    ``home_centre`` None = national pool (every centre at once). ``callback`` True = a callback
    request that enters the line directly (no live caller). ``arrived_at`` lets a restarted
    service restore a call's place in line; None means ``now``.
    """

    call_id: str
    home_centre: str | None
    language: str
    gender_wish: GenderWish = GenderWish.NONE
    gender_insist: bool = False
    priority: Priority = Priority.NORMAL
    callback: bool = False
    arrived_at: float | None = None


@dataclass(frozen=True, slots=True)
class CallHungUp:
    """The caller hung up (waiting, ringing or talking). Ignored for a waiting callback
    request, whose caller has already left on purpose."""

    call_id: str


@dataclass(frozen=True, slots=True)
class CallAnswered:
    """The ringing counsellor picked up."""

    call_id: str
    counsellor_id: str


@dataclass(frozen=True, slots=True)
class CallEnded:
    """A connected call finished; the counsellor goes to wrap-up."""

    call_id: str


@dataclass(frozen=True, slots=True)
class RingFailed:
    """A ring the engine asked for failed before ``ring_timeout``.

    no_answer: counsellor -> missed. busy: the phone counts as busy until PhoneFree.
    unreachable: the phone counts as unregistered until PhoneRegistered.
    """

    call_id: str
    counsellor_id: str
    failure: RingFailure


@dataclass(frozen=True, slots=True)
class CounsellorLoggedIn:
    counsellor_id: str
    centre: str
    languages: frozenset[str]
    gender: Gender


@dataclass(frozen=True, slots=True)
class CounsellorLoggedOut:
    counsellor_id: str


@dataclass(frozen=True, slots=True)
class CounsellorPaused:
    counsellor_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class CounsellorResumed:
    """Back from a pause or from ``missed``."""

    counsellor_id: str


@dataclass(frozen=True, slots=True)
class WrapUpEnded:
    """The counsellor finished after-call work before the wrap-up time ran out."""

    counsellor_id: str


@dataclass(frozen=True, slots=True)
class PhoneRegistered:
    counsellor_id: str


@dataclass(frozen=True, slots=True)
class PhoneUnregistered:
    counsellor_id: str


@dataclass(frozen=True, slots=True)
class PhoneBusy:
    """The counsellor's phone is busy with something other than a call we offered."""

    counsellor_id: str


@dataclass(frozen=True, slots=True)
class PhoneFree:
    counsellor_id: str


@dataclass(frozen=True, slots=True)
class CallbackRequested:
    """A waiting caller asked to be called back: the request keeps the caller's place."""

    call_id: str


@dataclass(frozen=True, slots=True)
class CallbackCompleted:
    """A callback request is done (or withdrawn): it leaves the engine in any state."""

    call_id: str


@dataclass(frozen=True, slots=True)
class TimerFired:
    """Time has passed (the caller woke the engine at or after ``next_deadline()``)."""


RoutingEvent = (
    CallArrived
    | CallHungUp
    | CallAnswered
    | CallEnded
    | RingFailed
    | CounsellorLoggedIn
    | CounsellorLoggedOut
    | CounsellorPaused
    | CounsellorResumed
    | WrapUpEnded
    | PhoneRegistered
    | PhoneUnregistered
    | PhoneBusy
    | PhoneFree
    | CallbackRequested
    | CallbackCompleted
    | TimerFired
)
