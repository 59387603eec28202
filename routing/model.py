"""The routing engine's vocabulary: states, wishes, priorities, and read-only snapshots.

Everything here is plain data. The engine's own mutable records live in ``routing/state.py``;
dashboards and the simulator only ever see the frozen views defined at the bottom.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum


class Gender(StrEnum):
    """A counsellor's gender, as they declare it at log-in."""

    FEMALE = "female"
    MALE = "male"


class GenderWish(StrEnum):
    """The counsellor gender a caller asked for in the IVR."""

    NONE = "none"
    FEMALE = "female"
    MALE = "male"


class CounsellorState(StrEnum):
    """Where a counsellor is. Phone states (registered, busy elsewhere) are kept apart."""

    OFFLINE = "offline"
    AVAILABLE = "available"
    RINGING = "ringing"
    ON_CALL = "on_call"
    WRAP_UP = "wrap_up"
    PAUSED = "paused"
    MISSED = "missed"  # paused by the engine after a ring with no answer, until resumed


class Priority(IntEnum):
    """Higher ranks first, within the ageing bound (``Policy.max_overtake``)."""

    NORMAL = 0
    URGENT = 1  # e.g. the caller is a minor
    DANGER = 2  # "I am in danger now"


class RingFailure(StrEnum):
    """Why an offered call was not answered."""

    NO_ANSWER = "no_answer"
    BUSY = "busy"
    UNREACHABLE = "unreachable"


class CallStatus(StrEnum):
    """Where a call the engine knows is: in line, ringing a counsellor, or connected."""

    WAITING = "waiting"
    RINGING = "ringing"
    CONNECTED = "connected"


@dataclass(frozen=True, slots=True)
class CallView:
    """A snapshot of one call, for dashboards, announcements and tests.

    ``position`` is 1-based among the waiting calls of the same home centre (``None`` home =
    national pool); ``expected_wait`` is in seconds, ``None`` when nobody is staffed to serve it.
    ``reach`` lists the centres whose counsellors may take the call now (widening, not moving).
    """

    call_id: str
    status: CallStatus
    arrived_at: float
    home_centre: str | None
    language: str
    gender_wish: GenderWish
    gender_insist: bool
    priority: Priority
    callback: bool
    reach: tuple[str, ...]
    language_relaxed: bool
    gender_relaxed: bool
    tried: tuple[str, ...]
    counsellor_id: str | None
    position: int | None
    expected_wait: float | None


@dataclass(frozen=True, slots=True)
class CounsellorView:
    """A snapshot of one counsellor. ``phone_usable`` = registered and not busy elsewhere."""

    counsellor_id: str
    centre: str | None
    state: CounsellorState
    languages: frozenset[str]
    gender: Gender | None
    idle_since: float | None
    calls_handled: int
    pause_reason: str | None
    phone_registered: bool | None
    phone_busy: bool
    phone_usable: bool
    call_id: str | None
    wrap_up_until: float | None
