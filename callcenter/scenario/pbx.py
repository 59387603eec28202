"""The ``[pbx]`` section: phones (both simulators), IVR answers and caller numbers (pbxsim)."""

from __future__ import annotations

from pydantic import Field, model_validator

from callcenter.scenario.base import Share, _Strict
from callcenter.scenario.distributions import Distribution, fixed


class PhoneBehaviour(_Strict):
    """How a counsellor's phone and its owner respond to a ring (both simulators use it)."""

    answer_delay: Distribution = Field(default_factory=lambda: fixed(3.0))
    no_answer: Share = 0.0  # rings until the routing engine's ring time-out
    busy: Share = 0.0  # rejected at once as busy
    unreachable: Share = 0.0  # fails at once: phone unreachable
    # a phone found busy is free again / an unreachable one registers again after this long
    recover_after: Distribution = Field(default_factory=lambda: fixed(30.0))

    @model_validator(mode="after")
    def _shares(self) -> PhoneBehaviour:
        if self.no_answer + self.busy + self.unreachable > 1.0:
            raise ValueError(
                "no_answer + busy + unreachable > 1 / tổng các tỉ lệ lỗi đổ chuông vượt quá 1"
            )
        return self


class PhoneOverrides(_Strict):
    answer_delay: Distribution | None = None
    no_answer: Share | None = None
    busy: Share | None = None
    unreachable: Share | None = None
    recover_after: Distribution | None = None


class Phones(PhoneBehaviour):
    by_counsellor: dict[str, PhoneOverrides] = Field(default_factory=dict)

    def for_counsellor(self, counsellor_id: str) -> PhoneBehaviour:
        base = PhoneBehaviour(
            answer_delay=self.answer_delay,
            no_answer=self.no_answer,
            busy=self.busy,
            unreachable=self.unreachable,
            recover_after=self.recover_after,
        )
        extra = self.by_counsellor.get(counsellor_id)
        if extra is None:
            return base
        return PhoneBehaviour.model_validate(
            {**dict(base), **{k: v for k, v in extra if v is not None}}
        )


class DigitScript(_Strict):
    digits: str = Field(pattern=r"^[0-9*#]*$")
    share: Share


class Ivr(_Strict):
    """How callers answer the IVR (the menus themselves are the service's configuration)."""

    key_delay: Distribution = Field(default_factory=lambda: fixed(2.0))
    no_key_share: Share = 0.0  # press nothing: the IVR's safe defaults apply
    wrong_key_share: Share = 0.0  # press a digit no menu knows, once
    hangup_share: Share = 0.0  # hang up inside the IVR
    scripts: list[DigitScript] = Field(default_factory=list)  # explicit digit sequences


class CallerNumbers(_Strict):
    withheld_share: Share = 0.0  # anonymous / withheld caller id
    repeat_share: Share = 0.0  # calls from a number that called before


class Pbx(_Strict):
    """Read by the PBX simulator; ``callcenter simulate`` uses only ``phones``."""

    phones: Phones = Field(default_factory=Phones)
    ivr: Ivr = Field(default_factory=Ivr)
    caller_numbers: CallerNumbers = Field(default_factory=CallerNumbers)
