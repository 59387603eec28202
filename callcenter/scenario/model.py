"""The whole scenario, and reading it from TOML with clear errors."""

from __future__ import annotations

import dataclasses
import math
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, model_validator

from callcenter.scenario.base import DAY, FORMAT_VERSION, CentreCode, ScenarioError, _Strict
from callcenter.scenario.distributions import Fixed
from callcenter.scenario.parts import (
    CallerMix,
    Centre,
    Counsellor,
    Report,
    Staff,
    expand_team,
)
from callcenter.scenario.pbx import Pbx
from routing.policy import Policy, PolicyError


class Scenario(_Strict):
    format: Literal[1]
    name: str = Field(min_length=1)
    description: str = ""
    days: float = Field(default=1.0, gt=0.0, le=366.0)
    report: Report = Field(default_factory=Report)
    centres: dict[CentreCode, Centre] = Field(min_length=1)
    callers: CallerMix = Field(default_factory=CallerMix)
    staff: Staff = Field(default_factory=Staff)
    # overrides of routing.Policy fields (see docs/scenario.md); checked by the simulator
    policy: dict[str, Any] = Field(default_factory=dict)
    pbx: Pbx = Field(default_factory=Pbx)

    @model_validator(mode="after")
    def _unique_ids(self) -> Scenario:
        seen: set[str] = set()
        for code, centre in self.centres.items():
            ids = [c.id for c in centre.counsellors] + [
                f"{code}-{t.name}-{i:03d}" for t in centre.teams for i in range(1, t.count + 1)
            ]
            for cid in ids:
                if cid in seen:
                    raise ValueError(f"counsellor id {cid!r} used twice / mã tư vấn viên trùng")
                seen.add(cid)
        return self

    @model_validator(mode="after")
    def _policy(self) -> Scenario:
        self.routing_policy()
        for code in self.centres:
            self.caller_mix(code)  # per-centre overrides still make a valid mix
        ids = {c.id for _, c in self.counsellors()}
        for cid in self.pbx.phones.by_counsellor:
            if cid not in ids:
                raise ValueError(
                    f"pbx.phones.by_counsellor: no counsellor {cid!r} / không có tư vấn viên này"
                )
            self.pbx.phones.for_counsellor(cid)
        return self

    def routing_policy(self) -> Policy:
        """routing.Policy for this scenario: ``[policy]`` overrides, centres and their
        default languages and wrap-up from ``[centres]``. A wrap-up that is not ``fixed`` gets a
        one-day cap in the engine; the simulator ends it early (WrapUpEnded) at the drawn time."""
        reserved = {"centres", "default_language_by_centre", "wrap_up_by_centre"}
        taken = reserved & self.policy.keys()
        if taken:
            raise ValueError(
                f"policy: {sorted(taken)} come from [centres] / lấy từ [centres], không đặt ở đây"
            )
        known = {f.name for f in dataclasses.fields(Policy)}
        unknown = sorted(self.policy.keys() - known)
        if unknown:
            raise ValueError(f"policy: unknown key(s) {unknown} / khoá không được biết")
        wrap: dict[str, float] = {}
        for code, centre in self.centres.items():
            if isinstance(centre.wrap_up, Fixed):
                wrap[code] = centre.wrap_up.value
            elif centre.wrap_up is not None:
                wrap[code] = DAY
        # TOML has no null: `false` switches off a knob whose "off" is None (announce_interval)
        nullable = {f.name for f in dataclasses.fields(Policy) if "None" in str(f.type)}
        values: dict[str, Any] = {
            k: None if v is False and k in nullable else v for k, v in self.policy.items()
        }
        if "expected_talk_time" not in values:
            mean = self.callers.talk_time.expected()
            if 0 < mean < math.inf:
                values["expected_talk_time"] = mean
        try:
            values["centres"] = tuple(self.centres)
            values["default_language_by_centre"] = {
                code: c.default_language for code, c in self.centres.items()
            }
            values["wrap_up_by_centre"] = wrap
            return Policy(**values)
        except (PolicyError, TypeError) as exc:
            raise ValueError(f"policy: {exc}") from None

    def caller_mix(self, centre: str) -> CallerMix:
        """The caller mix of calls whose home is ``centre`` (the per-centre overrides applied)."""
        extra = self.centres[centre].callers
        if extra is None:
            return self.callers
        return CallerMix.model_validate(
            {**dict(self.callers), **{k: v for k, v in extra if v is not None}}
        )

    def counsellors(self) -> list[tuple[str, Counsellor]]:
        """Every counsellor as (centre, counsellor), teams expanded, in a stable order."""
        result: list[tuple[str, Counsellor]] = []
        for code, centre in self.centres.items():
            result.extend((code, c) for c in centre.counsellors)
            for team in centre.teams:
                result.extend((code, c) for c in expand_team(code, centre.default_language, team))
        return result


def _location(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(top level)"


def parse_scenario(data: dict[str, Any], source: str = "scenario") -> Scenario:
    """Validate a scenario given as a dict (as read from TOML); raise :class:`ScenarioError`."""
    version = data.get("format")
    if version != FORMAT_VERSION:
        raise ScenarioError(
            f"{source}: format = {version!r} is not supported, expected format = {FORMAT_VERSION}"
            f" / định dạng kịch bản không được hỗ trợ, cần format = {FORMAT_VERSION}"
        )
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        lines = [
            f"  {_location(err['loc'])}: "
            + (
                "unknown key / khoá không được biết"
                if err["type"] == "extra_forbidden"
                else err["msg"].removeprefix("Value error, ")
            )
            for err in exc.errors()
        ]
        raise ScenarioError(
            f"{source}: invalid scenario / kịch bản không hợp lệ:\n" + "\n".join(lines)
        ) from None


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file (TOML)."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read / không đọc được: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: not valid TOML / không phải TOML hợp lệ: {exc}") from None
    return parse_scenario(data, str(path))
