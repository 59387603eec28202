"""Synthetic callers and counsellor softphones for the PBX simulator, driven by a scenario.

The scenario is the project's one format (:mod:`callcenter.scenario`); ``[pbx]`` says how
phones answer and how callers use the IVR. Callers are drawn exactly as ``callcenter simulate``
draws them (the same random streams of :mod:`callcenter.simulation.world`), so one scenario and
one seed give the same arrivals, languages, priorities, talk times and patience in both
simulators; everything the PBX side adds (numbers, IVR digits, phones) has streams of its own.
Deterministic under the seed: the plan is fixed before the run, and each phone draws from its
own stream in the order it is rung.

Callers dial the hotline number through the trunk, press their digits after the PBX answers,
give up after their patience unless a counsellor is bridged with them, and hang up after their
talk time. Phones are in ``manual`` mode: on each INVITE one outcome is drawn (unreachable: no
reply at all; busy: 486; no answer: rings on; else answers after ``answer_delay``).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from callcenter.scenario import Scenario
from callcenter.simulation.world import (
    ArrivalProcess,
    CallerFactory,
    logged_in_intervals,
    stream,
)
from pbxsim.model import happenings as h
from pbxsim.model.errors import PbxError
from pbxsim.model.objects import PhoneBehaviour
from pbxsim.model.pbx import Pbx
from routing.model import Priority


class ActorsError(ValueError):
    """The scenario cannot be played on this PBX configuration (message in vi + en)."""


class IvrMenus(Protocol):
    """What callers need to know of the IVR (``callcenter.flow.ivr.IvrConfig`` fits)."""

    @property
    def language_menu(self) -> Mapping[str, str]: ...

    @property
    def region_menu(self) -> Mapping[str, str]: ...

    @property
    def danger_digit(self) -> str: ...


@dataclass(frozen=True)
class DefaultMenus:
    """The service's default menus (callcenter.flow.ivr.IvrConfig defaults)."""

    language_menu: dict[str, str] = field(
        default_factory=lambda: {"1": "vi", "2": "en", "3": "km", "4": "hmn"}
    )
    region_menu: dict[str, str] = field(
        default_factory=lambda: {"1": "HN", "2": "DN", "3": "AG", "0": ""}
    )
    danger_digit: str = "9"


@dataclass(frozen=True)
class CallerPlan:
    """One caller, fully decided before the run."""

    index: int
    at: float  # seconds after the start of the run
    centre: str
    number: str  # "anonymous" when withheld
    language: str
    priority: str
    digits: str  # pressed one by one, key_delay apart, once the PBX answers
    key_delay: float
    ivr_hangup: bool  # hangs up inside the IVR (after key_delay) instead of pressing keys
    patience: float  # from arrival until a counsellor is bridged; inf = never gives up
    talk_time: float


@dataclass
class CallerOutcome:
    plan: CallerPlan
    channel_id: str = ""
    arrived_at: float = 0.0
    answered_at: float | None = None  # bridged with a counsellor
    ended_at: float | None = None
    hung_up_by_caller: bool = False

    @property
    def abandoned(self) -> bool:
        return self.answered_at is None and self.hung_up_by_caller


def plan_callers(
    scenario: Scenario,
    seed: int,
    *,
    duration: float,
    start_at: float = 0.0,
    menus: IvrMenus | None = None,
    max_calls: int | None = None,
) -> list[CallerPlan]:
    """Every caller of ``[start_at, start_at + duration)`` (seconds of the scenario's day)."""
    menus_: IvrMenus = menus if menus is not None else DefaultMenus()
    horizon = start_at + duration
    arrivals: list[tuple[float, str]] = []
    for centre in scenario.centres:
        process = ArrivalProcess(scenario, centre, horizon, stream(seed, f"arrivals/{centre}"))
        t = process.next_after(0.0)
        while t is not None:
            arrivals.append((t, centre))
            t = process.next_after(t)
    arrivals.sort()
    factories = {
        c: CallerFactory(scenario.caller_mix(c), stream(seed, f"callers/{c}"))
        for c in scenario.centres
    }
    ivr_rng = stream(seed, "pbx/ivr")
    number_rng = stream(seed, "pbx/numbers")
    pbx = scenario.pbx
    known = set(menus_.language_menu) | set(menus_.region_menu) | {menus_.danger_digit}
    wrong = next((d for d in "0123456789*#" if d not in known), "")
    language_digit = {lang: d for d, lang in menus_.language_menu.items()}
    region_digit = {centre: d for d, centre in menus_.region_menu.items() if centre}
    numbers: list[str] = []
    plans: list[CallerPlan] = []
    for t, centre in arrivals:
        caller = factories[centre].draw()  # drawn for every arrival, as the DES does
        if t < start_at:
            continue
        if max_calls is not None and len(plans) >= max_calls:
            break
        u = number_rng.random()
        if u < pbx.caller_numbers.withheld_share:
            number = "anonymous"
        elif numbers and u < pbx.caller_numbers.withheld_share + pbx.caller_numbers.repeat_share:
            number = number_rng.choice(numbers)
        else:
            number = "09" + "".join(number_rng.choice("0123456789") for _ in range(8))
            numbers.append(number)
        ivr = pbx.ivr
        v = ivr_rng.random()
        hangup = v < ivr.hangup_share
        if hangup or v < ivr.hangup_share + ivr.no_key_share:
            digits = ""
        elif caller.priority is Priority.DANGER:
            digits = menus_.danger_digit
        else:
            digits = language_digit.get(caller.language, "") + region_digit.get(centre, "")
            if v < ivr.hangup_share + ivr.no_key_share + ivr.wrong_key_share:
                digits = wrong + digits
        w = ivr_rng.random()
        for script in ivr.scripts:
            if w < script.share:
                digits = script.digits
                break
            w -= script.share
        plans.append(
            CallerPlan(
                index=len(plans),
                at=t - start_at,
                centre=centre,
                number=number,
                language=caller.language,
                priority=caller.priority.name.lower(),
                digits=digits,
                key_delay=ivr.key_delay.sample(ivr_rng),
                ivr_hangup=hangup,
                patience=caller.patience,
                talk_time=caller.talk_time,
            )
        )
    return plans


def map_endpoints(
    scenario: Scenario, endpoints: list[str], explicit: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Counsellor id -> PJSIP endpoint: ``explicit`` first, then an endpoint named like the id,
    then the endpoints whose name starts with the centre code (``hn-``) in name order."""
    explicit = dict(explicit or {})
    taken = set(explicit.values())
    result: dict[str, str] = {}
    for centre, person in scenario.counsellors():
        if person.id in explicit:
            result[person.id] = explicit[person.id]
            continue
        same = person.id.lower()
        if same in endpoints and same not in taken:
            result[person.id] = same
            taken.add(same)
            continue
        free = sorted(e for e in endpoints if e.startswith(f"{centre.lower()}-") and e not in taken)
        if not free:
            raise ActorsError(
                f"no PJSIP endpoint left for counsellor {person.id!r} of centre {centre} / "
                f"không còn endpoint PJSIP cho tư vấn viên {person.id!r} của trung tâm {centre}"
            )
        result[person.id] = free[0]
        taken.add(free[0])
    for cid, ep in result.items():
        if ep not in endpoints:
            raise ActorsError(
                f"endpoint {ep!r} of counsellor {cid!r} is not in pjsip.conf / "
                f"endpoint {ep!r} của tư vấn viên {cid!r} không có trong pjsip.conf"
            )
    return result


class Actors:
    """Plays a scenario's callers and phones against a running :class:`Pbx`.

    ``on_login`` / ``on_logout`` (counsellor id, endpoint) are called at shift boundaries, so a
    harness can set the counsellor's presence in the service the way a person would."""

    def __init__(
        self,
        pbx: Pbx,
        scenario: Scenario,
        seed: int,
        *,
        hotline: str = "1800",
        trunk: str | None = None,
        duration: float = 3600.0,
        start_at: float = 0.0,
        max_calls: int | None = None,
        menus: IvrMenus | None = None,
        endpoints: Mapping[str, str] | None = None,
        on_login: Callable[[str, str], None] | None = None,
        on_logout: Callable[[str, str], None] | None = None,
    ) -> None:
        self.pbx = pbx
        self.scenario = scenario
        self.seed = seed
        self.hotline = hotline
        self.trunk = trunk  # the endpoint callers arrive on (None: the model's trunk)
        self.duration = duration
        self.start_at = start_at
        self.plans = plan_callers(
            scenario, seed, duration=duration, start_at=start_at, menus=menus, max_calls=max_calls
        )
        self.endpoint_of = map_endpoints(scenario, sorted(pbx.endpoints), endpoints)
        self.counsellor_of = {ep: cid for cid, ep in self.endpoint_of.items()}
        self.outcomes: list[CallerOutcome] = [CallerOutcome(p) for p in self.plans]
        self.on_login = on_login
        self.on_logout = on_logout
        self._by_channel: dict[str, CallerOutcome] = {}
        self._bridged: dict[str, asyncio.Event] = {}
        self._ended: dict[str, asyncio.Event] = {}
        self._answered: dict[str, asyncio.Event] = {}
        self._phone_rngs = {ep: stream(seed, f"pbx/phone/{ep}") for ep in self.counsellor_of}
        self._finished: dict[int, asyncio.Event] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._unsubscribe: Callable[[], None] | None = None

    # ---- running
    def start(self) -> None:
        self._unsubscribe = self.pbx.subscribe(self._on_happening)
        for ep in self.counsellor_of:
            self.pbx.set_phone(ep, PhoneBehaviour(mode="manual", ring=False))
        self._spawn(self._shifts())
        for outcome in self.outcomes:
            self._spawn(self._caller(outcome))

    async def run(self) -> list[CallerOutcome]:
        """Start, wait until every planned caller is done, stop; returns the outcomes."""
        self.start()
        try:
            for outcome in self.outcomes:
                await self._done(outcome).wait()
        finally:
            await self.stop()
        return self.outcomes

    def _done(self, outcome: CallerOutcome) -> asyncio.Event:
        return self._finished.setdefault(outcome.plan.index, asyncio.Event())

    async def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def _spawn(self, coro: object) -> None:
        task: asyncio.Task[None] = asyncio.get_running_loop().create_task(coro)  # type: ignore[arg-type]
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # ---- the bus
    def _on_happening(self, x: h.Happening) -> None:
        if isinstance(x, h.PhoneInvited):
            self._invited(x)
            return
        if isinstance(x, h.ChannelStateChanged) and x.channel.state == "Up":
            event = self._answered.get(x.channel.id)
            if event is not None:
                event.set()
        elif isinstance(x, h.ChannelEnteredBridge) and len(x.bridge.channels) >= 2:
            for cid in x.bridge.channels:
                outcome = self._by_channel.get(cid)
                others = [c for c in x.bridge.channels if c != cid]
                if (
                    outcome is not None
                    and outcome.answered_at is None
                    and any(self._is_counsellor_leg(o) for o in others)
                ):
                    outcome.answered_at = self.pbx.now()
                    self._bridged[cid].set()
        elif isinstance(x, h.ChannelHungUp):
            outcome = self._by_channel.get(x.channel.id)
            if outcome is not None and outcome.ended_at is None:
                outcome.ended_at = self.pbx.now()
                self._ended[x.channel.id].set()
                self._done(outcome).set()

    def _is_counsellor_leg(self, channel_id: str) -> bool:
        ch = self.pbx.channels.get(channel_id)
        return ch is not None and ch.endpoint in self.counsellor_of

    # ---- callers
    async def _caller(self, outcome: CallerOutcome) -> None:
        plan, pbx = outcome.plan, self.pbx
        await pbx.clock.sleep(plan.at)
        name = "Anonymous" if plan.number == "anonymous" else plan.number
        ch = pbx.originate_inbound(self.hotline, plan.number, name, endpoint=self.trunk)
        cid = ch.id
        outcome.channel_id, outcome.arrived_at = cid, pbx.now()
        self._by_channel[cid] = outcome
        bridged, ended, answered = asyncio.Event(), asyncio.Event(), asyncio.Event()
        self._bridged[cid], self._ended[cid], self._answered[cid] = bridged, ended, answered
        if ch.state == "Up":
            answered.set()
        self._spawn(self._press_keys(cid, plan, answered, bridged, ended))
        waited = await self._first(bridged, ended, plan.patience)
        if waited == "timeout":
            self._hang_up(outcome)
            return
        if waited == "bridged" and await self._first(ended, ended, plan.talk_time) == "timeout":
            self._hang_up(outcome)

    async def _press_keys(
        self,
        cid: str,
        plan: CallerPlan,
        answered: asyncio.Event,
        bridged: asyncio.Event,
        ended: asyncio.Event,
    ) -> None:
        await answered.wait()
        if plan.ivr_hangup:
            await self.pbx.clock.sleep(plan.key_delay)
            if not ended.is_set() and not bridged.is_set():
                self._hang_up(self._by_channel[cid])
            return
        for digit in plan.digits:
            await self.pbx.clock.sleep(plan.key_delay)
            if ended.is_set() or bridged.is_set():
                return
            try:
                self.pbx.send_dtmf(cid, digit)
            except PbxError:
                return

    async def _first(self, a: asyncio.Event, b: asyncio.Event, seconds: float) -> str:
        waits: dict[asyncio.Future[object], str] = {
            asyncio.ensure_future(a.wait()): "bridged",
            asyncio.ensure_future(b.wait()): "ended",
        }
        if seconds < math.inf:
            waits[asyncio.ensure_future(self.pbx.clock.sleep(seconds))] = "timeout"
        try:
            done, _ = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for fut in waits:
                fut.cancel()
        first = next(iter(done))
        return "ended" if b.is_set() else waits[first]

    def _hang_up(self, outcome: CallerOutcome) -> None:
        if outcome.ended_at is not None:
            return
        try:
            self.pbx.hangup(outcome.channel_id)
            outcome.hung_up_by_caller = True
        except PbxError:
            pass  # already gone

    # ---- phones
    def _invited(self, x: h.PhoneInvited) -> None:
        ep = (x.channel.endpoint or "").partition("/")[2]
        cid = self.counsellor_of.get(ep)
        if cid is None:
            return
        phone = self.scenario.pbx.phones.for_counsellor(cid)
        rng = self._phone_rngs[ep]
        u = rng.random()
        leg = x.channel.id
        if u < phone.unreachable:
            return  # nothing listens: no reply at all (the dialler's timeout ends it)
        if u < phone.unreachable + phone.busy:
            self.pbx.clock.call_later(0.003, lambda: self._safe(self.pbx.phone_reject, leg, 486))
            return
        self.pbx.phone_ringing(leg)
        if u < phone.unreachable + phone.busy + phone.no_answer:
            return
        delay = phone.answer_delay.sample(rng)
        self.pbx.clock.call_later(delay, lambda: self._safe(self.pbx.phone_answer, leg))

    @staticmethod
    def _safe(fn: Callable[..., None], *args: object) -> None:
        with contextlib.suppress(PbxError):  # the leg went away meanwhile
            fn(*args)

    async def _shifts(self) -> None:
        """Register dynamic phones and report logins/logouts at shift boundaries."""
        horizon = self.start_at + self.duration
        changes: list[tuple[float, bool, str, str]] = []
        for centre, person in self.scenario.counsellors():
            del centre
            ep = self.endpoint_of[person.id]
            for login, logout in logged_in_intervals(person, horizon):
                changes.append((max(login, self.start_at) - self.start_at, True, person.id, ep))
                if logout < horizon:
                    changes.append((logout - self.start_at, False, person.id, ep))
        changes.sort()
        now = 0.0
        for at, login, cid, ep in changes:
            if at < 0:
                continue
            await self.pbx.clock.sleep(at - now)
            now = at
            self._shift_change(login, cid, ep)

    def _shift_change(self, login: bool, counsellor: str, ep: str) -> None:
        endpoint = self.pbx.endpoints[ep]
        dynamic = endpoint.static_contact is None and endpoint.has_aor
        if login:
            if dynamic:
                self.pbx.register_contact(ep, f"sip:{ep}@127.0.0.1:5090", 3600)
            if self.on_login is not None:
                self.on_login(counsellor, ep)
        else:
            if self.on_logout is not None:
                self.on_logout(counsellor, ep)
            if dynamic:
                self.pbx.unregister_contact(ep)
