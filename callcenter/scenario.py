"""The project's one scenario format: a simulated world of callers and counsellors, in TOML.

Read by ``callcenter simulate`` (the discrete-event simulator, no network) and by the PBX
simulator (``pbxsim``), which also reads the optional ``[pbx]`` section. Versioned with
``format = 1``; every table rejects keys it does not know, so a typo is an error, never a silent
default. Every field is documented in docs/scenario.md.

Times of day are ``"HH:MM"`` strings; durations are seconds (floats). Distributions are tables
with a ``kind`` (``exponential``, ``lognormal``, ``gamma``, ``uniform``, ``fixed``, ``never``) and
each has :meth:`sample` so both simulators draw from them the same way.
"""

from __future__ import annotations

import dataclasses
import math
import random
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from routing.policy import Policy, PolicyError

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


# --- distributions -------------------------------------------------------------------------


class Exponential(_Strict):
    kind: Literal["exponential"]
    mean: float = Field(gt=0.0)

    def sample(self, rng: random.Random) -> float:
        return rng.expovariate(1.0 / self.mean)

    def expected(self) -> float:
        return self.mean


class LogNormal(_Strict):
    """Parametrised by the mean and standard deviation of the durations themselves."""

    kind: Literal["lognormal"]
    mean: float = Field(gt=0.0)
    sd: float = Field(gt=0.0)
    _mu: float = PrivateAttr(0.0)
    _sigma: float = PrivateAttr(0.0)

    def model_post_init(self, __context: Any) -> None:
        sigma2 = math.log1p((self.sd / self.mean) ** 2)
        self._sigma = math.sqrt(sigma2)
        self._mu = math.log(self.mean) - sigma2 / 2.0

    def sample(self, rng: random.Random) -> float:
        return rng.lognormvariate(self._mu, self._sigma)

    def expected(self) -> float:
        return self.mean


class Gamma(_Strict):
    """Parametrised by mean and standard deviation (sd = mean is the exponential)."""

    kind: Literal["gamma"]
    mean: float = Field(gt=0.0)
    sd: float = Field(gt=0.0)

    def sample(self, rng: random.Random) -> float:
        shape = (self.mean / self.sd) ** 2
        return rng.gammavariate(shape, self.mean / shape)

    def expected(self) -> float:
        return self.mean


class Uniform(_Strict):
    kind: Literal["uniform"]
    low: Seconds
    high: Seconds

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if self.high < self.low:
            raise ValueError("high must not be below low / high phải lớn hơn hoặc bằng low")
        return self

    def sample(self, rng: random.Random) -> float:
        return rng.uniform(self.low, self.high)

    def expected(self) -> float:
        return (self.low + self.high) / 2.0


class Fixed(_Strict):
    kind: Literal["fixed"]
    value: Seconds

    def sample(self, rng: random.Random) -> float:
        return self.value

    def expected(self) -> float:
        return self.value


class Never(_Strict):
    """Infinite: a caller who never gives up, a counsellor who never comes back by themselves."""

    kind: Literal["never"]

    def sample(self, rng: random.Random) -> float:
        return math.inf

    def expected(self) -> float:
        return math.inf


Distribution = Annotated[
    Exponential | LogNormal | Gamma | Uniform | Fixed | Never, Field(discriminator="kind")
]


def fixed(value: float) -> Fixed:
    return Fixed(kind="fixed", value=value)


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


# --- centres and counsellors ----------------------------------------------------------------


class Counsellor(_Strict):
    """One named counsellor."""

    id: str = Field(min_length=1, max_length=64)
    languages: list[LanguageCode] = Field(min_length=1)
    gender: Gender
    shifts: list[str] = Field(default_factory=lambda: ["00:00-24:00"])

    @field_validator("shifts")
    @classmethod
    def _shifts(cls, value: list[str]) -> list[str]:
        return _check_shifts(value)


class Team(_Strict):
    """``count`` counsellors described by shares; members are numbered ``<CENTRE>-<name>-NNN``."""

    name: str = Field(pattern=r"^[A-Za-z0-9_]{1,32}$")
    count: int = Field(ge=0)
    # share of the team that speaks each language (the centre's default language is always added)
    languages: dict[LanguageCode, Share] = Field(default_factory=dict)
    genders: dict[Gender, Weight] = Field(default_factory=_only_female)
    shifts: list[str] = Field(default_factory=lambda: ["00:00-24:00"])

    @field_validator("shifts")
    @classmethod
    def _shifts(cls, value: list[str]) -> list[str]:
        return _check_shifts(value)

    @field_validator("genders")
    @classmethod
    def _some_gender(cls, value: dict[str, float]) -> dict[str, float]:
        if not value or sum(value.values()) <= 0:
            raise ValueError("genders needs a positive weight / cần ít nhất một tỉ lệ dương")
        return value


class Surge(_Strict):
    """A burst of calls (a campaign): arrival rates times ``factor`` between two times."""

    start: str
    end: str
    factor: float = Field(gt=0.0)
    day: int | None = Field(default=None, ge=1)  # None: every day

    @model_validator(mode="after")
    def _times(self) -> Surge:
        parse_shift(f"{self.start}-{self.end}")
        return self


class Arrivals(_Strict):
    """Calls whose home centre is this one: a Poisson process, piecewise constant per hour."""

    # calls per hour: one number for every hour, or 24 numbers (00:00-01:00 first)
    per_hour: float | list[Weight] | None = None
    # or calls per day spread over the hours by `profile` (24 weights; default flat)
    per_day: float | None = Field(default=None, ge=0.0)
    profile: list[Weight] | None = None
    surges: list[Surge] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_way(self) -> Arrivals:
        if (self.per_hour is None) == (self.per_day is None):
            raise ValueError(
                "give exactly one of per_hour or per_day / chỉ dùng per_hour hoặc per_day"
            )
        if isinstance(self.per_hour, float) and self.per_hour < 0:
            raise ValueError("per_hour must not be negative / per_hour không được âm")
        if isinstance(self.per_hour, list) and len(self.per_hour) != 24:
            raise ValueError("per_hour needs 24 values / per_hour cần đúng 24 giá trị")
        if self.profile is not None:
            if self.per_day is None:
                raise ValueError("profile goes with per_day / profile chỉ dùng với per_day")
            if len(self.profile) != 24 or sum(self.profile) <= 0:
                raise ValueError("profile needs 24 weights, not all zero / profile cần 24 trọng số")
        return self

    def hourly_rates(self) -> list[float]:
        """Calls per hour for each hour of the day (before surges)."""
        if self.per_hour is not None:
            if isinstance(self.per_hour, list):
                return list(self.per_hour)
            return [float(self.per_hour)] * 24
        assert self.per_day is not None
        weights = self.profile or [1.0] * 24
        total = sum(weights)
        return [self.per_day * w / total for w in weights]


class CallerOverrides(_Strict):
    """Per-centre changes to the caller mix (any field of ``[callers]`` except callback)."""

    languages: dict[LanguageCode, Weight] | None = None
    gender_wish: dict[GenderWish, Weight] | None = None
    insist_share: Share | None = None
    danger_share: Share | None = None
    urgent_share: Share | None = None
    provinces: dict[str, Weight] | None = None
    talk_time: Distribution | None = None
    patience: Distribution | None = None


class Centre(_Strict):
    name: str = ""
    default_language: LanguageCode = "vi"
    arrivals: Arrivals
    teams: list[Team] = Field(default_factory=list)
    counsellors: list[Counsellor] = Field(default_factory=list)
    # None: the routing policy's wrap-up for this centre (the engine's own deadline)
    wrap_up: Distribution | None = None
    callers: CallerOverrides | None = None


# --- callers, staff, report, pbx ------------------------------------------------------------


class CallerMix(_Strict):
    """Who calls: shares are weights, normalised over the keys given."""

    languages: dict[LanguageCode, Weight] = Field(default_factory=lambda: {"vi": 1.0})
    gender_wish: dict[GenderWish, Weight] = Field(default_factory=_no_wish)
    insist_share: Share = 0.0  # of the callers with a gender wish, who insist on it
    danger_share: Share = 0.0  # "in danger now": priority DANGER, every centre at once
    urgent_share: Share = 0.0  # e.g. a minor: priority URGENT
    provinces: dict[str, Weight] = Field(default_factory=dict)  # for the PBX IVR; optional
    talk_time: Distribution = Field(
        default_factory=lambda: Exponential(kind="exponential", mean=300)
    )
    patience: Distribution = Field(default_factory=lambda: Never(kind="never"))
    callback_accept: Share = 0.0  # share of callers who accept a callback offer

    @field_validator("languages", "gender_wish")
    @classmethod
    def _positive(cls, value: dict[str, float]) -> dict[str, float]:
        if not value or sum(value.values()) <= 0:
            raise ValueError("needs a positive weight / cần ít nhất một tỉ lệ dương")
        return value

    @model_validator(mode="after")
    def _priorities(self) -> CallerMix:
        if self.danger_share + self.urgent_share > 1.0:
            raise ValueError("danger_share + urgent_share > 1 / tổng tỉ lệ ưu tiên vượt quá 1")
        return self


class Staff(_Strict):
    """How counsellors behave outside the phone itself."""

    # a counsellor put in "missed" after an unanswered ring comes back after this long
    missed_return: Distribution = Field(default_factory=lambda: fixed(60.0))


class Report(_Strict):
    service_level_seconds: Seconds = 20.0
    short_abandon_seconds: Seconds = 5.0  # abandoned sooner: not counted against service
    warmup_seconds: Seconds = 0.0  # calls arriving earlier are simulated but not counted
    batches: int = Field(default=20, ge=2, le=1000)  # batch means for the 95% intervals


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


def _apportion(weights: dict[str, float], count: int) -> list[str]:
    """``count`` labels in proportion to ``weights`` (largest remainder), evenly interleaved."""
    total = sum(weights.values())
    exact = {k: count * w / total for k, w in weights.items()}
    quota = {k: int(v) for k, v in exact.items()}
    rest = sorted(exact, key=lambda k: (quota[k] - exact[k], k))
    for k in rest[: count - sum(quota.values())]:
        quota[k] += 1
    # interleave: member i gets the label whose running share lags most
    labels: list[str] = []
    given = dict.fromkeys(quota, 0)
    for i in range(count):
        k = min(quota, key=lambda k: (given[k] - (i + 1) * quota[k] / count, k))
        given[k] += 1
        labels.append(k)
    return labels


def expand_team(centre: str, default_language: str, team: Team) -> list[Counsellor]:
    """The members of a team: languages spread evenly by share, genders by weight."""
    genders = _apportion({str(k): v for k, v in team.genders.items()}, team.count)
    speaks: list[list[str]] = [[default_language] for _ in range(team.count)]
    for language, share in sorted(team.languages.items()):
        if language == default_language:
            continue
        k = round(share * team.count)
        for i in range(team.count):
            if (i + 1) * k // team.count > i * k // team.count:
                speaks[i].append(language)
    return [
        Counsellor(
            id=f"{centre}-{team.name}-{i + 1:03d}",
            languages=speaks[i],
            gender=genders[i],  # type: ignore[arg-type]
            shifts=team.shifts,
        )
        for i in range(team.count)
    ]


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
