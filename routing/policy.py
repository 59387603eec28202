"""Every routing knob, with its default, in one frozen and validated object.

Times are seconds on the caller's monotonic timeline. ``docs/routing.md`` explains each knob and
proves the ageing bound.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from routing.model import Priority


class PolicyError(ValueError):
    """A policy value is out of range or inconsistent."""


def _frozen(mapping: Mapping[str, object]) -> Mapping[str, object]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True, slots=True)
class Policy:
    """Routing policy. All durations in seconds.

    centres: centre codes, in a fixed order (used for deterministic tie-breaks).
    overflow_after: a call waiting this long at its home centre widens to every centre.
    language_wait: after this wait a call whose language nobody free speaks also accepts a
        counsellor who speaks the centre's default language (the ring is flagged for an
        interpreter).
    default_language / default_language_by_centre: the centre's default language.
    gender_wait: a gender wish is honoured this long, then relaxed unless the caller insisted.
    max_overtake: the ageing bound. A call is never ranked behind a call that arrived more than
        ``max_overtake`` seconds after it, whatever the priorities (DANGER leads by this much).
    urgent_lead: the head start of an URGENT call over a NORMAL one (0 <= urgent_lead <=
        max_overtake).
    ring_timeout: a ring not answered by then counts as no answer (counsellor -> missed).
    wrap_up / wrap_up_by_centre: after-call work before the counsellor is available again.
    callback_offer_wait: when a caller's expected wait exceeds this, offer a callback.
    announce_interval: seconds between position announcements (None: never announce).
    expected_talk_time: initial estimate of talk time per call, for expected waits.
    talk_time_smoothing: weight of each observed talk time in the running estimate (0..1].
    assume_phone_registered: a counsellor whose phone was never reported counts as registered.
    """

    centres: tuple[str, ...] = ("HN", "DN", "AG")
    overflow_after: float = 20.0
    language_wait: float = 30.0
    default_language: str = "vi"
    default_language_by_centre: Mapping[str, str] = field(default_factory=dict)
    gender_wait: float = 60.0
    max_overtake: float = 120.0
    urgent_lead: float = 60.0
    ring_timeout: float = 15.0
    wrap_up: float = 30.0
    wrap_up_by_centre: Mapping[str, float] = field(default_factory=dict)
    callback_offer_wait: float = 180.0
    announce_interval: float | None = 30.0
    expected_talk_time: float = 420.0
    talk_time_smoothing: float = 0.05
    assume_phone_registered: bool = True

    def __post_init__(self) -> None:
        if not self.centres:
            raise PolicyError("centres: at least one centre is needed")
        if len(set(self.centres)) != len(self.centres):
            raise PolicyError(f"centres: duplicates in {self.centres!r}")
        for centre in self.centres:
            if not isinstance(centre, str) or not centre or centre == "*":
                raise PolicyError(f"centres: {centre!r} is not a centre code")
        for name in ("overflow_after", "language_wait", "gender_wait", "max_overtake", "wrap_up"):
            _non_negative(name, getattr(self, name))
        for name in ("urgent_lead", "callback_offer_wait"):
            _non_negative(name, getattr(self, name))
        _positive("ring_timeout", self.ring_timeout)
        _positive("expected_talk_time", self.expected_talk_time)
        if self.urgent_lead > self.max_overtake:
            raise PolicyError(
                f"urgent_lead ({self.urgent_lead}) must not exceed max_overtake "
                f"({self.max_overtake})"
            )
        if self.announce_interval is not None:
            _positive("announce_interval", self.announce_interval)
        if not 0.0 < self.talk_time_smoothing <= 1.0:
            raise PolicyError(
                f"talk_time_smoothing must be in (0, 1], got {self.talk_time_smoothing}"
            )
        if not self.default_language:
            raise PolicyError("default_language must not be empty")
        for key, language in self.default_language_by_centre.items():
            self._known_centre("default_language_by_centre", key)
            if not isinstance(language, str) or not language:
                raise PolicyError(
                    f"default_language_by_centre[{key}]: {language!r} is not a language"
                )
        for key, seconds in self.wrap_up_by_centre.items():
            self._known_centre("wrap_up_by_centre", key)
            _non_negative(f"wrap_up_by_centre[{key}]", seconds)
        object.__setattr__(
            self, "default_language_by_centre", _frozen(self.default_language_by_centre)
        )
        object.__setattr__(self, "wrap_up_by_centre", _frozen(self.wrap_up_by_centre))

    def _known_centre(self, knob: str, centre: str) -> None:
        if centre not in self.centres:
            raise PolicyError(f"{knob}: unknown centre {centre!r} (centres: {self.centres!r})")

    def language_of(self, centre: str) -> str:
        """The default language of ``centre`` (what a relaxed call may fall back to)."""
        return self.default_language_by_centre.get(centre, self.default_language)

    def wrap_up_of(self, centre: str) -> float:
        """Wrap-up seconds after a call at ``centre``."""
        return self.wrap_up_by_centre.get(centre, self.wrap_up)

    def lead(self, priority: Priority) -> float:
        """Head start (seconds) of a priority class in the ranking; NORMAL has none."""
        if priority >= Priority.DANGER:
            return self.max_overtake
        if priority == Priority.URGENT:
            return self.urgent_lead
        return 0.0


def _non_negative(name: str, value: object) -> None:
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise PolicyError(f"{name} must be a number of seconds, got {value!r}")
    if not math.isfinite(value) or value < 0:
        raise PolicyError(f"{name} must be finite and >= 0, got {value!r}")


def _positive(name: str, value: object) -> None:
    _non_negative(name, value)
    assert isinstance(value, int | float)
    if value <= 0:
        raise PolicyError(f"{name} must be > 0, got {value!r}")
