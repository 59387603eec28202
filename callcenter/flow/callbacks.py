"""Callbacks: a caller who cannot wait leaves a request that keeps their place in line.

When the request's turn comes, routing rings a counsellor like for a call (``RingCounsellor``
with ``callback=True``). The counsellor answers; only then does the service call the survivor
back through the outbound trunk, with a neutral caller id, and bridges the two. A request is
only put in line inside the safe times the caller gave ("morning", "evening", ...; Viet Nam
time); outside them it waits, keeping its original arrival time, until the window opens.

A caller whose number is withheld is never offered a callback (there is no number to call).

Every request and attempt is a fact for the call recorder (durable outbox, then the database):
the request when the caller confirms, each attempt when the survivor is dialled and when it
ends, and the request's end (done, failed after ``callbacks.max_attempts``, expired). A
restarted service reloads the open requests (:mod:`callcenter.flow.callback_restore`).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ari.client import AriClient
from ari.errors import AriError
from ari.events import AriEvent, ChannelDestroyed, Dial, StasisEnd, StasisStart
from callcenter.calls import facts
from callcenter.calls.outcomes import CallbackAttemptOutcome, CallbackState
from callcenter.flow.callback_policy import (
    CallbackSettings,
    after_attempt,
    expired,
    outbound_outcome,
    seconds_until_open,
    window_open,
)
from callcenter.flow.config import FlowConfig
from callcenter.flow.driver import RoutingDriver
from callcenter.flow.legs import PhoneLegs
from callcenter.flow.ops import hang_up, ring_failure
from routing import events as rev
from routing.decisions import CancelRing, Decision, RingCounsellor
from routing.model import Priority, RingFailure

log = logging.getLogger(__name__)

COUNSELLOR_ARG = "callback"
CALLER_ARG = "callback-out"


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


class CallbackDialer:
    def __init__(
        self,
        *,
        ari: AriClient,
        driver: RoutingDriver,
        config: FlowConfig,
        legs: PhoneLegs,
        wall_clock: Callable[[], datetime],
        spawn: Callable[[Coroutine[Any, Any, object]], None],
        record: FactSink | None = None,
        settings: CallbackSettings | None = None,
    ) -> None:
        self.ari = ari
        self.driver = driver
        self.config = config
        self.legs = legs
        self._wall = wall_clock
        self._spawn = spawn
        self._record = record
        self.settings = settings or CallbackSettings()
        self.pending: dict[str, CallbackRequest] = {}
        self._by_leg: dict[str, CallbackRequest] = {}
        self._closed: set[str] = set()  # closed by this process (a reload must not revive them)
        self.completed = 0
        self.failed = 0
        self.expired = 0
        self.skipped = 0  # turns that came outside the safe window

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
        wait = seconds_until_open(request.window, now)
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
        wait = seconds_until_open(request.window, now)
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

    # ----------------------------------------------------------------- decisions
    def owns(self, call_id: str) -> bool:
        return call_id in self.pending

    def knows(self, channel_id: str) -> bool:
        return channel_id in self._by_leg

    def on_decision(self, decision: Decision) -> None:
        request = self.pending.get(getattr(decision, "call_id", ""))
        if request is None:
            return
        if isinstance(decision, RingCounsellor):
            now = self._wall()
            if window_open(request.window, now):
                self._ring(request, decision)
            else:  # the safe window closed while it waited: nobody is rung, nothing dialled
                request.counsellor_id = decision.counsellor_id
                self._skip(request, now)
        elif isinstance(decision, CancelRing) and request.counsellor_leg and not request.connected:
            self._spawn(self._hangup(request.counsellor_leg))

    def _ring(self, request: CallbackRequest, decision: RingCounsellor) -> None:
        entry = self.config.counsellor(decision.counsellor_id)
        if entry is None:
            self.driver.submit(
                rev.RingFailed(request.call_id, decision.counsellor_id, RingFailure.UNREACHABLE)
            )
            return
        leg = f"cb-{uuid.uuid4().hex}"
        request.counsellor_leg, request.counsellor_id, request.ringing = leg, entry.id, False
        self._by_leg[leg] = request

        async def originate() -> None:
            await self.legs.wait_free(entry.id)
            self.legs.started(entry.id, leg)
            try:
                await self.ari.channels.originate(
                    entry.endpoint,
                    app=self.config.app,
                    app_args=[COUNSELLOR_ARG, request.call_id],
                    caller_id='"Gọi lại / Callback" <callback>',
                    timeout=max(1, round(self.config.ring_timeout) + 2),
                    channel_id=leg,
                )
            except AriError as exc:
                log.warning("callback ring to %s failed: %s", entry.endpoint, exc)
                self.legs.ended(leg)
                self._ring_failed(request, RingFailure.UNREACHABLE)

        self._spawn(originate())

    def _ring_failed(self, request: CallbackRequest, failure: RingFailure) -> None:
        if request.counsellor_id is None or request.connected:
            return
        counsellor, request.counsellor_id, request.counsellor_leg = (
            request.counsellor_id,
            None,
            None,
        )
        self.driver.submit(rev.RingFailed(request.call_id, counsellor, failure))

    # ----------------------------------------------------------------- events
    def handle(self, event: AriEvent) -> bool:
        """Apply an event if it concerns a callback leg; True if it did."""
        if isinstance(event, StasisStart) and event.args:
            if event.args[0] == COUNSELLOR_ARG:
                self._counsellor_answered(event.channel.id)
                return True
            if event.args[0] == CALLER_ARG:
                self._caller_answered(event.channel.id)
                return True
            return False
        if isinstance(event, Dial):
            request = self._by_leg.get(event.peer.id)
            if request is not None and event.dialstatus == "RINGING":
                request.ringing = True
            return request is not None
        if isinstance(event, ChannelDestroyed | StasisEnd):
            request = self._by_leg.get(event.channel.id)
            if request is None:
                return False
            if isinstance(event, ChannelDestroyed):
                self.legs.ended(event.channel.id)
                self._by_leg.pop(event.channel.id, None)
            self._leg_gone(request, event)
            return True
        return False

    def _counsellor_answered(self, leg: str) -> None:
        request = self._by_leg.get(leg)
        if request is None or request.counsellor_leg != leg or request.counsellor_id is None:
            self._spawn(self._hangup(leg))
            return
        now = self._wall()
        if not window_open(request.window, now):  # its turn came too late: never dial now
            self._skip(request, now)
            return
        request.connected = True
        self.driver.submit(rev.CallAnswered(request.call_id, request.counsellor_id))
        caller_leg = f"cbo-{uuid.uuid4().hex}"
        bridge_id = f"callback-{uuid.uuid4().hex}"
        request.caller_leg, request.bridge_id = caller_leg, bridge_id
        request.attempts += 1
        self._by_leg[caller_leg] = request
        self._fact(
            facts.CallbackAttemptStarted,
            request,
            attempt_id=caller_leg,
            counsellor=request.counsellor_id,
            counsellor_leg=leg,
        )
        endpoint = self.config.outbound_trunk.format(number=request.number)

        async def dial_out() -> None:
            try:
                await self.ari.bridges.create(type="mixing", bridge_id=bridge_id)
                await self.ari.bridges.add_channel(bridge_id, leg)
                await self.ari.channels.originate(
                    endpoint,
                    app=self.config.app,
                    app_args=[CALLER_ARG, request.call_id],
                    caller_id=self.config.callback_caller_id,
                    timeout=60,
                    channel_id=caller_leg,
                )
            except AriError as exc:
                log.error("callback to the caller failed: %s", exc)
                self._finish(request, CallbackAttemptOutcome.FAILED)

        self._spawn(dial_out())

    def _skip(self, request: CallbackRequest, now: datetime) -> None:
        """Outside the safe times: recorded as a skipped attempt (not counted), the counsellor
        is let go, the request waits for its window again with its place in line."""
        self.skipped += 1
        self._fact(
            facts.CallbackAttemptEnded,
            request,
            attempt_id=f"skip-{uuid.uuid4().hex}",
            outcome=CallbackAttemptOutcome.OUTSIDE_WINDOW,
            counsellor=request.counsellor_id,
        )
        leg = request.counsellor_leg
        request.counsellor_leg = request.counsellor_id = None
        if leg:
            self._spawn(self._hangup(leg))
        self.driver.submit(rev.CallbackCompleted(request.call_id))
        request.in_line = False
        self.enter_line_soon(request.call_id, seconds_until_open(request.window, now))

    def _caller_answered(self, leg: str) -> None:
        request = self._by_leg.get(leg)
        if request is None or request.bridge_id is None or request.caller_leg != leg:
            self._spawn(self._hangup(leg))
            return
        request.reached = True
        request.reached_at = self._wall()
        self._spawn(self.ari.bridges.add_channel(request.bridge_id, leg))
        log.info("callback %s: survivor reached", request.call_id)

    def _leg_gone(self, request: CallbackRequest, event: ChannelDestroyed | StasisEnd) -> None:
        leg = event.channel.id
        if leg not in (request.counsellor_leg, request.caller_leg):
            return  # a leg of an earlier attempt
        if not request.connected:
            if leg == request.counsellor_leg and isinstance(event, ChannelDestroyed):
                self._ring_failed(request, ring_failure(event, rang=request.ringing))
            return
        if request.reached:
            outcome = CallbackAttemptOutcome.ANSWERED
        elif leg == request.caller_leg and isinstance(event, ChannelDestroyed):
            outcome = outbound_outcome(event.cause, event.tech_cause)
        else:
            outcome = CallbackAttemptOutcome.FAILED  # the counsellor left before the answer
        self._finish(request, outcome)  # connected: either leg ending ends the attempt

    def _finish(self, request: CallbackRequest, outcome: CallbackAttemptOutcome) -> None:
        if not request.connected or request.caller_leg is None:
            return
        request.connected = False
        talk = None
        if request.reached_at is not None:
            talk = max(0.0, (self._wall() - request.reached_at).total_seconds())
        self._fact(
            facts.CallbackAttemptEnded,
            request,
            attempt_id=request.caller_leg,
            outcome=outcome,
            talk_s=talk,
        )
        for leg in (request.counsellor_leg, request.caller_leg):
            if leg:
                self._spawn(self._hangup(leg))
        if request.bridge_id:
            self._spawn(self.ari.bridges.destroy(request.bridge_id, missing_ok=True))
        self.driver.submit(rev.CallbackCompleted(request.call_id))  # ends it in any state
        request.in_line = False
        request.counsellor_leg = request.counsellor_id = request.caller_leg = None
        request.bridge_id, request.reached, request.reached_at = None, False, None
        self.attempt_over(request, outcome)

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

    async def _hangup(self, channel_id: str) -> None:
        await hang_up(self.ari, channel_id)
