"""The routing engine: events in, decisions out, ``now`` passed in. No I/O, no clock.

Usage::

    engine = RoutingEngine(Policy())
    decisions = engine.handle(CallArrived("c1", "HN", "vi"), now=0.0)
    wake_at = engine.next_deadline()   # call handle(TimerFired(), now>=wake_at) then

Contract: after every ``handle`` no waiting call and an eligible available counsellor are left
apart; an event that raises ``RoutingError`` changes nothing.
"""

from __future__ import annotations

from routing.decisions import Decision
from routing.events import RoutingEvent
from routing.model import CallView, CounsellorView
from routing.policy import Policy


class RoutingEngine:
    def __init__(self, policy: Policy) -> None:
        self.policy = policy

    def handle(self, event: RoutingEvent, now: float) -> list[Decision]:
        """Apply ``event`` at time ``now`` (monotonic, never earlier than the last call)."""
        raise NotImplementedError

    def next_deadline(self) -> float | None:
        """When the engine next needs ``TimerFired`` (None: nothing scheduled)."""
        raise NotImplementedError

    def waiting_calls(self, now: float) -> list[CallView]:
        """Calls in line (not ringing), best-ranked first, with position and expected wait."""
        raise NotImplementedError

    def calls(self, now: float) -> list[CallView]:
        """Every call the engine knows (waiting, ringing, connected), best-ranked first."""
        raise NotImplementedError

    def counsellors(self) -> list[CounsellorView]:
        """Every counsellor the engine has seen, by id."""
        raise NotImplementedError
