"""The simulator's clock: asyncio loop time, optionally running faster than real time."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime


class Clock:
    """Epoch time of the simulated PBX.

    ``speed`` > 1 makes every simulated delay (ringing, prompts, 500 ms answer wait,
    timeouts) shorter in real time by that factor; ``now()`` then advances ``speed`` simulated
    seconds per real second, so durations reported in events stay realistic.
    """

    def __init__(self, speed: float = 1.0) -> None:
        if speed <= 0:
            raise ValueError("speed must be > 0")
        self.speed = speed
        self._wall0 = time.time()
        self._mono0 = time.monotonic()

    def now(self) -> float:
        """Simulated epoch seconds."""
        return self._wall0 + (time.monotonic() - self._mono0) * self.speed

    def iso(self, at: float | None = None) -> str:
        """Asterisk's ARI timestamp format: ``2026-11-22T21:00:34.800+0000``."""
        moment = datetime.fromtimestamp(self.now() if at is None else at, UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds) / self.speed)

    def call_later(self, seconds: float, callback: Callable[[], None]) -> asyncio.TimerHandle:
        return asyncio.get_running_loop().call_later(max(0.0, seconds) / self.speed, callback)
