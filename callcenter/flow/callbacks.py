"""Callbacks: a caller who cannot wait leaves a request that keeps their place in line.

When the request's turn comes, routing rings a counsellor like for a call (``RingCounsellor``
with ``callback=True``). The counsellor answers; only then does the service call the survivor
back through the outbound trunk, with a neutral caller id, and bridges the two. A request is
only put in line inside the safe times the caller gave ("morning", "evening", ...; Viet Nam
time); outside them it waits, keeping its original arrival time, until the window opens.

A caller whose number is withheld is never offered a callback (there is no number to call).

Requests and what is recorded about them: :mod:`callcenter.flow.callback_book`. A restarted
service reloads the open requests (:mod:`callcenter.flow.callback_restore`).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any

from ari.client import AriClient
from ari.errors import AriError
from ari.events import AriEvent, ChannelDestroyed, Dial, StasisEnd, StasisStart
from callcenter.calls import facts
from callcenter.calls.outcomes import CallbackAttemptOutcome
from callcenter.flow.callback_book import CallbackBook, FactSink
from callcenter.flow.callback_book import CallbackRequest as CallbackRequest
from callcenter.flow.callback_policy import (
    CallbackSettings,
    outbound_outcome,
    seconds_until_open,
    window_open,
)
from callcenter.flow.config import FlowConfig
from callcenter.flow.driver import RoutingDriver
from callcenter.flow.legs import PhoneLegs
from callcenter.flow.ops import hang_up, leg_exists, ring_failure
from routing import events as rev
from routing.decisions import CancelRing, Decision, RingCounsellor
from routing.model import RingFailure

log = logging.getLogger(__name__)

COUNSELLOR_ARG = "callback"
CALLER_ARG = "callback-out"


class CallbackDialer(CallbackBook):
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
        super().__init__(driver=driver, wall_clock=wall_clock, record=record, settings=settings)
        self.ari = ari
        self.config = config
        self.legs = legs
        self._spawn = spawn
        self._by_leg: dict[str, CallbackRequest] = {}
        self.skipped = 0  # turns that came outside the safe window

    # ----------------------------------------------------------------- decisions
    def knows(self, channel_id: str) -> bool:
        return channel_id in self._by_leg

    def on_decision(self, decision: Decision) -> None:
        request = self.pending.get(getattr(decision, "call_id", ""))
        if request is None:
            return
        if isinstance(decision, RingCounsellor):
            now = self._wall()
            if window_open(request.window, now, self.settings.windows):
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
            await self.legs.wait_free(entry.id, probe=self._leg_exists, hang_up=self._hangup)
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
        # its turn came too late: never dial now
        if not window_open(request.window, now, self.settings.windows):
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
        self.enter_line_soon(
            request.call_id, seconds_until_open(request.window, now, self.settings.windows)
        )

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

    async def _hangup(self, channel_id: str) -> None:
        await hang_up(self.ari, channel_id)

    async def _leg_exists(self, channel_id: str) -> bool:
        return await leg_exists(self.ari, channel_id)
