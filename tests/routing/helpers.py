"""Small helpers shared by the routing tests: a driver that keeps time and a reference rule
book written independently of the engine's indexes (slow, obvious, brute force)."""

from __future__ import annotations

from collections.abc import Iterable

from routing import (
    CallView,
    CounsellorLoggedIn,
    CounsellorState,
    CounsellorView,
    Decision,
    Gender,
    GenderWish,
    Policy,
    RoutingEngine,
    RoutingEvent,
)


class Driver:
    """Feeds events to a real engine at increasing times and keeps every decision."""

    def __init__(self, policy: Policy | None = None) -> None:
        self.policy = policy or Policy()
        self.engine = RoutingEngine(self.policy)
        self.now = 0.0
        self.log: list[Decision] = []

    def at(self, now: float, event: RoutingEvent) -> list[Decision]:
        self.now = now
        out = self.engine.handle(event, now)
        self.log.extend(out)
        return out

    def login(
        self,
        cid: str,
        centre: str = "HN",
        languages: Iterable[str] = ("vi",),
        gender: Gender = Gender.FEMALE,
        now: float | None = None,
    ) -> list[Decision]:
        event = CounsellorLoggedIn(cid, centre, frozenset(languages), gender)
        return self.at(self.now if now is None else now, event)

    def counsellor(self, cid: str) -> CounsellorView:
        return next(k for k in self.engine.counsellors() if k.counsellor_id == cid)

    def call(self, call_id: str) -> CallView:
        view = self.engine.call(call_id)
        assert view is not None, call_id
        return view


def eligible_ignoring_state(policy: Policy, call: CallView, k: CounsellorView) -> bool:
    """Could ``k`` take ``call`` under the rules in force (centre reach, language, gender)?"""
    if k.centre is None or k.gender is None or k.centre not in call.reach:
        return False
    speaks = call.language in k.languages
    relaxed = call.language_relaxed and policy.language_of(k.centre) in k.languages
    if not (speaks or relaxed):
        return False
    wish = call.gender_wish
    return wish == GenderWish.NONE or call.gender_relaxed or k.gender.value == wish.value


def free(k: CounsellorView) -> bool:
    return k.state == CounsellorState.AVAILABLE and k.phone_usable


def apart_pairs(engine: RoutingEngine, now: float) -> list[tuple[str, str]]:
    """Waiting calls and free eligible counsellors left apart (must always be empty)."""
    policy = engine.policy
    free_ones = [k for k in engine.counsellors() if free(k)]
    return [
        (c.call_id, k.counsellor_id)
        for c in engine.waiting_calls(now)
        for k in free_ones
        if eligible_ignoring_state(policy, c, k)
    ]
