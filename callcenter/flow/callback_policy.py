"""How long and how often the service tries to call a survivor back (settings ``callbacks``),
and the small decisions about one attempt, kept free of I/O so they are easy to test."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field, field_validator

from callcenter.calls.outcomes import CallbackAttemptOutcome, CallbackState

VIET_NAM = ZoneInfo("Asia/Ho_Chi_Minh")

#: Safe times a caller can choose (hours, Viet Nam time, [start, end)); the IVR's keys 1, 2, 3
#: are morning, afternoon, evening (any other key: any time). ``callbacks.windows`` changes the
#: hours (record the prompt ``callback-when`` to match).
WINDOWS: dict[str, tuple[int, int]] = {
    "morning": (7, 11),
    "afternoon": (13, 17),
    "evening": (18, 21),
    "any": (0, 24),
}
Windows = dict[str, tuple[int, int]]


def window_open(window: str, at: datetime, windows: Windows = WINDOWS) -> bool:
    start, end = windows.get(window, (0, 24))
    return start <= at.astimezone(VIET_NAM).hour < end


def seconds_until_open(window: str, at: datetime, windows: Windows = WINDOWS) -> float:
    """0 if open now, else seconds until the window next opens."""
    if window_open(window, at, windows):
        return 0.0
    start, _ = windows[window]
    local = at.astimezone(VIET_NAM)
    opening = local.replace(hour=start, minute=0, second=0, microsecond=0)
    if opening <= local:
        opening += timedelta(days=1)
    return (opening - local).total_seconds()


class CallbackSettings(BaseModel):
    """``CALLCENTER_CALLBACKS__MAX_ATTEMPTS`` etc. (docs/calls.md, "Callback requests")."""

    max_attempts: int = Field(default=3, ge=1, description="dialled attempts before giving up")
    retry_after: float = Field(default=900.0, gt=0, description="seconds between attempts")
    expire_after: float = Field(
        default=3 * 86400.0, gt=0, description="a request older than this is not called back"
    )
    windows: Windows = Field(
        default_factory=lambda: dict(WINDOWS),
        description="safe times: name -> [start hour, end hour) in Viet Nam time",
    )

    @field_validator("windows")
    @classmethod
    def _whole_day_hours(cls, windows: Windows) -> Windows:
        for name, (start, end) in windows.items():
            if not 0 <= start < end <= 24:
                raise ValueError(
                    f"window {name}: hours must satisfy 0 <= start < end <= 24 / "
                    f"khung giờ {name}: giờ bắt đầu phải trước giờ kết thúc, trong 0-24"
                )
        missing = {"morning", "afternoon", "evening", "any"} - set(windows)
        if missing:
            raise ValueError(f"windows missing / thiếu khung giờ: {', '.join(sorted(missing))}")
        return windows


def outbound_outcome(cause: int | None, tech_cause: int | None) -> CallbackAttemptOutcome:
    """Why the outbound leg to the survivor ended before they answered (the same hang-up
    causes as a counsellor's phone: 17 / SIP 486 busy, 18/19/21 nobody answered)."""
    if cause == 17 or tech_cause == 486:
        return CallbackAttemptOutcome.BUSY
    if cause in (18, 19, 21):
        return CallbackAttemptOutcome.NO_ANSWER
    return CallbackAttemptOutcome.FAILED


@dataclass(frozen=True, slots=True)
class AfterAttempt:
    """What follows an attempt: the request is closed (``closed``) or tried again in
    ``retry_in`` seconds (at once when the service's own stop broke the attempt off)."""

    closed: CallbackState | None
    retry_in: float = 0.0


def after_attempt(
    outcome: CallbackAttemptOutcome, attempts: int, settings: CallbackSettings
) -> AfterAttempt:
    """``attempts``: dialled attempts so far, this one included."""
    if outcome is CallbackAttemptOutcome.ANSWERED:
        return AfterAttempt(CallbackState.DONE)
    if attempts >= settings.max_attempts:
        return AfterAttempt(CallbackState.FAILED)
    if outcome is CallbackAttemptOutcome.INTERRUPTED:
        return AfterAttempt(None, 0.0)
    return AfterAttempt(None, settings.retry_after)


def expired(requested_at: datetime | None, now: datetime, settings: CallbackSettings) -> bool:
    if requested_at is None:
        return False
    return now - requested_at > timedelta(seconds=settings.expire_after)
