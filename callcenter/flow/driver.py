"""Runs the pure routing engine inside the service: feeds it events, wakes it at its deadlines.

The engine never reads a clock; this driver passes ``clock()`` (the event loop's monotonic time)
with every event and arms one timer for ``engine.next_deadline()``. Decisions go to the handler
the service registered, in order. An event the engine rejects (``RoutingError``, e.g. the hang-up
of a call it never knew) is logged and changes nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable

from routing.decisions import Decision
from routing.engine import RoutingEngine
from routing.errors import RoutingError
from routing.events import RoutingEvent, TimerFired

log = logging.getLogger(__name__)

DecisionHandler = Callable[[Decision], None]


class RoutingDriver:
    def __init__(
        self, engine: RoutingEngine, clock: Callable[[], float], *, speed: float = 1.0
    ) -> None:
        """``clock``: monotonic seconds of the service's timeline. ``speed``: how many of those
        pass per real second (1 in production; a faster timeline lets a soak test run an hour
        of simulated traffic in minutes, with the PBX simulator at the same speed)."""
        self.engine = engine
        self._clock = clock
        self.speed = speed
        self._handler: DecisionHandler | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at: float | None = None
        self._pending: deque[RoutingEvent] = deque()
        self._busy = False
        self.rejected = 0

    def on_decision(self, handler: DecisionHandler) -> None:
        self._handler = handler

    def now(self) -> float:
        return self._clock()

    def call_at(
        self, at: float, callback: Callable[..., None], *args: object
    ) -> asyncio.TimerHandle:
        """Run ``callback(*args)`` when the timeline reaches ``at``."""
        delay = max(0.0, at - self._clock()) / self.speed
        return asyncio.get_running_loop().call_later(delay, callback, *args)

    def submit(self, event: RoutingEvent) -> None:
        """Apply ``event`` now. Re-entrant calls (a decision handler submitting) queue up."""
        self._pending.append(event)
        if self._busy:
            return
        self._busy = True
        try:
            while self._pending:
                self._apply(self._pending.popleft())
        finally:
            self._busy = False
            self._arm()

    def _apply(self, event: RoutingEvent) -> None:
        try:
            decisions = self.engine.handle(event, self._clock())
        except RoutingError as exc:
            self.rejected += 1
            log.warning("routing rejected %r: %s", event, exc)
            return
        for decision in decisions:
            if self._handler is None:
                continue
            try:
                self._handler(decision)
            except Exception:
                log.exception("decision handler failed on %r", decision)

    def _arm(self) -> None:
        deadline = self.engine.next_deadline()
        if deadline == self._timer_at:
            return
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._timer_at = deadline
        if deadline is None:
            return
        self._timer = self.call_at(deadline, self._fire)

    def _fire(self) -> None:
        self._timer = None
        self._timer_at = None
        self.submit(TimerFired())

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
