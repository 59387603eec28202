"""The discrete-event loop: the world (callers, counsellors, phones) around the real engine.

The routing engine (``routing.RoutingEngine``) decides who rings; this module only models what
the world does about it: calls arrive, callers give up, counsellors answer after a delay (or not),
talk, finish wrap-up early when their wrap-up is not fixed, log in and out with their shifts, and
come back after a missed ring. Every reaction to a decision goes through the event heap, so the
engine is never re-entered, and the engine is woken at ``next_deadline()`` (its own timers:
ring time-outs, wrap-up ends, overflow, announcements).
"""

from __future__ import annotations

import heapq
import math

from callcenter.scenario import DAY, Fixed, Scenario
from callcenter.simulation.report import CallRecord
from callcenter.simulation.state import (
    ABANDON,
    ANSWER,
    ARRIVE,
    CALLBACK,
    END,
    LOGIN,
    LOGOUT,
    PHONE_OK,
    RESUME,
    RING_FAIL,
    WAKE,
    WRAP_END,
    LiveCall,
    RunTotals,
    StaffMember,
)
from callcenter.simulation.world import (
    ArrivalProcess,
    CallerFactory,
    logged_in_intervals,
    stream,
)
from routing import (
    AnnouncePosition,
    CallAnswered,
    CallArrived,
    CallbackRequested,
    CallEnded,
    CallHungUp,
    CallOverflowed,
    CancelRing,
    CounsellorLoggedIn,
    CounsellorLoggedOut,
    CounsellorMissed,
    CounsellorResumed,
    Gender,
    OfferCallback,
    PhoneFree,
    PhoneRegistered,
    RingCounsellor,
    RingFailed,
    RingFailure,
    RoutingEngine,
    RoutingError,
    RoutingEvent,
    TimerFired,
    WrapUpEnded,
)


class Simulation:
    def __init__(self, scenario: Scenario, seed: int, days: float | None = None) -> None:
        self.scenario = scenario
        self.seed = seed
        self.horizon = (days if days is not None else scenario.days) * DAY
        self.warmup = scenario.report.warmup_seconds
        self.policy = scenario.routing_policy()
        self.engine = RoutingEngine(self.policy)
        self.totals = RunTotals(
            busy=dict.fromkeys(scenario.centres, 0.0), staffed=dict.fromkeys(scenario.centres, 0.0)
        )
        self._heap: list[tuple[float, int, int, object, object, int]] = []
        self._seq = 0
        self._wakes: set[float] = set()
        self._live: dict[str, LiveCall] = {}
        self._staff: dict[str, StaffMember] = {}
        self._phone_rng = stream(seed, "phones")
        self._staff_rng = stream(seed, "staff")
        self._choice_rng = stream(seed, "choices")
        self._arrivals = {
            c: ArrivalProcess(scenario, c, self.horizon, stream(seed, f"arrivals/{c}"))
            for c in scenario.centres
        }
        self._callback_accept = {
            c: scenario.caller_mix(c).callback_accept for c in scenario.centres
        }
        self._callers = {
            c: CallerFactory(scenario.caller_mix(c), stream(seed, f"callers/{c}"))
            for c in scenario.centres
        }
        self._pending_arrivals = 0
        self._next_id = 0
        self._missed_return = scenario.staff.missed_return
        for centre, person in scenario.counsellors():
            wrap = scenario.centres[centre].wrap_up
            staff = StaffMember(
                counsellor_id=person.id,
                centre=centre,
                languages=frozenset(person.languages),
                gender=Gender(person.gender),
                phone=scenario.pbx.phones.for_counsellor(person.id),
                wrap=None if wrap is None or isinstance(wrap, Fixed) else wrap,
                wrap_fixed=self.policy.wrap_up_of(centre),
            )
            self._staff[person.id] = staff
            for login, logout in logged_in_intervals(person, self.horizon):
                self._push(login, LOGIN, person.id, None, 0)
                if logout < math.inf:
                    self._push(logout, LOGOUT, person.id, None, 0)
        for centre, process in self._arrivals.items():
            first = process.next_after(0.0)
            if first is not None:
                self._pending_arrivals += 1
                self._push(first, ARRIVE, centre, None, 0)

    # --- plumbing ---------------------------------------------------------------------

    def _push(self, t: float, kind: int, a: object, b: object, c: int) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (t, self._seq, kind, a, b, c))

    def _send(self, event: RoutingEvent, now: float) -> None:
        totals = self.totals
        totals.engine_events += 1
        try:
            decisions = self.engine.handle(event, now)
        except RoutingError as exc:
            if len(totals.rejected) < 20:
                totals.rejected.append(f"t={now:.3f} {type(event).__name__}: {exc}")
            else:
                totals.rejected.append("...")
            return
        totals.decisions += len(decisions)
        for d in decisions:
            kind = type(d)
            if kind is RingCounsellor:
                assert isinstance(d, RingCounsellor)
                self._ring(d, now)
            elif kind is CancelRing:
                assert isinstance(d, CancelRing)
                live = self._live.get(d.call_id)
                if live is not None and live.ring == d.counsellor_id:
                    live.ring = None
                    live.ring_token += 1
            elif kind is CallOverflowed:
                assert isinstance(d, CallOverflowed)
                live = self._live.get(d.call_id)
                if live is not None and live.counsellor is None:  # not for connected calls
                    live.record.widened = True
            elif kind is CounsellorMissed:
                assert isinstance(d, CounsellorMissed)
                staff = self._staff[d.counsellor_id]
                back = self._missed_return.sample(self._staff_rng)
                if back < math.inf:
                    self._push(now + back, RESUME, staff.counsellor_id, None, staff.session)
            elif kind is OfferCallback:
                assert isinstance(d, OfferCallback)
                offered = self._live.get(d.call_id)
                if offered is None:
                    continue
                if self._choice_rng.random() < self._callback_accept[offered.record.home]:
                    self._push(now, CALLBACK, d.call_id, None, 0)
            elif kind is not AnnouncePosition:  # pragma: no cover - a new decision type
                raise TypeError(f"the simulator does not know {kind.__name__}")
        deadline = self.engine.next_deadline()
        if deadline is not None and deadline not in self._wakes:
            self._wakes.add(deadline)
            self._push(max(deadline, now), WAKE, None, None, 0)

    def _ring(self, d: RingCounsellor, now: float) -> None:
        live = self._live[d.call_id]
        live.ring = d.counsellor_id
        live.ring_token += 1
        live.ring_centre = d.centre
        live.interpreter = d.interpreter_needed
        if live.record.first_offer is None:
            live.record.first_offer = now
        phone = self._staff[d.counsellor_id].phone
        u = self._phone_rng.random()
        if u < phone.unreachable:
            self._push(now, RING_FAIL, d.call_id, d.counsellor_id, live.ring_token)
        elif u < phone.unreachable + phone.busy:
            self._push(now, RING_FAIL, d.call_id, d.counsellor_id, -live.ring_token)
        elif u >= phone.unreachable + phone.busy + phone.no_answer:
            delay = phone.answer_delay.sample(self._phone_rng)
            if now + delay < d.ring_until:
                self._push(now + delay, ANSWER, d.call_id, d.counsellor_id, live.ring_token)
        # otherwise nobody picks up: the engine's ring time-out handles it

    def _add_busy(self, centre: str, start: float, end: float) -> None:
        start = max(start, self.warmup)
        if end > start:
            self.totals.busy[centre] += end - start

    def _logout(self, staff: StaffMember, now: float) -> None:
        staff.logged_in = False
        staff.logout_pending = False
        staff.session += 1
        start = max(staff.login_at, self.warmup)
        if now > start:
            self.totals.staffed[staff.centre] += now - start
        self._send(CounsellorLoggedOut(staff.counsellor_id), now)

    # --- the loop ---------------------------------------------------------------------

    def run(self) -> RunTotals:
        heap = self._heap
        hard_stop = self.horizon + DAY
        now = last = 0.0
        while heap:
            now, _, kind, a, b, c = heapq.heappop(heap)
            if now > hard_stop or (self._pending_arrivals == 0 and not self._live):
                break
            last = now
            if kind == WAKE:
                self._wakes.discard(now)
                deadline = self.engine.next_deadline()
                if deadline is not None and deadline <= now:
                    self._send(TimerFired(), now)
            elif kind == ARRIVE:
                self._arrive(str(a), now)
            elif kind == ABANDON:
                live = self._live.get(str(a))
                if live is not None and live.counsellor is None and not live.callback:
                    live.record.abandoned = now
                    del self._live[str(a)]
                    self._send(CallHungUp(str(a)), now)
            elif kind == ANSWER:
                self._answer(str(a), str(b), c, now)
            elif kind == END:
                self._end(str(a), now)
            else:
                self._staff_event(kind, a, b, c, now)
        self.totals.end_time = max(last, self.horizon)
        for staff in self._staff.values():
            if staff.logged_in:
                start = max(staff.login_at, self.warmup)
                self.totals.staffed[staff.centre] += max(0.0, self.totals.end_time - start)
        return self.totals

    def _arrive(self, centre: str, now: float) -> None:
        self._next_id += 1
        call_id = f"c{self._next_id}"
        caller = self._callers[centre].draw()
        record = CallRecord(
            call_id=call_id,
            home=centre,
            arrived=now,
            priority=int(caller.priority),
            language=caller.language,
        )
        if now >= self.warmup:
            self.totals.calls.append(record)
        self._live[call_id] = LiveCall(record=record, caller=caller)
        nxt = self._arrivals[centre].next_after(now)
        if nxt is None:
            self._pending_arrivals -= 1
        else:
            self._push(nxt, ARRIVE, centre, None, 0)
        if caller.patience < math.inf:
            self._push(now + caller.patience, ABANDON, call_id, None, 0)
        self._send(
            CallArrived(
                call_id=call_id,
                home_centre=centre,
                language=caller.language,
                gender_wish=caller.gender_wish,
                gender_insist=caller.insist,
                priority=caller.priority,
            ),
            now,
        )

    def _answer(self, call_id: str, counsellor_id: str, token: int, now: float) -> None:
        live = self._live.get(call_id)
        if live is None or live.ring != counsellor_id or live.ring_token != token:
            return  # the ring was cancelled meanwhile
        live.ring = None
        live.counsellor = counsellor_id
        if live.callback:
            self.totals.callbacks_served += 1
        else:
            live.record.answered = now
            live.record.answered_centre = live.ring_centre
            live.record.counsellor = counsellor_id
            live.record.interpreter = live.interpreter
        self._staff[counsellor_id].on_call = call_id
        self._push(now + live.caller.talk_time, END, call_id, counsellor_id, 0)
        self._send(CallAnswered(call_id, counsellor_id), now)

    def _end(self, call_id: str, now: float) -> None:
        live = self._live.pop(call_id)
        assert live.counsellor is not None
        staff = self._staff[live.counsellor]
        staff.on_call = None
        staff.wrap_token += 1
        answered = now - live.caller.talk_time
        wrap = staff.wrap_fixed if staff.wrap is None else staff.wrap.sample(self._staff_rng)
        self._add_busy(staff.centre, answered, now + wrap)
        self._send(CallEnded(call_id), now)
        if staff.logout_pending:
            self._logout(staff, now)
        elif staff.wrap is not None and wrap < staff.wrap_fixed:
            self._push(now + wrap, WRAP_END, staff.counsellor_id, None, staff.wrap_token)

    def _staff_event(self, kind: int, a: object, b: object, c: int, now: float) -> None:
        if kind == CALLBACK:
            live = self._live.get(str(a))
            if live is not None and live.counsellor is None and live.ring is None:
                live.callback = True
                live.record.callback = now
                self._send(CallbackRequested(str(a)), now)
            return
        if kind == RING_FAIL:
            live = self._live.get(str(a))
            if live is None or live.ring != b or live.ring_token != abs(c):
                return
            failure = RingFailure.BUSY if c < 0 else RingFailure.UNREACHABLE
            staff = self._staff[str(b)]
            self._send(RingFailed(str(a), str(b), failure), now)
            back = staff.phone.recover_after.sample(self._phone_rng)
            if back < math.inf:
                self._push(now + back, PHONE_OK, str(b), failure, 0)
            return
        staff = self._staff[str(a)]
        cid = staff.counsellor_id
        if kind == LOGIN:
            if staff.logged_in:
                staff.logout_pending = False
                return
            staff.logged_in = True
            staff.login_at = now
            staff.session += 1
            self._send(CounsellorLoggedIn(cid, staff.centre, staff.languages, staff.gender), now)
        elif kind == LOGOUT:
            if staff.on_call is not None:
                staff.logout_pending = True
            elif staff.logged_in:
                self._logout(staff, now)
        elif kind == RESUME:
            if staff.logged_in and staff.session == c:
                self._send(CounsellorResumed(cid), now)
        elif kind == WRAP_END:
            if staff.logged_in and staff.on_call is None and staff.wrap_token == c:
                self._send(WrapUpEnded(cid), now)
        elif kind == PHONE_OK:
            event = PhoneFree(cid) if b is RingFailure.BUSY else PhoneRegistered(cid)
            self._send(event, now)
