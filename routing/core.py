"""The engine's state and the primitive moves every handler is built from.

Each primitive keeps the indexes true (queues, pools, positions, counters) and records what
changed (``dirty_calls`` / ``dirty_counsellors``) so that ``matching.resolve`` only looks at
calls and counsellors whose chances changed during the current ``handle``.
"""

from __future__ import annotations

from routing.decisions import (
    CallOverflowed,
    CancelReason,
    CancelRing,
    Decision,
    OverflowReason,
    RingCounsellor,
)
from routing.indexes import CallQueues, CounsellorPools, Positions, Timers
from routing.model import CounsellorState, GenderWish, Priority
from routing.policy import Policy
from routing.state import (
    AVAILABLE,
    CALL_RINGING,
    NATIONAL,
    NO_WISH,
    ON_CALL,
    RINGING,
    WAITING,
    WRAP_UP,
    Call,
    Counsellor,
    QueueKey,
)

# Timer kinds
RING, WRAP, CALL = range(3)  # CALL: a call's own next deadline (widen, relax, announce)

STAFFED = (  # a tuple: membership by identity, no Enum.__hash__ call
    AVAILABLE,
    RINGING,
    ON_CALL,
    WRAP_UP,
)


class EngineCore:
    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.now = float("-inf")
        self.calls: dict[str, Call] = {}
        self.counsellors: dict[str, Counsellor] = {}
        self.queues = CallQueues(self.calls)
        self.pools = CounsellorPools(self.counsellors)
        self.positions = Positions()
        self.timers = Timers()
        self.out: list[Decision] = []
        self.dirty_calls: list[Call] = []
        self.dirty_counsellors: list[Counsellor] = []
        self.announce_due: list[Call] = []
        self.staffed: dict[str, int] = dict.fromkeys(policy.centres, 0)
        # logged-in (not offline) counsellors who speak a language, per centre [and gender]
        self.capable: dict[tuple[str, str], int] = {}
        self.capable_gender: dict[tuple[str, str, str], int] = {}
        self.logged_in_by_gender: dict[str, int] = {}
        self.talk_time = policy.expected_talk_time
        self.leads = [policy.lead(p) for p in Priority]  # indexed by priority
        defaults = {policy.language_of(c) for c in policy.centres}
        # the default language when every centre has the same one, else None
        self.only_default_language = defaults.pop() if len(defaults) == 1 else None
        self._token = 0

    def token(self) -> int:
        self._token += 1
        return self._token

    # ---- counsellor state -------------------------------------------------------------

    def set_state(self, counsellor: Counsellor, state: CounsellorState) -> None:
        centre = counsellor.centre
        if centre is not None:
            was, now = counsellor.state in STAFFED, state in STAFFED
            if was != now:
                self.staffed[centre] += 1 if now else -1
        counsellor.state = state

    def phone_usable(self, counsellor: Counsellor) -> bool:
        registered = counsellor.phone_registered
        if registered is None:
            registered = self.policy.assume_phone_registered
        return registered and not counsellor.phone_busy

    def make_available(self, counsellor: Counsellor, idle_since: float | None) -> None:
        """Counsellor becomes available; ``idle_since`` None keeps their place (a ring that
        was not their fault)."""
        self.set_state(counsellor, AVAILABLE)
        counsellor.call_id = None
        counsellor.wrap_until = None
        counsellor.wrap_token = -1
        counsellor.pause_reason = None
        if idle_since is not None:
            counsellor.idle_since = idle_since
        self.refresh_pools(counsellor)

    def refresh_pools(self, counsellor: Counsellor) -> None:
        """Enter or leave the pools after a change of state or phone."""
        should = counsellor.state == AVAILABLE and self.phone_usable(counsellor)
        if should and counsellor.ptoken < 0:
            self.pools.join(counsellor, self.token())
            self.dirty_counsellors.append(counsellor)
        elif not should and counsellor.ptoken >= 0:
            self.pools.leave(counsellor)

    def count_login(self, counsellor: Counsellor, step: int) -> None:
        assert counsellor.centre is not None and counsellor.gender is not None
        gender = counsellor.gender.value
        for language in counsellor.languages:
            key = (counsellor.centre, language)
            self.capable[key] = self.capable.get(key, 0) + step
            gkey = (counsellor.centre, language, gender)
            self.capable_gender[gkey] = self.capable_gender.get(gkey, 0) + step
        self.logged_in_by_gender[gender] = self.logged_in_by_gender.get(gender, 0) + step

    # ---- calls in line ----------------------------------------------------------------

    def queue_keys(self, call: Call) -> list[QueueKey]:
        reaches = [call.home_key]
        if call.widened and call.home is not None:
            reaches.append(NATIONAL)
        languages = [(False, call.language)]
        if call.language_relaxed:
            languages.append((True, ""))
        wish = call.wish
        genders = [wish]
        if call.gender_relaxed and wish != NO_WISH:
            genders.append(NO_WISH)
        return [
            (r, relaxed, lang, g) for r in reaches for relaxed, lang in languages for g in genders
        ]

    def enqueue(self, call: Call) -> None:
        """Put a call in line (on arrival, or back after a ring), keeping its rank."""
        call.status = WAITING
        call.counsellor_id = None
        call.ring_token = -1
        call.qtoken = self.token()
        for key in self.queue_keys(call):
            self.queues.join(call, key)
        self.positions.add(call.home_key, call.rank, call.seq)
        self.dirty_calls.append(call)

    def rejoin_queues(self, call: Call) -> None:
        """After a widening or a relaxation: join the queues the call was not in yet."""
        call.plan = None
        if call.status != WAITING:
            return
        current = [lane.key for lane in call.queues]
        for key in self.queue_keys(call):
            if key not in current:
                self.queues.join(call, key)
        self.dirty_calls.append(call)

    def dequeue(self, call: Call) -> None:
        self.queues.leave_all(call)
        self.positions.remove(call.home_key, call.rank, call.seq)

    def forget(self, call: Call) -> None:
        if call.status == WAITING:
            self.dequeue(call)
        del self.calls[call.call_id]

    def widen(self, call: Call, reason: OverflowReason) -> None:
        if call.widened:
            return
        call.widened = True
        self.out.append(CallOverflowed(call.call_id, self.policy.centres, reason))
        self.rejoin_queues(call)

    def home_has_nobody(self, call: Call) -> bool:
        """Nobody logged in at home who could take the call (language, insisted gender)."""
        if call.home is None:
            return False
        if call.gender_insist and call.gender_wish != GenderWish.NONE:
            key = (call.home, call.language, call.wish)
            return self.capable_gender.get(key, 0) == 0
        return self.capable.get((call.home, call.language), 0) == 0

    # ---- rings ------------------------------------------------------------------------

    def ring(self, call: Call, counsellor: Counsellor, now: float) -> None:
        assert counsellor.centre is not None
        self.dequeue(call)
        self.pools.leave(counsellor)
        call.status = CALL_RINGING
        call.counsellor_id = counsellor.counsellor_id
        call.ring_token = self.token()
        ring_until = now + self.policy.ring_timeout
        self.timers.push(ring_until, RING, call.call_id, call.ring_token)
        self.set_state(counsellor, RINGING)
        counsellor.call_id = call.call_id
        self.out.append(
            RingCounsellor(  # positional: measurably cheaper than keywords on this path
                call.call_id,
                counsellor.counsellor_id,
                counsellor.centre,
                ring_until,
                call.language not in counsellor.languages,  # interpreter_needed
                call.callback,
            )
        )

    def cancel_ring(self, call: Call, reason: CancelReason) -> Counsellor:
        """Stop the ring of ``call`` (decision emitted); the call is detached, not re-queued."""
        assert call.counsellor_id is not None
        counsellor = self.counsellors[call.counsellor_id]
        self.out.append(CancelRing(call.call_id, counsellor.counsellor_id, reason))
        call.ring_token = -1
        counsellor.call_id = None
        return counsellor

    def ring_back_to_line(self, call: Call, counsellor: Counsellor, *, tried: bool) -> None:
        """A ring failed or was withdrawn: the call goes back, keeping its place."""
        if tried and counsellor.counsellor_id not in call.tried:
            call.tried.append(counsellor.counsellor_id)
        counsellor.call_id = None
        self.enqueue(call)

    # ---- estimates --------------------------------------------------------------------

    def handle_time(self, centre: str) -> float:
        return self.talk_time + self.policy.wrap_up_of(centre)

    def centre_wait(self, centre: str) -> float:
        """Expected wait of the next call homed at ``centre`` (for choosing among centres)."""
        staffed = self.staffed.get(centre, 0)
        queued = self.positions.length(centre)
        return (queued + 1) * self.handle_time(centre) / max(staffed, 1)

    def position_and_wait(self, call: Call) -> tuple[int, float | None]:
        position = self.positions.position(call.home_key, call.rank, call.seq)
        if call.widened:
            staffed = sum(self.staffed.values())
            centre = call.home if call.home is not None else self.policy.centres[0]
        else:
            assert call.home is not None
            staffed = self.staffed[call.home]
            centre = call.home
        if staffed <= 0:
            return position, None
        return position, position * self.handle_time(centre) / staffed
