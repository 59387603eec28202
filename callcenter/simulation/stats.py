"""95% confidence intervals for shares estimated from one simulation run.

Calls in a queue are not independent (a long queue makes the next caller wait too), so the
binomial (Wilson) interval alone is too narrow. We use batch means: the counted calls, in arrival
order, are cut into ``batches`` equal groups; the share in each group is one observation, and a
Student-t interval is built on those. Because batch means can come out at zero width (every batch
at 100 %), the interval reported is the union of the batch-means and the Wilson intervals: never
narrower than either.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

Z95 = 1.959963984540054
# two-sided 97.5 % quantiles of Student's t for 1..30 degrees of freedom
_T975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip


def t975(df: int) -> float:
    """Student's t 97.5 % quantile (table to 30, Cornish-Fisher expansion beyond)."""
    if df < 1:
        raise ValueError("degrees of freedom must be positive")
    if df <= len(_T975):
        return _T975[df - 1]
    z = Z95
    return z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)


@dataclass(frozen=True, slots=True)
class Interval:
    low: float
    high: float

    def width(self) -> float:
        return self.high - self.low

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high


def wilson(successes: int, n: int) -> Interval:
    """Wilson score interval for a binomial share (``n`` = 0 gives [0, 1])."""
    if n == 0:
        return Interval(0.0, 1.0)
    p = successes / n
    z2 = Z95 * Z95
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return Interval(max(0.0, centre - half), min(1.0, centre + half))


def batch_means(flags: Sequence[bool], batches: int) -> Interval | None:
    """t-interval on the shares of ``batches`` consecutive equal groups (None if too few)."""
    n = len(flags)
    if batches < 2 or n < 10 * batches:
        return None
    size = n // batches
    means: list[float] = []
    for b in range(batches):
        chunk = flags[b * size : (b + 1) * size if b < batches - 1 else n]
        means.append(sum(chunk) / len(chunk))
    mean = sum(means) / batches
    var = sum((m - mean) ** 2 for m in means) / (batches - 1)
    half = t975(batches - 1) * math.sqrt(var / batches)
    centre = sum(flags) / n
    return Interval(max(0.0, centre - half), min(1.0, centre + half))


def share_interval(flags: Sequence[bool], batches: int) -> Interval:
    """The reported 95 % interval for the share of True in ``flags`` (see module docstring)."""
    binomial = wilson(sum(flags), len(flags))
    batched = batch_means(flags, batches)
    if batched is None:
        return binomial
    return Interval(min(binomial.low, batched.low), max(binomial.high, batched.high))
