"""Distributions of durations: each has ``sample(rng)`` and ``expected()``."""

from __future__ import annotations

import math
import random
from typing import Annotated, Any, Literal

from pydantic import Field, PrivateAttr, model_validator

from callcenter.scenario.base import Seconds, _Strict


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
