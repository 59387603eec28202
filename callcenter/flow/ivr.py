"""The hotline's IVR as a pure state machine: digits and time-outs in, prompts and answers out.

No I/O and no clock: the caller passes ``now`` and plays what the machine asks for. The menus are
configuration (:class:`IvrConfig`). Safe defaults everywhere: a caller who presses nothing gets
Vietnamese, a region from the caller-number prefix table when one matches, else the national pool.
Pressing the danger digit at any moment ends the IVR at once with ``danger=True``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from pydantic import BaseModel, Field, model_validator


class IvrConfig(BaseModel):
    """IVR menus and time-outs (every one a setting; tests use short ones)."""

    language_menu: dict[str, str] = Field(
        default_factory=lambda: {"1": "vi", "2": "en", "3": "km", "4": "hmn"}
    )
    # digit -> centre code; a digit mapped to "" means "the national pool"
    region_menu: dict[str, str] = Field(
        default_factory=lambda: {"1": "HN", "2": "DN", "3": "AG", "0": ""}
    )
    danger_digit: str = "9"
    default_language: str = "vi"
    digit_timeout: float = Field(default=6.0, gt=0)
    attempts: int = Field(default=2, ge=1)
    # caller-number prefix (E.164 or national) -> centre, longest prefix wins
    prefix_table: dict[str, str] = Field(default_factory=dict)
    ask_region: bool = True

    @model_validator(mode="after")
    def _check_digits(self) -> IvrConfig:
        for menu in (self.language_menu, self.region_menu):
            for digit in menu:
                if len(digit) != 1 or digit not in "0123456789*#":
                    raise ValueError(f"menu key {digit!r} is not one DTMF digit")
            if self.danger_digit in menu:
                raise ValueError(f"digit {self.danger_digit!r} is reserved for 'in danger now'")
        return self

    def region_for_number(self, number: str | None) -> str | None:
        if not number:
            return None
        best: str | None = None
        best_len = -1
        for prefix, centre in self.prefix_table.items():
            if number.startswith(prefix) and len(prefix) > best_len:
                best, best_len = centre, len(prefix)
        return best


class Step(StrEnum):
    LANGUAGE = "language"
    REGION = "region"
    DONE = "done"


@dataclass(frozen=True, slots=True)
class IvrAnswers:
    language: str
    home_centre: str | None  # None = national pool
    danger: bool
    language_chosen: bool
    region_chosen: bool
    digits: str


@dataclass(frozen=True, slots=True)
class PlayPrompts:
    """Stop whatever plays and play these prompts (by name, see prompts.PROMPTS)."""

    prompts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class IvrFinished:
    answers: IvrAnswers


IvrAction = PlayPrompts | IvrFinished


@dataclass(slots=True)
class IvrMachine:
    config: IvrConfig
    caller_number: str | None = None
    step: Step = Step.LANGUAGE
    deadline: float | None = None
    _attempt: int = 1
    _language: str | None = None
    _digits: list[str] = field(default_factory=list)

    def start(self, now: float) -> list[IvrAction]:
        self.step = Step.LANGUAGE
        self.deadline = now + self.config.digit_timeout
        return [PlayPrompts(("welcome", "danger", "choose-language"))]

    def on_digit(self, digit: str, now: float) -> list[IvrAction]:
        if self.step is Step.DONE:
            return []
        self._digits.append(digit)
        if digit == self.config.danger_digit:
            return self._finish(danger=True, region=None, region_chosen=False)
        if self.step is Step.LANGUAGE:
            language = self.config.language_menu.get(digit)
            if language is None:
                return self._retry(now)
            self._language = language
            return self._next_after_language(now)
        centre = self.config.region_menu.get(digit)
        if centre is None:
            return self._retry(now)
        return self._finish(danger=False, region=centre or None, region_chosen=True)

    def on_timeout(self, now: float) -> list[IvrAction]:
        if self.step is Step.DONE or self.deadline is None or now < self.deadline:
            return []
        if self._attempt < self.config.attempts:
            return self._retry(now)
        if self.step is Step.LANGUAGE:
            return self._next_after_language(now)
        return self._finish(danger=False, region=None, region_chosen=False)

    def _retry(self, now: float) -> list[IvrAction]:
        if self._attempt >= self.config.attempts:
            # an unknown digit on the last attempt counts as no answer: take the safe default
            self._attempt = self.config.attempts
            self.deadline = now
            if self.step is Step.LANGUAGE:
                return self._next_after_language(now)
            return self._finish(danger=False, region=None, region_chosen=False)
        self._attempt += 1
        self.deadline = now + self.config.digit_timeout
        menu = "choose-language" if self.step is Step.LANGUAGE else "choose-region"
        return [PlayPrompts(("danger", menu))]

    def _next_after_language(self, now: float) -> list[IvrAction]:
        if not self.config.ask_region:
            return self._finish(danger=False, region=None, region_chosen=False)
        self.step = Step.REGION
        self._attempt = 1
        self.deadline = now + self.config.digit_timeout
        return [PlayPrompts(("choose-region",))]

    def _finish(self, *, danger: bool, region: str | None, region_chosen: bool) -> list[IvrAction]:
        self.step = Step.DONE
        self.deadline = None
        if not region_chosen:
            region = self.config.region_for_number(self.caller_number)
        answers = IvrAnswers(
            language=self._language or self.config.default_language,
            home_centre=region,
            danger=danger,
            language_chosen=self._language is not None,
            region_chosen=region_chosen,
            digits="".join(self._digits),
        )
        return [IvrFinished(answers)]
