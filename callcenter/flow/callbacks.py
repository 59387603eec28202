"""Callbacks: a caller who cannot wait leaves a request that keeps their place in line.

When the request's turn comes, routing rings a counsellor like for a call (``RingCounsellor``
with ``callback=True``). The counsellor answers; only then does the service call the survivor
back through the outbound trunk, with a neutral caller id, and bridges the two. A request is
only put in line inside the safe times the caller gave ("morning", "evening", ...; Viet Nam
time); outside them it waits, keeping its original arrival time, until the window opens.

A caller whose number is withheld is never offered a callback (there is no number to call).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ari.client import AriClient
from ari.errors import AriError
from ari.events import AriEvent, ChannelDestroyed, Dial, StasisEnd, StasisStart
from callcenter.flow.config import FlowConfig
from callcenter.flow.driver import RoutingDriver
from callcenter.flow.legs import PhoneLegs
from callcenter.flow.ops import hang_up, ring_failure
from routing import events as rev
from routing.decisions import CancelRing, Decision, RingCounsellor
from routing.model import Priority, RingFailure

log = logging.getLogger(__name__)

VIET_NAM = ZoneInfo("Asia/Ho_Chi_Minh")
COUNSELLOR_ARG = "callback"
CALLER_ARG = "callback-out"

#: Safe times a caller can choose (hours, Viet Nam time, [start, end)).
WINDOWS: dict[str, tuple[int, int]] = {
    "morning": (7, 11),
    "afternoon": (13, 17),
    "evening": (18, 21),
    "any": (0, 24),
}


def window_open(window: str, at: datetime) -> bool:
    start, end = WINDOWS.get(window, WINDOWS["any"])
    return start <= at.astimezone(VIET_NAM).hour < end


def seconds_until_open(window: str, at: datetime) -> float:
    """0 if open now, else seconds until the window next opens."""
    if window_open(window, at):
        return 0.0
    start, _ = WINDOWS[window]
    local = at.astimezone(VIET_NAM)
    opening = local.replace(hour=start, minute=0, second=0, microsecond=0)
    if opening <= local:
        opening += timedelta(days=1)
    return (opening - local).total_seconds()


@dataclass
class CallbackRequest:
    call_id: str
    number: str
    window: str
    arrived: float  # monotonic: the caller's original place in line
    home_centre: str | None
    language: str
    danger: bool
    counsellor_leg: str | None = None
    counsellor_id: str | None = None
    caller_leg: str | None = None
    bridge_id: str | None = None
    ringing: bool = False
    connected: bool = False  # the counsellor took the callback
    reached: bool = False  # the survivor answered


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
    ) -> None:
        self.ari = ari
        self.driver = driver
        self.config = config
        self.legs = legs
        self._wall = wall_clock
        self._spawn = spawn
        self.pending: dict[str, CallbackRequest] = {}
        self._by_leg: dict[str, CallbackRequest] = {}
        self.completed = 0
        self.failed = 0

    # ----------------------------------------------------------------- requests
    def request(self, request: CallbackRequest, *, in_line: bool) -> None:
        """A caller asked to be called back. ``in_line``: the live call is in routing now
        (it becomes the request there, keeping its place, when the window is open)."""
        self.pending[request.call_id] = request
        wait = seconds_until_open(request.window, self._wall())
        if wait == 0.0 and in_line:
            self.driver.submit(rev.CallbackRequested(request.call_id))
            return
        if in_line:
            self.driver.submit(rev.CallHungUp(request.call_id))  # out of line until the window
        self.driver.call_at(self.driver.now() + wait, self._enter_line, request.call_id)

    def _enter_line(self, call_id: str) -> None:
        request = self.pending.get(call_id)
        if request is None:
            return
        self.driver.submit(
            rev.CallArrived(
                call_id=call_id,
                home_centre=request.home_centre,
                language=request.language,
                priority=Priority.DANGER if request.danger else Priority.NORMAL,
                callback=True,
                arrived_at=request.arrived,
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
            self._ring(request, decision)
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
            self._leg_gone(request, event)
            return True
        return False

    def _counsellor_answered(self, leg: str) -> None:
        request = self._by_leg.get(leg)
        if request is None or request.counsellor_leg != leg or request.counsellor_id is None:
            self._spawn(self._hangup(leg))
            return
        request.connected = True
        self.driver.submit(rev.CallAnswered(request.call_id, request.counsellor_id))
        caller_leg = f"cbo-{uuid.uuid4().hex}"
        bridge_id = f"callback-{uuid.uuid4().hex}"
        request.caller_leg, request.bridge_id = caller_leg, bridge_id
        self._by_leg[caller_leg] = request
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
                self._finish(request, reached=False)

        self._spawn(dial_out())

    def _caller_answered(self, leg: str) -> None:
        request = self._by_leg.get(leg)
        if request is None or request.bridge_id is None:
            self._spawn(self._hangup(leg))
            return
        request.reached = True
        self._spawn(self.ari.bridges.add_channel(request.bridge_id, leg))
        log.info("callback %s: survivor reached", request.call_id)

    def _leg_gone(self, request: CallbackRequest, event: ChannelDestroyed | StasisEnd) -> None:
        leg = event.channel.id
        if not request.connected:
            if leg == request.counsellor_leg and isinstance(event, ChannelDestroyed):
                self._ring_failed(request, ring_failure(event, rang=request.ringing))
            return
        self._finish(request, reached=request.reached)  # connected: either leg ending ends it

    def _finish(self, request: CallbackRequest, *, reached: bool) -> None:
        if self.pending.pop(request.call_id, None) is None:
            return
        for leg in (request.counsellor_leg, request.caller_leg):
            if leg:
                self._spawn(self._hangup(leg))
        if request.bridge_id:
            self._spawn(self.ari.bridges.destroy(request.bridge_id, missing_ok=True))
        self.driver.submit(rev.CallEnded(request.call_id))
        self.driver.submit(rev.CallbackCompleted(request.call_id))
        if reached:
            self.completed += 1
        else:
            self.failed += 1

    async def _hangup(self, channel_id: str) -> None:
        await hang_up(self.ari, channel_id)
