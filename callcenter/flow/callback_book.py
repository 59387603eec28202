"""The book of callback requests: which requests wait, when each goes (back) in line, and what
is recorded about them. :class:`callcenter.flow.callbacks.CallbackDialer` adds the phones.

Every request and attempt is a fact for the call recorder (durable outbox, then the database):
the request when the caller confirms, each attempt when the survivor is dialled and when it
ends, and the request's end (done, failed after ``callbacks.max_attempts``, expired).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from callcenter.calls import facts
from callcenter.calls.outcomes import CallbackAttemptOutcome, CallbackState
from callcenter.flow.callback_policy import (
    CallbackSettings,
    after_attempt,
    expired,
    seconds_until_open,
)
from callcenter.flow.driver import RoutingDriver
from routing import events as rev
from routing.model import Priority

log = logging.getLogger(__name__)


@dataclass
class CallbackRequest:
    call_id: str
    number: str
    window: str
    arrived: float  # routing's clock: the caller's original place in line
    home_centre: str | None
    language: str
    danger: bool
    arrived_wall: datetime | None = None  # the same, as a time (kept in the record)
    requested_wall: datetime | None = None
    attempts: int = 0  # attempts dialled so far
    in_line: bool = False  # routing holds the request now
    counsellor_leg: str | None = None
    counsellor_id: str | None = None
    caller_leg: str | None = None  # the outbound leg: the current attempt's id
    bridge_id: str | None = None
    ringing: bool = False
    connected: bool = False  # the counsellor took the callback: an attempt is under way
    reached: bool = False  # the survivor answered
    reached_at: datetime | None = None


FactSink = Callable[[facts.Fact], None]


class CallbackBook:
    def __init__(
        self,
        *,
        driver: RoutingDriver,
        wall_clock: Callable[[], datetime],
        record: FactSink | None = None,
        settings: CallbackSettings | None = None,
    ) -> None:
        self.driver = driver
        self._wall = wall_clock
        self._record = record
        self.settings = settings or CallbackSettings()
        self.pending: dict[str, CallbackRequest] = {}
        self._closed: set[str] = set()  # closed by this process (a reload must not revive them)
        self.completed = 0
        self.failed = 0
        self.expired = 0

    def owns(self, call_id: str) -> bool:
        return call_id in self.pending

    # ----------------------------------------------------------------- requests
    def request(self, request: CallbackRequest, *, in_line: bool) -> None:
        """A caller asked to be called back. ``in_line``: the live call is in routing now
        (it becomes the request there, keeping its place, when the window is open)."""
        now = self._wall()
        request.requested_wall = request.requested_wall or now
        if request.arrived_wall is None:
            request.arrived_wall = now - timedelta(seconds=self.driver.now() - request.arrived)
        self.pending[request.call_id] = request
        self._fact(
            facts.CallbackRequested,
            request,
            caller_number=request.number,
            safe_window=request.window,
            language=request.language,
            home_centre=request.home_centre,
            in_danger=request.danger,
            arrived_at=request.arrived_wall,
        )
        wait = seconds_until_open(request.window, now, self.settings.windows)
        if wait == 0.0 and in_line:
            request.in_line = True
            self.driver.submit(rev.CallbackRequested(request.call_id))
            return
        if in_line:
            self.driver.submit(rev.CallHungUp(request.call_id))  # out of line until the window
        self.driver.call_at(self.driver.now() + wait, self._enter_line, request.call_id)

    def restore(self, request: CallbackRequest) -> bool:
        """A request a previous process left open; False if this process has it already."""
        if request.call_id in self.pending or request.call_id in self._closed:
            return False
        self.pending[request.call_id] = request
        return True

    def enter_line_soon(self, call_id: str, delay: float = 0.0) -> None:
        self.driver.call_at(self.driver.now() + delay, self._enter_line, call_id)

    def _enter_line(self, call_id: str) -> None:
        request = self.pending.get(call_id)
        if request is None or request.in_line or request.connected:
            return
        now = self._wall()
        if expired(request.requested_wall, now, self.settings):
            self._close(request, CallbackState.EXPIRED)
            return
        wait = seconds_until_open(request.window, now, self.settings.windows)
        if wait > 0.0:
            self.enter_line_soon(call_id, wait)
            return
        request.in_line = True
        self.driver.submit(
            rev.CallArrived(
                call_id=call_id,
                home_centre=request.home_centre,
                language=request.language,
                priority=Priority.DANGER if request.danger else Priority.NORMAL,
                callback=True,
                arrived_at=min(request.arrived, self.driver.now()),
            )
        )

    # ----------------------------------------------------------------- outcomes
    def attempt_over(self, request: CallbackRequest, outcome: CallbackAttemptOutcome) -> None:
        """Close the request, or put it back in line after ``callbacks.retry_after``."""
        then = after_attempt(outcome, request.attempts, self.settings)
        if then.closed is None:
            log.info("callback %s: %s, trying again", request.call_id, outcome.value)
            self.enter_line_soon(request.call_id, then.retry_in)
        else:
            self._close(request, then.closed)

    def end_stale_attempt(
        self, request: CallbackRequest, attempt_id: str, outcome: CallbackAttemptOutcome
    ) -> None:
        """An attempt a previous process left open (it stopped during the attempt)."""
        self._fact(facts.CallbackAttemptEnded, request, attempt_id=attempt_id, outcome=outcome)
        self.attempt_over(request, outcome)

    def _close(self, request: CallbackRequest, state: CallbackState) -> None:
        if self.pending.pop(request.call_id, None) is None:
            return
        self._closed.add(request.call_id)
        self._fact(facts.CallbackClosed, request, state=state)
        if state is CallbackState.DONE:
            self.completed += 1
        elif state is CallbackState.FAILED:
            self.failed += 1
            log.warning("callback %s failed after %s attempts", request.call_id, request.attempts)
        else:
            self.expired += 1

    def _fact(self, kind: type[facts.CallFact], request: CallbackRequest, **fields: object) -> None:
        if self._record is None:
            return
        node, channel_id = request.call_id.split("/", 1)
        fact = kind(node=node, channel_id=channel_id, at=self._wall(), **fields)
        self._record(fact)  # type: ignore[arg-type]  # every CallFact kind is a Fact
