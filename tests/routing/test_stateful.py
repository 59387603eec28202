"""Random event sequences against the real engine, checked by a brute-force rule book.

Properties, after every ``handle``:
* a counsellor is never offered two calls at once; rings and states agree both ways;
* every ring goes to a counsellor who is available (now ringing) with a usable phone and who
  may take the call under the rules in force;
* no waiting call and free eligible counsellor are left apart;
* a ring never skips a better-ranked waiting call the counsellor could take, and never lets a
  call overtake one that arrived more than ``max_overtake`` seconds earlier;
* widening and relaxing happen on time; an insisted wish is never relaxed;
* an event that raises ``RoutingError`` changes nothing;
* replaying the same events gives the same decisions.
"""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from routing import (
    CallAnswered,
    CallArrived,
    CallbackCompleted,
    CallbackRequested,
    CallEnded,
    CallHungUp,
    CallStatus,
    CallView,
    CancelRing,
    CounsellorLoggedIn,
    CounsellorLoggedOut,
    CounsellorPaused,
    CounsellorResumed,
    CounsellorState,
    Decision,
    Gender,
    GenderWish,
    PhoneBusy,
    PhoneFree,
    PhoneRegistered,
    PhoneUnregistered,
    Policy,
    Priority,
    RingCounsellor,
    RingFailed,
    RingFailure,
    RoutingEngine,
    RoutingError,
    RoutingEvent,
    TimerFired,
    WrapUpEnded,
)
from tests.routing.helpers import apart_pairs, eligible_ignoring_state

COUNSELLORS = [f"k{i}" for i in range(7)]
CALLS = [f"c{i}" for i in range(10)]
CENTRES = ("HN", "DN", "AG")
LANGUAGES = ("vi", "en", "km")

POLICIES = [
    Policy(
        overflow_after=20.0,
        language_wait=30.0,
        gender_wait=45.0,
        ring_timeout=15.0,
        wrap_up=10.0,
        wrap_up_by_centre={"DN": 0.0},
        default_language_by_centre={"AG": "km"},
        max_overtake=120.0,
        urgent_lead=60.0,
        announce_interval=30.0,
    ),
    Policy(
        overflow_after=5.0, language_wait=0.0, gender_wait=10.0, max_overtake=0.0, urgent_lead=0.0
    ),
    Policy(
        centres=("HN", "DN"),
        announce_interval=None,
        wrap_up=3.0,
        max_overtake=30.0,
        urgent_lead=15.0,
    ),
]

# Bounded for CI (~10 s); ROUTING_EXAMPLES=2000 for a deeper local run.
STEP_SETTINGS = settings(
    max_examples=int(os.environ.get("ROUTING_EXAMPLES", "120")),
    stateful_step_count=60,
    deadline=None,
    report_multiple_bugs=False,
    suppress_health_check=[HealthCheck.too_slow],
)


class RoutingMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.policy = POLICIES[0]
        self.engine = RoutingEngine(self.policy)
        self.now = 0.0
        self.history: list[tuple[RoutingEvent, float, list[Decision] | None]] = []
        self.arrival_order: dict[str, int] = {}
        self.arrivals = 0

    @initialize(index=st.integers(0, len(POLICIES) - 1))
    def choose_policy(self, index: int) -> None:
        self.policy = POLICIES[index]
        self.engine = RoutingEngine(self.policy)

    # ---- driving ----------------------------------------------------------------------

    def snapshot(self) -> Any:
        return (self.engine.calls(self.now), self.engine.counsellors(), self.engine.next_deadline())

    def apply(self, event: RoutingEvent) -> None:
        before = self.snapshot()
        try:
            decisions = self.engine.handle(event, self.now)
        except RoutingError:
            assert self.snapshot() == before, f"{event!r} raised but changed the state"
            self.history.append((event, self.now, None))
            return
        self.history.append((event, self.now, decisions))
        if isinstance(event, CallArrived):
            self.arrivals += 1
            self.arrival_order[event.call_id] = self.arrivals
        self.check_decisions(decisions)

    def centres(self) -> st.SearchStrategy[str]:
        return st.sampled_from(self.policy.centres)

    @rule(
        cid=st.sampled_from(COUNSELLORS),
        centre=st.sampled_from(CENTRES),
        languages=st.sets(st.sampled_from(LANGUAGES), min_size=1, max_size=2),
        gender=st.sampled_from(Gender),
    )
    def log_in(self, cid: str, centre: str, languages: set[str], gender: Gender) -> None:
        self.apply(CounsellorLoggedIn(cid, centre, frozenset(languages), gender))

    def _who(self, states: set[CounsellorState], index: int) -> str | None:
        ids = [k.counsellor_id for k in self.engine.counsellors() if k.state in states]
        return ids[index % len(ids)] if ids else None

    @rule(index=st.integers(0, 9))
    def log_out(self, index: int) -> None:
        cid = self._who(set(CounsellorState) - {CounsellorState.OFFLINE}, index)
        if cid is not None:
            self.apply(CounsellorLoggedOut(cid))

    @rule(index=st.integers(0, 9), reason=st.sampled_from(["break", "training"]))
    def pause(self, index: int, reason: str) -> None:
        cid = self._who(set(CounsellorState) - {CounsellorState.OFFLINE}, index)
        if cid is not None:
            self.apply(CounsellorPaused(cid, reason))

    @rule(index=st.integers(0, 9))
    def resume(self, index: int) -> None:
        cid = self._who({CounsellorState.PAUSED, CounsellorState.MISSED}, index)
        if cid is not None:
            self.apply(CounsellorResumed(cid))

    @rule(index=st.integers(0, 9))
    def end_wrap_up(self, index: int) -> None:
        cid = self._who({CounsellorState.WRAP_UP}, index)
        if cid is not None:
            self.apply(WrapUpEnded(cid))

    @rule(
        kind=st.sampled_from(
            [
                CounsellorLoggedOut,
                CounsellorResumed,
                WrapUpEnded,
                CallHungUp,
                CallEnded,
                CallbackRequested,
                CallbackCompleted,
            ]
        ),
        ident=st.sampled_from(COUNSELLORS + CALLS),
    )
    def anything(self, kind: type, ident: str) -> None:
        """Events aimed at random ids: mostly invalid, so they must raise and change nothing."""
        self.apply(kind(ident))

    @rule(
        cid=st.sampled_from(COUNSELLORS),
        kind=st.sampled_from([PhoneRegistered, PhoneUnregistered, PhoneBusy, PhoneFree]),
    )
    def phone(self, cid: str, kind: type) -> None:
        self.apply(kind(cid))

    @rule(
        call_id=st.sampled_from(CALLS),
        home=st.one_of(st.none(), st.sampled_from(CENTRES)),
        language=st.sampled_from(("vi", "vi", "vi", "en", "km")),
        wish=st.sampled_from(GenderWish),
        insist=st.booleans(),
        priority=st.sampled_from(Priority),
        callback=st.booleans(),
    )
    def arrive(
        self,
        call_id: str,
        home: str | None,
        language: str,
        wish: GenderWish,
        insist: bool,
        priority: Priority,
        callback: bool,
    ) -> None:
        self.apply(CallArrived(call_id, home, language, wish, insist, priority, callback))

    @rule(index=st.integers(0, 9))
    def hang_up(self, index: int) -> None:
        calls = self.engine.calls(self.now)
        if calls:
            self.apply(CallHungUp(calls[index % len(calls)].call_id))

    def _pick(self, status: CallStatus, index: int) -> str | None:
        ids = [c.call_id for c in self.engine.calls(self.now) if c.status == status]
        return ids[index % len(ids)] if ids else None

    @rule(index=st.integers(0, 9))
    def answer(self, index: int) -> None:
        call_id = self._pick(CallStatus.RINGING, index)
        if call_id is not None:
            view = self.engine.call(call_id)
            assert view is not None and view.counsellor_id is not None
            self.apply(CallAnswered(call_id, view.counsellor_id))

    @rule(call_id=st.sampled_from(CALLS), cid=st.sampled_from(COUNSELLORS))
    def answer_anything(self, call_id: str, cid: str) -> None:
        self.apply(CallAnswered(call_id, cid))

    @rule(index=st.integers(0, 9))
    def end(self, index: int) -> None:
        call_id = self._pick(CallStatus.CONNECTED, index)
        if call_id is not None:
            self.apply(CallEnded(call_id))

    @rule(index=st.integers(0, 9), failure=st.sampled_from(RingFailure))
    def fail_ring(self, index: int, failure: RingFailure) -> None:
        call_id = self._pick(CallStatus.RINGING, index)
        if call_id is not None:
            view = self.engine.call(call_id)
            assert view is not None and view.counsellor_id is not None
            self.apply(RingFailed(call_id, view.counsellor_id, failure))

    @rule(index=st.integers(0, 9))
    def request_callback(self, index: int) -> None:
        call_id = self._pick(CallStatus.WAITING, index)
        if call_id is not None:
            self.apply(CallbackRequested(call_id))

    @rule(index=st.integers(0, 9))
    def complete_callback(self, index: int) -> None:
        ids = [c.call_id for c in self.engine.calls(self.now) if c.callback]
        if ids:
            self.apply(CallbackCompleted(ids[index % len(ids)]))

    @rule(dt=st.sampled_from([0.0, 0.1, 0.5, 2.3, 9.0, 15.0, 21.0, 46.0, 130.0]))
    def advance(self, dt: float) -> None:
        self.now += dt
        self.apply(TimerFired())

    @precondition(lambda self: self.engine.next_deadline() is not None)
    @rule()
    def wake_at_deadline(self) -> None:
        deadline = self.engine.next_deadline()
        assert deadline is not None
        self.now = max(self.now, deadline)
        self.apply(TimerFired())

    # ---- properties -------------------------------------------------------------------

    def rank(self, call_id: str) -> tuple[float, int]:
        view = self.engine.call(call_id)
        assert view is not None
        return (view.arrived_at - self.policy.lead(view.priority), self.arrival_order[call_id])

    def check_decisions(self, decisions: list[Decision]) -> None:
        ringing: dict[str, str] = {}
        for decision in decisions:
            if isinstance(decision, RingCounsellor):
                assert decision.counsellor_id not in ringing, "two offers to one counsellor"
                ringing[decision.counsellor_id] = decision.call_id
            elif isinstance(decision, CancelRing):
                ringing.pop(decision.counsellor_id, None)
        people = {k.counsellor_id: k for k in self.engine.counsellors()}
        waiting = self.engine.waiting_calls(self.now)
        for decision in decisions:
            if not isinstance(decision, RingCounsellor):
                continue
            k = people[decision.counsellor_id]
            call = self.engine.call(decision.call_id)
            assert call is not None and call.status == CallStatus.RINGING
            assert k.state == CounsellorState.RINGING and k.call_id == call.call_id
            assert k.phone_usable, "rang a phone that is not usable"
            assert eligible_ignoring_state(self.policy, call, k), (call, k)
            assert decision.interpreter_needed == (call.language not in k.languages)
            assert decision.ring_until == self.now + self.policy.ring_timeout
            assert decision.callback == call.callback
            mine = self.rank(call.call_id)
            for other in waiting:
                if k.counsellor_id in other.tried or not eligible_ignoring_state(
                    self.policy, other, k
                ):
                    continue
                theirs = self.rank(other.call_id)
                assert mine < theirs, f"{call.call_id} overtook {other.call_id}"
                # the ageing bound, stated as users see it
                assert call.arrived_at - other.arrived_at <= self.policy.max_overtake
                if other.priority >= call.priority:
                    assert other.arrived_at >= call.arrived_at

    @invariant()
    def one_call_per_counsellor(self) -> None:
        calls = self.engine.calls(self.now)
        ringing_or_talking = [c for c in calls if c.status != CallStatus.WAITING]
        holders = [c.counsellor_id for c in ringing_or_talking if c.status == CallStatus.RINGING]
        assert len(holders) == len(set(holders))
        people = {k.counsellor_id: k for k in self.engine.counsellors()}
        for call in ringing_or_talking:
            assert call.counsellor_id is not None
            if call.status == CallStatus.RINGING:
                k = people[call.counsellor_id]
                assert k.state == CounsellorState.RINGING and k.call_id == call.call_id
        for k in people.values():
            if k.state == CounsellorState.RINGING:
                view = self.engine.call(k.call_id or "")
                assert view is not None and view.status == CallStatus.RINGING
                assert view.counsellor_id == k.counsellor_id

    @invariant()
    def nobody_left_apart(self) -> None:
        assert apart_pairs(self.engine, self.now) == []

    @invariant()
    def wishes_widen_and_relax_on_time(self) -> None:
        p = self.policy
        for call in self.engine.calls(self.now):
            if call.status == CallStatus.CONNECTED:
                continue  # a connected call no longer needs to widen or relax

            def due(wait: float, call: CallView = call) -> bool:
                return call.arrived_at + wait <= self.now  # as the engine computes deadlines

            widened = call.reach == p.centres
            if call.home_centre is None or call.priority == Priority.DANGER:
                assert widened
            if due(p.overflow_after):
                assert widened
            reach = p.centres if widened else (call.home_centre,)
            needs_relaxing = any(p.language_of(c) != call.language for c in reach if c)
            if due(p.language_wait) and needs_relaxing:
                assert call.language_relaxed
            if call.gender_wish != GenderWish.NONE:
                if call.gender_insist:
                    assert not call.gender_relaxed
                elif due(p.gender_wait):
                    assert call.gender_relaxed

    @invariant()
    def positions_count_from_one(self) -> None:
        by_home: dict[str | None, list[int]] = {}
        for call in self.engine.waiting_calls(self.now):
            assert call.position is not None
            by_home.setdefault(call.home_centre, []).append(call.position)
        for positions in by_home.values():
            assert positions == list(range(1, len(positions) + 1))

    def teardown(self) -> None:
        replay = RoutingEngine(self.policy)
        for event, now, decisions in self.history:
            try:
                again = replay.handle(event, now)
            except RoutingError:
                assert decisions is None
                continue
            assert again == decisions


RoutingMachine.TestCase.settings = STEP_SETTINGS
TestRoutingMachine = RoutingMachine.TestCase
