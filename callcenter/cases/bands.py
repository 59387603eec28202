"""Age bands (CTDC ``ageBroad``) and the coarse gender used in exports and statistics."""

from __future__ import annotations

import datetime as dt

# (lowest age, band code); a band runs up to the next band's lowest age.
_BANDS: tuple[tuple[int, str], ...] = (
    (0, "0-8"),
    (9, "9-17"),
    (18, "18-20"),
    (21, "21-23"),
    (24, "24-26"),
    (27, "27-29"),
    (30, "30-38"),
    (39, "39-47"),
    (48, "48+"),
)
UNKNOWN = "unknown"
MINOR_BANDS = frozenset({"0-8", "9-17"})


def age_band(age: int | None) -> str:
    """CTDC ageBroad band of an age in whole years; ``unknown`` when not known."""
    if age is None:
        return UNKNOWN
    if age < 0 or age > 130:
        raise ValueError(f"tuổi không hợp lệ / invalid age: {age}")
    band = _BANDS[0][1]
    for lowest, code in _BANDS:
        if age >= lowest:
            band = code
    return band


def minor_or_adult(band: str) -> str:
    """``minor`` (under 18: no force or deception needed), ``adult`` or ``unknown``."""
    if band == UNKNOWN:
        return UNKNOWN
    return "minor" if band in MINOR_BANDS else "adult"


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def coarse_gender(sex: str | None, gender_identity: str | None) -> str:
    """woman / man / trans_or_nonconforming / unknown, from the two separate fields.

    Gender identity wins when it is given; sex is the fallback. Nothing else is derived.
    """
    if gender_identity in ("transgender", "non_binary", "other"):
        return "trans_or_nonconforming"
    if gender_identity in ("woman", "man"):
        return gender_identity
    if sex == "female":
        return "woman"
    if sex == "male":
        return "man"
    return UNKNOWN
