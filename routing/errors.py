"""Typed errors. An event that raises one of these has changed nothing in the engine."""

from __future__ import annotations


class RoutingError(Exception):
    """An event the engine cannot apply; the engine's state is unchanged."""


class UnknownCall(RoutingError):
    def __init__(self, call_id: str) -> None:
        super().__init__(f"unknown call {call_id!r} / cuộc gọi không tồn tại")
        self.call_id = call_id


class UnknownCounsellor(RoutingError):
    def __init__(self, counsellor_id: str) -> None:
        super().__init__(f"unknown counsellor {counsellor_id!r} / tư vấn viên không tồn tại")
        self.counsellor_id = counsellor_id


class InvalidTransition(RoutingError):
    """The event does not fit the current state (e.g. answered by someone not ringing)."""


class TimeWentBackwards(RoutingError):
    def __init__(self, now: float, last: float) -> None:
        super().__init__(f"time went backwards: now={now} < last={last}")
        self.now = now
        self.last = last
