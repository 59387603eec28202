"""The hotline's IVR as a pure state machine: digits and time-outs in, prompts and answers out.

No I/O and no clock: the caller passes ``now`` and plays what the machine asks for. The menus are
configuration (:class:`IvrConfig`). Safe defaults everywhere: a caller who presses nothing gets
Vietnamese, a region from the caller-number prefix table when one matches, else the national pool.
Pressing the danger digit at any moment ends the IVR at once with ``danger=True``.

Optionally (``province_key``) a region-menu key, or (``province_after_region``) a question after
the region menu, lets the caller key the two digits of their province code (GSO code of the 34
provinces since 1 July 2025; an old code of the 63 is accepted and converted); the province's
centre comes from ``province_centres`` or its region's default centre. A wrong code or silence
repeats the question, then falls back to the region-menu answer if there was one, else to what
the caller number says (the prefix table) or the national pool. Province codes contain the danger
digit (79, 91, ...): in the code step a lone danger digit (no second digit before the time-out),
or the danger digit followed by a digit that makes no province code (e.g. 99), means "in danger
now".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from pydantic import BaseModel, Field, model_validator

from callcenter.cases import provinces


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
    # a region-menu key for "key your province code" (None: only if province_after_region)
    province_key: str | None = None
    # ask every caller for the province code after their region-menu choice (which stays the
    # answer when they key no valid code)
    province_after_region: bool = False
    # province unit id (e.g. "vn34-79") -> centre, over the default centre of its region
    province_centres: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check_digits(self) -> IvrConfig:
        province_key = {self.province_key: ""} if self.province_key is not None else {}
        for menu in (self.language_menu, self.region_menu, province_key):
            for digit in menu:
                if len(digit) != 1 or digit not in "0123456789*#":
                    raise ValueError(f"menu key {digit!r} is not one DTMF digit")
            if self.danger_digit in menu:
                raise ValueError(f"digit {self.danger_digit!r} is reserved for 'in danger now'")
        if self.province_key is not None and self.province_key in self.region_menu:
            raise ValueError(f"province key {self.province_key!r} is already a region choice")
        for unit_id in self.province_centres:
            provinces.unit(unit_id)  # a clear error for an unknown unit id
        return self

    def province_for_code(self, code: str) -> tuple[str, str] | None:
        """(unit id, centre) for a two-digit code the caller keyed, or None if no province."""
        unit_id = f"vn34-{code}"
        try:
            unit = provinces.unit(unit_id)
        except provinces.UnknownProvinceError:
            try:
                unit = provinces.current_unit(f"vn63-{code}")
            except provinces.UnknownProvinceError:
                return None
        centre = self.province_centres.get(unit.unit_id)
        if centre is None:
            centre = provinces.DEFAULT_CENTRE_BY_REGION[unit.region]
        return unit.unit_id, centre

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
    PROVINCE = "province"
    DONE = "done"


@dataclass(frozen=True, slots=True)
class IvrAnswers:
    language: str
    home_centre: str | None  # None = national pool
    danger: bool
    language_chosen: bool
    region_chosen: bool
    digits: str
    province: str | None = None  # unit id, e.g. "vn34-79", when the caller keyed a code


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
    _code: str = ""  # the province code digits keyed so far
    _province: str | None = None
    _region: str | None = None  # the region-menu answer, when the province is asked after it
    _region_given: bool = False

    def start(self, now: float) -> list[IvrAction]:
        self.step = Step.LANGUAGE
        self.deadline = now + self.config.digit_timeout
        return [PlayPrompts(("welcome", "danger", "choose-language"))]

    def on_digit(self, digit: str, now: float) -> list[IvrAction]:
        if self.step is Step.DONE:
            return []
        self._digits.append(digit)
        if self.step is Step.PROVINCE:
            return self._province_digit(digit, now)
        if digit == self.config.danger_digit:
            return self._finish(danger=True, region=None, region_chosen=False)
        if self.step is Step.LANGUAGE:
            language = self.config.language_menu.get(digit)
            if language is None:
                return self._retry(now)
            self._language = language
            return self._next_after_language(now)
        if digit == self.config.province_key:
            return self._ask_province(now)
        centre = self.config.region_menu.get(digit)
        if centre is None:
            return self._retry(now)
        if self.config.province_after_region:
            self._region, self._region_given = centre or None, True
            return self._ask_province(now)
        return self._finish(danger=False, region=centre or None, region_chosen=True)

    def _ask_province(self, now: float) -> list[IvrAction]:
        self.step = Step.PROVINCE
        self._attempt = 1
        self._code = ""
        self.deadline = now + self.config.digit_timeout
        return [PlayPrompts(("enter-province",))]

    def _give_up(self) -> list[IvrAction]:
        """No (valid) answer to the region menu or the province question: the safe default."""
        return self._finish(danger=False, region=self._region, region_chosen=self._region_given)

    def _province_digit(self, digit: str, now: float) -> list[IvrAction]:
        danger = self.config.danger_digit
        if not self._code:
            self._code = digit
            self.deadline = now + self.config.digit_timeout
            return []
        code, self._code = self._code + digit, ""
        found = self.config.province_for_code(code)
        if found is not None:
            self._province = found[0]
            return self._finish(danger=False, region=found[1], region_chosen=True)
        if code[0] == danger:
            return self._finish(danger=True, region=None, region_chosen=False)
        return self._retry(now, wrong=True)

    def on_timeout(self, now: float) -> list[IvrAction]:
        if self.step is Step.DONE or self.deadline is None or now < self.deadline:
            return []
        if self.step is Step.PROVINCE and self._code:
            if self._code == self.config.danger_digit:  # a lone danger digit: in danger now
                return self._finish(danger=True, region=None, region_chosen=False)
            self._code = ""
        if self._attempt < self.config.attempts:
            return self._retry(now)
        if self.step is Step.LANGUAGE:
            return self._next_after_language(now)
        return self._give_up()

    def _retry(self, now: float, *, wrong: bool = False) -> list[IvrAction]:
        if self._attempt >= self.config.attempts:
            # an unknown digit on the last attempt counts as no answer: take the safe default
            self._attempt = self.config.attempts
            self.deadline = now
            if self.step is Step.LANGUAGE:
                return self._next_after_language(now)
            return self._give_up()
        self._attempt += 1
        self.deadline = now + self.config.digit_timeout
        if self.step is Step.PROVINCE:
            return [PlayPrompts(("province-unknown",) if wrong else ("enter-province",))]
        if self.step is Step.LANGUAGE:
            return [PlayPrompts(("danger", "choose-language"))]
        return [PlayPrompts(("danger", *self._region_menu()))]

    def _next_after_language(self, now: float) -> list[IvrAction]:
        if not self.config.ask_region:
            return self._finish(danger=False, region=None, region_chosen=False)
        self.step = Step.REGION
        self._attempt = 1
        self.deadline = now + self.config.digit_timeout
        return [PlayPrompts(self._region_menu())]

    def _region_menu(self) -> tuple[str, ...]:
        if self.config.province_key is None:
            return ("choose-region",)
        return ("choose-region", "province-option")

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
            province=self._province,
        )
        return [IvrFinished(answers)]
