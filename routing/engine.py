"""The routing engine: events in, decisions out, ``now`` passed in. No I/O, no clock.

Usage::

    engine = RoutingEngine(Policy())
    decisions = engine.handle(CallArrived("c1", "HN", "vi"), now=0.0)
    wake_at = engine.next_deadline()   # then handle(TimerFired(), now) at or after wake_at

One ``handle`` = apply the event (after checking it), fire every deadline that is due, match
whatever became matchable, then announce positions that are due. Contract: after every
``handle`` no waiting call and an eligible available counsellor are left apart; an event that
raises ``RoutingError`` changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from routing import call_events, counsellor_events, events
from routing.core import EngineCore
from routing.decisions import Decision
from routing.errors import RoutingError, TimeWentBackwards
from routing.events import RoutingEvent
from routing.matching import resolve
from routing.model import CallView, CounsellorView
from routing.policy import Policy
from routing.state import WAITING, Call
from routing.timing import announce, run_due, timer_live

Handler = Callable[[EngineCore, Any, float], None]


def _nothing(core: EngineCore, event: events.TimerFired, now: float) -> None:
    """Time passing is handled for every event; this one brings nothing else."""


HANDLERS: dict[type, Handler] = {
    events.CallArrived: call_events.on_call_arrived,
    events.CallHungUp: call_events.on_call_hung_up,
    events.CallAnswered: call_events.on_call_answered,
    events.CallEnded: call_events.on_call_ended,
    events.RingFailed: call_events.on_ring_failed,
    events.CallbackRequested: call_events.on_callback_requested,
    events.CallbackCompleted: call_events.on_callback_completed,
    events.CounsellorLoggedIn: counsellor_events.on_logged_in,
    events.CounsellorLoggedOut: counsellor_events.on_logged_out,
    events.CounsellorPaused: counsellor_events.on_paused,
    events.CounsellorResumed: counsellor_events.on_resumed,
    events.WrapUpEnded: counsellor_events.on_wrap_up_ended,
    events.PhoneRegistered: counsellor_events.on_phone_registered,
    events.PhoneUnregistered: counsellor_events.on_phone_unregistered,
    events.PhoneBusy: counsellor_events.on_phone_busy,
    events.PhoneFree: counsellor_events.on_phone_free,
    events.TimerFired: _nothing,
}


class RoutingEngine:
    def __init__(self, policy: Policy | None = None) -> None:
        self.policy = policy if policy is not None else Policy()
        self._core = EngineCore(self.policy)

    def handle(self, event: RoutingEvent, now: float) -> list[Decision]:
        """Apply ``event`` at time ``now`` (never earlier than the previous ``now``)."""
        core = self._core
        if not now >= core.now:  # also rejects NaN
            raise TimeWentBackwards(now, core.now)
        handler = HANDLERS.get(type(event))
        if handler is None:
            raise RoutingError(f"not a routing event: {event!r}")
        core.out = []
        handler(core, event, now)
        core.now = now
        run_due(core, now)
        resolve(core, now)
        announce(core)
        out, core.out = core.out, []
        return out

    def next_deadline(self) -> float | None:
        """When the engine next needs ``TimerFired`` (None: nothing scheduled)."""
        core = self._core
        timers = core.timers
        while True:
            entry = timers.peek()
            if entry is None:
                return None
            if timer_live(core, entry):
                return entry[0]
            timers.pop()

    @property
    def now(self) -> float:
        """The latest ``now`` the engine was given (-inf before the first event)."""
        return self._core.now

    def waiting_calls(self, now: float) -> list[CallView]:
        """Calls in line (not ringing), best-ranked first, with position and expected wait."""
        return [v for v in self.calls(now) if v.status == WAITING]

    def calls(self, now: float) -> list[CallView]:
        """Every call the engine knows (waiting, ringing, connected), best-ranked first."""
        ordered = sorted(self._core.calls.values(), key=lambda c: (c.rank, c.seq))
        return [self._view(call) for call in ordered]

    def call(self, call_id: str) -> CallView | None:
        call = self._core.calls.get(call_id)
        return None if call is None else self._view(call)

    def _view(self, call: Call) -> CallView:
        core = self._core
        position: int | None = None
        wait: float | None = None
        if call.status == WAITING:
            position, wait = core.position_and_wait(call)
        reach = core.policy.centres if call.widened else (call.home_key,)
        return CallView(
            call_id=call.call_id,
            status=call.status,
            arrived_at=call.arrived_at,
            home_centre=call.home,
            language=call.language,
            gender_wish=call.gender_wish,
            gender_insist=call.gender_insist,
            priority=call.priority,
            callback=call.callback,
            reach=reach,
            language_relaxed=call.language_relaxed,
            gender_relaxed=call.gender_relaxed,
            tried=tuple(call.tried),
            counsellor_id=call.counsellor_id,
            position=position,
            expected_wait=wait,
        )

    def counsellors(self) -> list[CounsellorView]:
        """Every counsellor the engine has heard of, by id."""
        core = self._core
        return [
            CounsellorView(
                counsellor_id=k.counsellor_id,
                centre=k.centre,
                state=k.state,
                languages=k.languages,
                gender=k.gender,
                idle_since=k.idle_since,
                calls_handled=k.calls_handled,
                pause_reason=k.pause_reason,
                phone_registered=k.phone_registered,
                phone_busy=k.phone_busy,
                phone_usable=core.phone_usable(k),
                call_id=k.call_id,
                wrap_up_until=k.wrap_until,
            )
            for _, k in sorted(core.counsellors.items())
        ]
