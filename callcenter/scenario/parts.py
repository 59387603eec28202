"""Centres, counsellors, teams, arrivals, callers, staff and report settings."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from callcenter.scenario.base import (
    Gender,
    GenderWish,
    LanguageCode,
    Seconds,
    Share,
    Weight,
    _check_shifts,
    _no_wish,
    _only_female,
    _Strict,
    parse_shift,
)
from callcenter.scenario.distributions import Distribution, Exponential, Never, fixed

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
