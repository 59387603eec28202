"""app_queue: callers waiting in queues, members rung by the queue's strategy.

What it reproduces (ami-queue-call.raw, ami-continue-to-fallback.raw, fact 28): QueueCallerJoin,
MOH while waiting, AgentCalled + DialBegin per member rung, DialEnd ANSWER for the one who
answers and CANCEL (twice, fact 17) for the others, QueueCallerLeave, AgentConnect, a basic
bridge, AgentComplete when either side hangs up; AgentRingNoAnswer after the member ring
timeout, QueueCallerAbandon when the caller gives up. Strategies: ringall, linear, rrmemory,
roundrobin, leastrecent, fewestcalls, random (seeded). A caller's priority comes from the
channel variable QUEUE_PRIO (higher first), as in Asterisk.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pbxsim.model import happenings as h
from pbxsim.model.config import QueueConfig, QueueMemberConfig
from pbxsim.model.errors import NotFound, Unprocessable
from pbxsim.model.objects import Channel

if TYPE_CHECKING:
    from pbxsim.model.pbx import Pbx

DEVICE_NUMBER = {
    "UNKNOWN": 0,
    "NOT_INUSE": 1,
    "INUSE": 2,
    "BUSY": 3,
    "INVALID": 4,
    "UNAVAILABLE": 5,
    "RINGING": 6,
    "RINGINUSE": 7,
    "ONHOLD": 8,
}


@dataclass
class Member:
    queue: str
    interface: str
    membername: str
    penalty: int = 0
    paused: bool = False
    paused_reason: str = ""
    calls_taken: int = 0
    last_call: float = 0.0
    last_pause: float = 0.0
    login_time: float = 0.0
    dynamic: bool = False
    in_call: bool = False
    ringing: bool = False
    wrapup_until: float = 0.0


@dataclass
class Waiting:
    channel: Channel
    joined_at: float
    priority: int
    seq: int
    done: asyncio.Event = field(default_factory=asyncio.Event)
    tried: set[str] = field(default_factory=set)  # members rung without answer this round


@dataclass
class QueueState:
    config: QueueConfig
    members: list[Member] = field(default_factory=list)
    callers: list[Waiting] = field(default_factory=list)
    completed: int = 0
    abandoned: int = 0
    holdtime: float = 0.0
    talktime: float = 0.0
    rr_next: int = 0


class QueueEngine:
    def __init__(self, pbx: Pbx, seed: int = 0) -> None:
        self.pbx = pbx
        self.random = random.Random(seed)
        self.queues: dict[str, QueueState] = {}
        self.pending: set[str] = set()  # interfaces being rung by some queue caller
        # connected queue calls by caller and agent channel id: AgentComplete, sent when
        # either side's hang-up request arrives (before the bridge is left)
        self._completions: dict[str, Callable[[], None]] = {}
        self._seq = 0
        for q in pbx.config.queues.values():
            st = QueueState(config=q)
            for m in q.members:
                st.members.append(self._member(q.name, m, dynamic=False))
            self.queues[q.name] = st

    def _member(self, queue: str, m: QueueMemberConfig, *, dynamic: bool) -> Member:
        return Member(
            queue=queue,
            interface=m.interface,
            membername=m.membername,
            penalty=m.penalty,
            dynamic=dynamic,
            login_time=self.pbx.now(),
        )

    # ------------------------------------------------------------ views

    def snapshot(self, m: Member) -> h.MemberSnapshot:
        state = self.pbx.device_states.get(m.interface) or self.pbx.compute_device_state(
            m.interface
        )
        q = self.queues[m.queue].config
        return h.MemberSnapshot(
            queue=m.queue,
            interface=m.interface,
            membername=m.membername,
            state_interface=m.interface,
            penalty=m.penalty,
            paused=m.paused,
            paused_reason=m.paused_reason,
            calls_taken=m.calls_taken,
            last_call=int(m.last_call),
            last_pause=int(m.last_pause),
            login_time=int(m.login_time),
            in_call=m.in_call,
            status=DEVICE_NUMBER.get(state, 0),
            dynamic=m.dynamic,
            wrapuptime=int(q.wrapuptime),
            ringinuse=q.ringinuse,
        )

    def state(self, name: str) -> QueueState:
        st = self.queues.get(name)
        if st is None:
            raise NotFound(f"Queue '{name}' not found")
        return st

    def device_state(self, device: str) -> str:
        name = device[len("Queue:") :]
        queue, sep, interface = name.partition("_pause_")
        if sep and queue in self.queues:
            member = next((m for m in self.queues[queue].members if m.interface == interface), None)
            if member is None:
                return self.pbx.device_states.get(device, "INVALID")
            return "INUSE" if member.paused else "NOT_INUSE"
        avail = name.endswith("_avail")
        st = self.queues.get(name[: -len("_avail")] if avail else name)
        if st is None:
            return "INVALID"
        if avail:
            free = [m for m in st.members if self._member_available(st, m)]
            return "NOT_INUSE" if free else "INUSE"
        return "RINGING" if st.callers else "NOT_INUSE"

    def device_changed(self, device: str, state: str) -> None:
        for st in self.queues.values():
            touched = False
            for m in st.members:
                if m.interface == device:
                    touched = True
                    self.pbx.publish(h.QueueMemberStatusChanged(self.pbx.now(), self.snapshot(m)))
            if touched:
                self._refresh_queue_devices(st, avail=True)

    def _refresh_queue_devices(self, st: QueueState, *, avail: bool = False) -> None:
        """``Queue:<q>`` follows the waiting callers; ``Queue:<q>_avail`` is re-evaluated only
        when a member's device changes (app_queue's device_state_cb), so ringing a member or
        a caller joining does not touch it (ami-queue-call.raw, ami-registration.raw)."""
        devices = [f"Queue:{st.config.name}"]
        if avail:
            devices.append(f"Queue:{st.config.name}_avail")
        for dev in devices:
            state = self.device_state(dev)
            if self.pbx.device_states.get(dev) != state:
                self.pbx.set_device_state(dev, state)

    def _member_available(self, st: QueueState, m: Member) -> bool:
        """app_queue's is_member_available(): the member's device state, ringinuse, pause
        and wrap-up time (not whether some caller is ringing it right now)."""
        state = self.pbx.device_states.get(m.interface) or self.pbx.compute_device_state(
            m.interface
        )
        if state in ("INVALID", "UNAVAILABLE"):
            available = False
        elif state in ("NOT_INUSE", "UNKNOWN"):
            available = not m.paused
        else:
            available = st.config.ringinuse and not m.paused
        if m.last_call and st.config.wrapuptime and self.pbx.now() < m.wrapup_until:
            available = False
        return available

    def _available(self, st: QueueState, m: Member) -> bool:
        if m.paused or m.ringing or m.wrapup_until > self.pbx.now():
            return False
        state = self.pbx.compute_device_state(m.interface)
        if state in ("UNAVAILABLE", "INVALID"):
            return False
        if st.config.ringinuse:
            return True
        # ringinuse=no: app_queue's pending-member check keeps one interface from being rung by
        # two queue callers at once (across queues), and any call on the phone makes it busy
        if m.interface in self.pending or self._has_channel(m.interface):
            return False
        return state == "NOT_INUSE"

    def _has_channel(self, interface: str) -> bool:
        ep = self.pbx.endpoints.get(interface.partition("/")[2])
        return ep is not None and any(
            c in self.pbx.channels and not self.pbx.channels[c].destroyed for c in ep.channel_ids
        )

    # ------------------------------------------------------------ member management

    def add_member(
        self,
        queue: str,
        interface: str,
        membername: str | None = None,
        penalty: int = 0,
        paused: bool = False,
    ) -> Member:
        st = self.state(queue)
        if any(m.interface == interface for m in st.members):
            raise Unprocessable("Unable to add interface: Already there")
        m = self._member(
            queue, QueueMemberConfig(interface, penalty, membername or interface), dynamic=True
        )
        m.paused = paused
        st.members.append(m)
        self._pause_device(m)
        self.pbx.publish(h.QueueMemberAdded(self.pbx.now(), self.snapshot(m)))
        return m

    def pause_devices(self) -> list[str]:
        return [
            f"Queue:{m.queue}_pause_{m.interface}"
            for st in self.queues.values()
            for m in st.members
        ]

    def _pause_device(self, m: Member) -> None:
        """app_queue's ``Queue:<queue>_pause_<interface>`` device: INUSE while the member is
        paused, NOT_INUSE otherwise; published before QueueMemberAdded / QueueMemberPause
        when it changes (ami-actions.raw)."""
        device = f"Queue:{m.queue}_pause_{m.interface}"
        state = "INUSE" if m.paused else "NOT_INUSE"
        if self.pbx.device_states.get(device) != state:
            self.pbx.set_device_state(device, state)

    def remove_member(self, queue: str, interface: str) -> None:
        st = self.state(queue)
        for m in st.members:
            if m.interface == interface:
                st.members.remove(m)
                self.pbx.publish(h.QueueMemberRemoved(self.pbx.now(), self.snapshot(m)))
                return
        raise NotFound("Unable to remove interface: Not there")

    def pause(
        self, interface: str, paused: bool, queue: str | None = None, reason: str = ""
    ) -> None:
        found = False
        for st in self.queues.values():
            if queue is not None and st.config.name != queue:
                continue
            for m in st.members:
                if m.interface == interface:
                    found = True
                    m.paused, m.paused_reason = paused, reason if paused else ""
                    m.last_pause = self.pbx.now() if paused else m.last_pause
                    self._pause_device(m)
                    self.pbx.publish(h.QueueMemberPaused(self.pbx.now(), self.snapshot(m)))
        if not found:
            raise NotFound("Interface not found")

    # ------------------------------------------------------------ the application

    async def run(self, ch: Channel, args: list[str]) -> None:
        """``Queue(name,options,URL,announce,timeout)``; sets QUEUESTATUS."""
        pbx = self.pbx
        name = args[0] if args else ""
        st = self.queues.get(name)
        if st is None:
            pbx.set_var(ch, "QUEUESTATUS", "UNKNOWN")
            return
        timeout = float(args[4]) if len(args) > 4 and args[4] else 0.0
        for var in (
            "ANSWEREDTIME",
            "ANSWEREDTIME_MS",
            "DIALEDTIME",
            "DIALEDTIME_MS",
            "QUEUEWAIT",
            "QUEUEWAIT_MS",
        ):
            pbx.set_var(ch, var, "")
        if st.config.maxlen and len(st.callers) >= st.config.maxlen:
            pbx.set_var(ch, "QUEUESTATUS", "FULL")
            return
        prio_txt = ch.variables.get("QUEUE_PRIO", "0")
        prio = int(prio_txt) if prio_txt.lstrip("-").isdigit() else 0
        self._seq += 1
        w = Waiting(channel=ch, joined_at=pbx.now(), priority=prio, seq=self._seq)
        st.callers.append(w)
        st.callers.sort(key=lambda x: (-x.priority, x.seq))
        position = st.callers.index(w) + 1
        ch.queue_name = name
        pbx.publish(h.QueueCallerJoined(pbx.now(), ch.snapshot(), name, position, len(st.callers)))
        pbx.publish(
            h.QueueLogWritten(
                pbx.now(), ch.id, name, "NONE", "ENTERQUEUE", ("", ch.caller_number, "1")
            )
        )
        self._refresh_queue_devices(st)
        ch.moh = True
        pbx.publish(h.MusicOnHoldStarted(pbx.now(), ch.snapshot(), st.config.musicclass))
        deadline = pbx.now() + timeout if timeout > 0 else None
        status = await self._wait_for_member(st, w, deadline)
        if status in ("HANGUP", "CONNECTED"):
            return
        pbx.set_var(ch, "QUEUESTATUS", status)

    def _leave(self, st: QueueState, w: Waiting) -> int:
        pos = st.callers.index(w) + 1 if w in st.callers else 1
        if w in st.callers:
            st.callers.remove(w)
        ch = w.channel
        if ch.moh:
            ch.moh = False
            self.pbx.publish(h.MusicOnHoldStopped(self.pbx.now(), ch.snapshot()))
        return pos

    def _pick(self, st: QueueState, w: Waiting | None = None) -> list[Member]:
        free = [m for m in st.members if self._available(st, m)]
        if not free:
            return []
        if w is not None and st.config.strategy != "ringall":
            untried = [m for m in free if m.interface not in w.tried]
            if not untried:  # everyone had a go: a new round
                w.tried.clear()
                untried = free
            free = untried
        strategy = st.config.strategy
        best_penalty = min(m.penalty for m in free)
        free = [m for m in free if m.penalty == best_penalty]
        if strategy == "ringall":
            # app_queue walked the members last-added first in every lab recording
            return list(reversed(free))
        if strategy in ("rrmemory", "roundrobin", "rrordered"):
            order = (
                st.members[st.rr_next % len(st.members) :]
                + st.members[: st.rr_next % len(st.members)]
            )
            pick = next(m for m in order if m in free)
            st.rr_next = st.members.index(pick) + 1
            return [pick]
        if strategy == "leastrecent":
            return [min(free, key=lambda m: m.last_call)]
        if strategy == "fewestcalls":
            return [min(free, key=lambda m: m.calls_taken)]
        if strategy == "random":
            return [self.random.choice(free)]
        return [free[0]]  # linear

    async def _wait_for_member(self, st: QueueState, w: Waiting, deadline: float | None) -> str:
        pbx = self.pbx
        ch = w.channel
        while True:
            if ch.hangup_started:
                return self._abandon(st, w)
            if deadline is not None and pbx.now() >= deadline:
                pos = self._leave(st, w)
                pbx.publish(
                    h.QueueCallerLeft(
                        pbx.now(), ch.snapshot(), st.config.name, pos, len(st.callers)
                    )
                )
                self._refresh_queue_devices(st)
                return "TIMEOUT"
            head = st.callers and st.callers[0] is w
            members = self._pick(st, w) if head else []
            if not members:
                await self._sleep(ch, 0.25, deadline)
                continue
            outcome = await self._ring(st, w, members, deadline)
            w.tried.update(m.interface for m in members)
            if outcome == "CONNECTED":
                return "CONNECTED"  # the caller left through the bridge; QUEUESTATUS not set
            if ch.hangup_started:
                return self._abandon(st, w)
            await self._sleep(ch, st.config.retry, deadline)

    async def _sleep(self, ch: Channel, seconds: float, deadline: float | None) -> None:
        if deadline is not None:
            seconds = max(0.0, min(seconds, deadline - self.pbx.now()))
        ch.wake.clear()
        if ch.hangup_started:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(ch.wake.wait(), seconds / self.pbx.clock.speed)

    def _abandon(self, st: QueueState, w: Waiting) -> str:
        pbx = self.pbx
        ch = w.channel
        pos = self._leave(st, w)
        st.abandoned += 1
        hold = int(pbx.now() - w.joined_at)
        pbx.set_var(ch, "ABANDONED", "TRUE")
        pbx.publish(
            h.QueueCallerAbandoned(pbx.now(), ch.snapshot(), st.config.name, pos, pos, hold)
        )
        pbx.publish(
            h.QueueCallerLeft(pbx.now(), ch.snapshot(), st.config.name, pos, len(st.callers))
        )
        pbx.set_var(ch, "QUEUEPOSITION", str(pos))
        pbx.publish(
            h.QueueLogWritten(
                pbx.now(), ch.id, st.config.name, "NONE", "ABANDON", (str(pos), str(pos), str(hold))
            )
        )
        self._refresh_queue_devices(st)
        return "HANGUP"

    async def _ring(
        self, st: QueueState, w: Waiting, members: list[Member], deadline: float | None
    ) -> str:
        from pbxsim.model import dialing

        pbx = self.pbx
        caller = w.channel
        legs: dict[str, tuple[Member, Channel]] = {}
        tasks: dict[asyncio.Task[str], str] = {}
        caller.held_dial_states = []
        ring_timeout = st.config.timeout
        if deadline is not None:
            ring_timeout = max(0.001, min(ring_timeout, deadline - pbx.now()))
        for m in members:
            if legs and not self._available(st, m):
                # can_ring_entry(): another caller's Queue() took it while this one was
                # calling the previous members
                continue
            leg = dialing.new_outbound(
                pbx,
                m.interface,
                channel_id=None,
                caller=(caller.caller_name, caller.caller_number),
                linkedid=caller.linkedid,
            )
            pbx.set_var(leg, "DIALEDPEERNUMBER", m.interface.partition("/")[2])
            leg.cdr_merged = True
            caller.cdr_peers.append(leg)
            m.ringing = True
            self.pending.add(m.interface)
            legs[leg.id] = (m, leg)
            pbx.publish(
                h.AgentCalled(
                    pbx.now(), caller.snapshot(), st.config.name, self.snapshot(m), leg.snapshot()
                )
            )
            # ring_entry: ast_call, AgentCalled, then DialBegin, member by member
            dialstring = m.interface.partition("/")[2]
            pbx.publish(h.DialBegan(pbx.now(), caller.snapshot(), leg.snapshot(), dialstring))
            ring = dialing.ring_leg(pbx, leg, caller, ring_timeout, dial_began=True)
            tasks[pbx.spawn(ring)] = leg.id
            if m is not members[-1]:
                # the INVITE is out: a phone that answers it at once (180) changes state
                # before the next member is called; app_queue reads its ringing only once it
                # waits on every leg (ami-device-busy.raw: hn-02's Newstate before hn-01's
                # Newchannel, its DialState RINGING after hn-01's DialBegin)
                await asyncio.sleep(0)
        held, caller.held_dial_states = caller.held_dial_states or [], None
        for leg in held:
            if not leg.hangup_started:
                pbx.publish(
                    h.DialProgressed(pbx.now(), caller.snapshot(), leg.snapshot(), "RINGING")
                )
        self._refresh_queue_devices(st)
        started = pbx.now()
        winner: tuple[Member, Channel] | None = None
        hangup_watch = pbx.spawn(self._watch_hangup(caller))
        pending = set(tasks)
        try:
            while pending and winner is None:
                done, pending = await asyncio.wait(
                    pending | {hangup_watch}, return_when=asyncio.FIRST_COMPLETED
                )
                if hangup_watch in done:
                    pending.discard(hangup_watch)
                    break
                pending.discard(hangup_watch)
                for t in done:
                    member, leg = legs[tasks[t]]
                    outcome = t.result()
                    member.ringing = False
                    self.pending.discard(member.interface)
                    if outcome == dialing.ANSWER and winner is None:
                        winner = (member, leg)
                    elif outcome == dialing.ANSWER:
                        (pbx.do_hangup(leg, request_cause=26, final_cause=26))
                    else:
                        if outcome == dialing.TIMEOUT:
                            pbx.publish(
                                h.AgentRingNoAnswered(
                                    pbx.now(),
                                    caller.snapshot(),
                                    st.config.name,
                                    self.snapshot(member),
                                    leg.snapshot(),
                                    int(pbx.now() - started),
                                )
                            )
                        dialing.fail_leg(pbx, leg, caller, outcome, report_timeout=True)
        finally:
            hangup_watch.cancel()
        # cancel everyone still ringing
        if winner is None and caller.hangup_started:
            self._stop_moh(caller)  # the caller's BYE: MOH stops before the legs are cancelled
        for t in pending:
            dialing.cancel_leg(legs[tasks[t]][1])
        cancelled: list[Channel] = []
        for t in pending:
            member, leg = legs[tasks[t]]
            try:
                outcome = await t
            except asyncio.CancelledError:
                outcome = dialing.CANCEL
            member.ringing = False
            self.pending.discard(member.interface)
            if outcome == dialing.ANSWER:
                (pbx.do_hangup(leg, request_cause=26, final_cause=26))
                continue
            leg.hangup_started = True
            pbx.publish(h.DialEnded(pbx.now(), caller.snapshot(), leg.snapshot(), "CANCEL"))
            cancelled.append(leg)
        if winner is not None:
            # hangupcalls(): the caller learns who answered, then each cancelled leg gets its
            # second DialEnd and goes; a leg that never rang learns its connected line last
            winner_leg = winner[1]
            pbx.connected_to(caller, winner_leg.caller_name, winner_leg.caller_number)
            for leg in cancelled:
                pbx.publish(h.DialEnded(pbx.now(), caller.snapshot(), leg.snapshot(), "CANCEL"))
            await self._connect(st, w, winner[0], winner_leg, started, cancelled)
            return "CONNECTED"
        if caller.hangup_started and cancelled:
            self._caller_gone_while_ringing(w, cancelled, started)
        else:
            for leg in cancelled:
                pbx.destroy(leg, 16)
        self._refresh_queue_devices(st)
        return "NOANSWER"

    def _stop_moh(self, ch: Channel) -> None:
        if ch.moh:
            ch.moh = False
            self.pbx.publish(h.MusicOnHoldStopped(self.pbx.now(), ch.snapshot()))

    def _caller_gone_while_ringing(
        self, w: Waiting, cancelled: list[Channel], ring_started: float
    ) -> None:
        """The caller hung up while members rang (ami-registration.raw): every leg gets its
        second DialEnd CANCEL, Queue() sets its times, the first leg goes (cause 0, then its
        connected line); the others are held by their unanswered INVITEs and go right after
        the caller, whose hang-up cause is 0 too."""
        pbx = self.pbx
        caller = w.channel
        for leg in cancelled:
            pbx.publish(h.DialEnded(pbx.now(), caller.snapshot(), leg.snapshot(), "CANCEL"))
        dialed_ms = int((pbx.now() - ring_started) * 1000)
        waited = int((pbx.now() - w.joined_at) * 1000)
        for var, value in (
            ("QUEUEWAIT", str(waited // 1000)),
            ("QUEUEWAIT_MS", str(waited)),
            ("DIALEDTIME", str(dialed_ms // 1000)),
            ("DIALEDTIME_MS", str(dialed_ms)),
            ("ANSWEREDTIME", ""),
            ("ANSWEREDTIME_MS", ""),
        ):
            pbx.set_var(caller, var, value)
        first, rest = cancelled[0], cancelled[1:]
        pbx.destroy(first, 0)
        pbx.connected_to(first, caller.caller_name, caller.caller_number)
        caller.hangup_cause = 0

        def release(leg: Channel) -> None:
            pbx.destroy(leg, 0)
            pbx.connected_to(leg, caller.caller_name, caller.caller_number)

        for leg in rest:
            caller.after_destroy.append(functools.partial(release, leg))

    def hangup_requested(self, ch: Channel) -> None:
        """A hang-up request on either side of a connected queue call: app_queue sends
        AgentComplete at once, before the channel leaves the bridge (ami-queue-call.raw)."""
        complete = self._completions.get(ch.id)
        if complete is not None:
            complete()

    async def _watch_hangup(self, ch: Channel) -> None:
        while not ch.hangup_started:
            ch.wake.clear()
            await ch.wake.wait()

    async def _connect(
        self,
        st: QueueState,
        w: Waiting,
        member: Member,
        leg: Channel,
        ring_started: float,
        cancelled: list[Channel],
    ) -> None:
        pbx = self.pbx
        caller = w.channel
        hold = int(pbx.now() - w.joined_at)
        pos = self._leave(st, w)
        pbx.publish(
            h.QueueCallerLeft(pbx.now(), caller.snapshot(), st.config.name, pos, len(st.callers))
        )
        pbx.set_var(caller, "QUEUEPOSITION", str(pos))
        pbx.set_var(caller, "QUEUEWAIT", str(hold))
        pbx.set_var(caller, "QUEUEWAIT_MS", str(int((pbx.now() - w.joined_at) * 1000)))
        pbx.publish(
            h.AgentConnected(
                pbx.now(),
                caller.snapshot(),
                st.config.name,
                self.snapshot(member),
                leg.snapshot(),
                hold,
                int(pbx.now() - ring_started),
            )
        )
        pbx.publish(
            h.QueueLogWritten(
                pbx.now(),
                caller.id,
                st.config.name,
                member.membername,
                "CONNECT",
                (str(hold), leg.id, str(int(pbx.now() - ring_started))),
            )
        )
        # the cancelled legs go on their own threads: after AgentConnect in most recordings
        # (ami-device-busy.raw, ami-stasis-no-client.raw); a leg that never rang learns its
        # connected line after its Hangup
        for other in cancelled:
            pbx.destroy(other, 26)
            pbx.connected_to(other, caller.caller_name, caller.caller_number)
        member.in_call = True
        st.holdtime = (st.holdtime * st.completed + hold) / (st.completed + 1)
        bridge = pbx.create_bridge("mixing", name="", bridge_class="basic", creator="BasicBridge")
        pbx.add_to_bridge(bridge, leg)
        self._refresh_queue_devices(st)
        pbx.add_to_bridge(bridge, caller)
        talk_start = pbx.now()
        completed = False

        def complete(reason: str) -> None:
            nonlocal completed
            if completed:
                return
            completed = True
            self._completions.pop(caller.id, None)
            self._completions.pop(leg.id, None)
            talk = int(pbx.now() - talk_start)
            member.in_call = False
            member.calls_taken += 1
            member.last_call = pbx.now()
            member.wrapup_until = pbx.now() + st.config.wrapuptime
            st.talktime = (st.talktime * st.completed + talk) / (st.completed + 1)
            st.completed += 1
            pbx.publish(
                h.AgentCompleted(
                    pbx.now(),
                    caller.snapshot(),
                    st.config.name,
                    self.snapshot(member),
                    leg.snapshot(),
                    hold,
                    talk,
                    reason,
                )
            )
            pbx.publish(
                h.QueueLogWritten(
                    pbx.now(),
                    caller.id,
                    st.config.name,
                    member.membername,
                    "COMPLETECALLER" if reason == "caller" else "COMPLETEAGENT",
                    (str(hold), str(talk), str(pos)),
                )
            )

        self._completions[caller.id] = lambda: complete("caller")
        self._completions[leg.id] = lambda: complete("agent")
        while not caller.hangup_started and not leg.hangup_started:
            caller.wake.clear()
            leg.wake.clear()
            waiters = {pbx.spawn(leg.wake.wait()), pbx.spawn(caller.wake.wait())}
            try:
                await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for waiter in waiters:
                    waiter.cancel()
        reason = "caller" if caller.hangup_started else "agent"
        answered_ms = int((pbx.now() - talk_start) * 1000)
        dialed_ms = int((pbx.now() - ring_started) * 1000)
        pbx.set_var(caller, "ANSWEREDTIME", str(answered_ms // 1000))
        pbx.set_var(caller, "ANSWEREDTIME_MS", str(answered_ms))
        pbx.set_var(caller, "DIALEDTIME", str(dialed_ms // 1000))
        pbx.set_var(caller, "DIALEDTIME_MS", str(dialed_ms))
        complete(reason)
        if bridge.id in pbx.bridges and not pbx.bridges[bridge.id].channels:
            pbx.destroy_bridge(bridge)
