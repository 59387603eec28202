"""The simulated world outside the routing engine: when calls arrive, who calls, who works when.

Randomness comes in separate streams derived from the seed (arrivals per centre, callers,
phones, staff), so changing one part of a scenario (say the staffing) leaves the calls themselves
unchanged: common random numbers, which makes two runs compare fairly.
"""

from __future__ import annotations

import bisect
import hashlib
import math
import random
from dataclasses import dataclass
from itertools import accumulate, pairwise

from callcenter.scenario import DAY, HOUR, CallerMix, Counsellor, Scenario, parse_clock, parse_shift
from routing.model import GenderWish, Priority


def stream(seed: int, name: str) -> random.Random:
    """An independent random stream for ``name`` under ``seed`` (stable across Python runs)."""
    digest = hashlib.sha256(f"{seed}/{name}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


class ArrivalProcess:
    """A Poisson process whose rate is constant within each hour (surges split hours)."""

    def __init__(self, scenario: Scenario, centre: str, horizon: float, rng: random.Random):
        arrivals = scenario.centres[centre].arrivals
        hourly = arrivals.hourly_rates()
        cuts = {0.0, horizon}
        days = math.ceil(horizon / DAY)
        cuts.update(h * HOUR for h in range(int(horizon // HOUR) + 1))
        windows: list[tuple[float, float, float]] = []
        for surge in arrivals.surges:
            start, end = parse_shift(f"{surge.start}-{surge.end}")
            for day in range(days) if surge.day is None else [surge.day - 1]:
                windows.append((day * DAY + start, day * DAY + end, surge.factor))
                cuts.update((day * DAY + start, day * DAY + end))
        points = sorted(c for c in cuts if 0.0 <= c <= horizon)
        self._starts: list[float] = []
        self._rates: list[float] = []  # calls per second
        for a, b in pairwise(points):
            mid = (a + b) / 2
            rate = hourly[int((mid % DAY) // HOUR)] / HOUR
            for w_start, w_end, factor in windows:
                if w_start <= mid < w_end:
                    rate *= factor
            self._starts.append(a)
            self._rates.append(rate)
        self._horizon = horizon
        self._rng = rng

    def next_after(self, t: float) -> float | None:
        """The next arrival after ``t`` (None: none before the horizon)."""
        need = self._rng.expovariate(1.0)  # unit-rate exponential, spent across segments
        i = bisect.bisect_right(self._starts, t) - 1
        while i < len(self._starts):
            end = self._starts[i + 1] if i + 1 < len(self._starts) else self._horizon
            rate = self._rates[i]
            if rate > 0:
                if need <= rate * (end - t):
                    return t + need / rate
                need -= rate * (end - t)
            t = end
            i += 1
        return None


@dataclass(frozen=True, slots=True)
class Caller:
    """One caller, drawn at arrival (everything about them that the world decides)."""

    language: str
    gender_wish: GenderWish
    insist: bool
    priority: Priority
    talk_time: float
    patience: float


class CallerFactory:
    def __init__(self, mix: CallerMix, rng: random.Random) -> None:
        self._rng = rng
        self._mix = mix
        self._languages = list(mix.languages)
        self._language_cum = list(accumulate(mix.languages.values()))
        self._wishes = [GenderWish(w) for w in mix.gender_wish]
        self._wish_cum = list(accumulate(mix.gender_wish.values()))

    def draw(self) -> Caller:
        rng, mix = self._rng, self._mix
        languages, wishes = self._languages, self._wishes
        language = (
            languages[0]
            if len(languages) == 1
            else rng.choices(languages, cum_weights=self._language_cum)[0]
        )
        wish = wishes[0] if len(wishes) == 1 else rng.choices(wishes, cum_weights=self._wish_cum)[0]
        insist = wish is not GenderWish.NONE and rng.random() < mix.insist_share
        u = rng.random()
        if u < mix.danger_share:
            priority = Priority.DANGER
        elif u < mix.danger_share + mix.urgent_share:
            priority = Priority.URGENT
        else:
            priority = Priority.NORMAL
        return Caller(
            language=language,
            gender_wish=wish,
            insist=insist,
            priority=priority,
            talk_time=mix.talk_time.sample(rng),
            patience=mix.patience.sample(rng),
        )


def logged_in_intervals(counsellor: Counsellor, horizon: float) -> list[tuple[float, float]]:
    """Merged (login, logout) times over the run; a logout at or after the horizon is ``inf``
    (the counsellor stays until the last call is done)."""
    spans: list[tuple[float, float]] = []
    for day in range(-1, math.ceil(horizon / DAY)):
        for shift in counsellor.shifts:
            start, end = parse_shift(shift)
            a, b = max(0.0, day * DAY + start), day * DAY + end
            if a < b and a < horizon:
                spans.append((a, math.inf if b >= horizon else b))
    spans.sort()
    merged: list[tuple[float, float]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


__all__ = [
    "ArrivalProcess",
    "Caller",
    "CallerFactory",
    "logged_in_intervals",
    "parse_clock",
    "stream",
]
