"""Exponential reconnect back-off with jitter (pure: the random source is passed in)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass
class Backoff:
    """Delay before reconnect attempt ``n`` (0-based): ``initial * factor**n`` capped at
    ``maximum``, then reduced by a random share of up to ``jitter`` so that many clients
    restarted together do not reconnect in lock-step."""

    initial: float = 0.2
    maximum: float = 10.0
    factor: float = 2.0
    jitter: float = 0.5
    rng: random.Random = field(default_factory=random.Random)
    attempt: int = 0

    def base_delay(self, attempt: int) -> float:
        # min() before pow overflow: cap the exponent once the cap is reached
        exponent = min(attempt, 64)
        return float(min(self.maximum, self.initial * self.factor**exponent))

    def next_delay(self) -> float:
        """The delay for the next attempt, advancing the attempt counter."""
        base = self.base_delay(self.attempt)
        self.attempt += 1
        return base * (1.0 - self.jitter * self.rng.random())

    def reset(self) -> None:
        self.attempt = 0
