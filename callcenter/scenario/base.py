"""Shared pieces of the scenario format: units, strict base model, errors, times of day."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

FORMAT_VERSION = 1
DAY = 86_400.0
HOUR = 3_600.0

Share = Annotated[float, Field(ge=0.0, le=1.0)]
Weight = Annotated[float, Field(ge=0.0)]
Seconds = Annotated[float, Field(ge=0.0)]
CentreCode = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_]{0,15}$")]
LanguageCode = Annotated[str, Field(pattern=r"^[a-z]{2,3}$")]
Gender = Literal["female", "male"]  # as routing.model.Gender
GenderWish = Literal["none", "female", "male"]  # as routing.model.GenderWish


def _only_female() -> dict[Gender, float]:
    return {"female": 1.0}


def _no_wish() -> dict[GenderWish, float]:
    return {"none": 1.0}


class ScenarioError(ValueError):
    """A scenario file that cannot be used; the message says where and why (vi + en)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- time of day ---------------------------------------------------------------------------


def parse_clock(text: str) -> float:
    """``"07:30"`` -> seconds after midnight; ``"24:00"`` is the end of the day."""
    hours, sep, minutes = text.partition(":")
    if not sep or not hours.isdigit() or not minutes.isdigit() or len(minutes) != 2:
        raise ValueError(f"time {text!r} is not HH:MM / thời gian {text!r} không đúng dạng HH:MM")
    h, m = int(hours), int(minutes)
    if m >= 60 or h > 24 or (h == 24 and m):
        raise ValueError(f"time {text!r} is out of range / thời gian {text!r} ngoài phạm vi")
    return h * HOUR + m * 60.0


def parse_shift(text: str) -> tuple[float, float]:
    """``"22:00-06:00"`` -> (start, end) in seconds; an end not after the start is the next day."""
    start_text, sep, end_text = text.partition("-")
    if not sep:
        raise ValueError(f"shift {text!r} is not HH:MM-HH:MM / ca {text!r} không đúng dạng")
    start, end = parse_clock(start_text.strip()), parse_clock(end_text.strip())
    if end <= start:
        end += DAY
    return start, end


def _check_shifts(shifts: list[str]) -> list[str]:
    for shift in shifts:
        parse_shift(shift)
    return shifts
