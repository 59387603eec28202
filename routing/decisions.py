"""What the engine asks its caller to do: frozen dataclasses, in the order they must be done."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class CancelReason(StrEnum):
    RING_TIMEOUT = "ring_timeout"
    CALLER_HUNG_UP = "caller_hung_up"
    COUNSELLOR_PAUSED = "counsellor_paused"
    COUNSELLOR_LOGGED_OUT = "counsellor_logged_out"
    PHONE_BUSY = "phone_busy"
    PHONE_UNREGISTERED = "phone_unregistered"
    CALLBACK_COMPLETED = "callback_completed"


class CallbackReason(StrEnum):
    LONG_WAIT = "long_wait"  # expected wait above Policy.callback_offer_wait
    NO_COUNSELLOR_OF_GENDER = "no_counsellor_of_gender"  # insisted wish, nobody logged in
    NOBODY_STAFFED = "nobody_staffed"  # nobody is logged in who could ever take the call


class OverflowReason(StrEnum):
    TIMEOUT = "timeout"  # waited Policy.overflow_after at home
    HOME_HAS_NOBODY = "home_has_nobody"  # nobody logged in at home who could take it
    DANGER = "danger"  # "in danger now": every centre at once


@dataclass(frozen=True, slots=True)
class RingCounsellor:
    """Ring ``counsellor_id``'s phone for ``call_id`` until ``ring_until``.

    ``interpreter_needed``: the counsellor does not speak the caller's language (relaxed to the
    centre's default). ``callback``: the call is a callback request; on answer, the counsellor
    dials the caller back.
    """

    call_id: str
    counsellor_id: str
    centre: str
    ring_until: float
    interpreter_needed: bool
    callback: bool = False


@dataclass(frozen=True, slots=True)
class CancelRing:
    call_id: str
    counsellor_id: str
    reason: CancelReason


@dataclass(frozen=True, slots=True)
class AnnouncePosition:
    """Tell the caller their place (1-based) and expected wait (None = unknown)."""

    call_id: str
    position: int
    expected_wait: float | None


@dataclass(frozen=True, slots=True)
class OfferCallback:
    """Offer the waiting caller a callback (once per reason per call)."""

    call_id: str
    reason: CallbackReason


@dataclass(frozen=True, slots=True)
class CallOverflowed:
    """The call may now be taken in ``centres`` (its home included): widening, not moving."""

    call_id: str
    centres: tuple[str, ...]
    reason: OverflowReason


@dataclass(frozen=True, slots=True)
class CounsellorMissed:
    """The counsellor let a ring go unanswered and is now ``missed`` until resumed."""

    counsellor_id: str
    call_id: str


Decision = (
    RingCounsellor
    | CancelRing
    | AnnouncePosition
    | OfferCallback
    | CallOverflowed
    | CounsellorMissed
)
