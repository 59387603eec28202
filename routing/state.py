"""The engine's own mutable records. Never handed out: snapshots are ``model.CallView`` etc."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from routing.model import CallStatus, CounsellorState, Gender, GenderWish, Priority

if TYPE_CHECKING:
    from routing.indexes import Lane

# Queue key of a call queue: (reach, relaxed, language, gender). reach is a centre code, or
# NATIONAL for calls every centre may take; relaxed queues have language "" (any language).
QueueKey = tuple[str, bool, str, str]
# Pool key of a counsellor pool: (centre, language, gender).
PoolKey = tuple[str, str, str]
# One pool a call may draw from: (lane, centre, gender differs from the wish, away from home)
PlanStep = tuple["Lane[Any]", str, bool, bool]

# Enum members as module constants: ``CallStatus.WAITING`` goes through the enum metaclass
# (about 0.25 us a time on CPython 3.11); a module constant costs a tenth of that.
WAITING, CALL_RINGING, CONNECTED = CallStatus.WAITING, CallStatus.RINGING, CallStatus.CONNECTED
OFFLINE, AVAILABLE, RINGING = (
    CounsellorState.OFFLINE,
    CounsellorState.AVAILABLE,
    CounsellorState.RINGING,
)
ON_CALL, WRAP_UP = CounsellorState.ON_CALL, CounsellorState.WRAP_UP
PAUSED, MISSED = CounsellorState.PAUSED, CounsellorState.MISSED

NATIONAL = "*"
NO_WISH = GenderWish.NONE.value


class Call:
    """A call in the engine, from arrival until it ends (or the caller leaves)."""

    __slots__ = (
        "answered_at",
        "arrived_at",
        "call_id",
        "callback",
        "counsellor_id",
        "ctoken",
        "gender_insist",
        "gender_relaxed",
        "gender_wish",
        "home",
        "home_key",
        "language",
        "language_relaxed",
        "next_announce",
        "offered",
        "plan",
        "priority",
        "qtoken",
        "queues",
        "rank",
        "ring_token",
        "seq",
        "status",
        "tried",
        "uid",
        "widened",
        "wish",
    )

    def __init__(
        self,
        *,
        call_id: str,
        uid: int,
        arrived_at: float,
        rank: float,
        home: str | None,
        language: str,
        gender_wish: GenderWish,
        gender_insist: bool,
        priority: Priority,
        callback: bool,
    ) -> None:
        self.call_id = call_id
        self.uid = uid  # unique per arrival
        self.seq = uid  # arrival order: the tie-break within equal ranks
        self.arrived_at = arrived_at
        self.rank = rank  # arrived_at - Policy.lead(priority); smaller ranks first
        self.home = home
        self.home_key = NATIONAL if home is None else home  # its line for positions
        self.language = language
        self.gender_wish = gender_wish
        self.wish = gender_wish.value  # plain str: enum members hash differently from str
        self.gender_insist = gender_insist
        self.priority = priority
        self.callback = callback
        self.status = CallStatus.WAITING
        self.widened = home is None
        self.language_relaxed = False
        self.gender_relaxed = False
        self.tried: list[str] = []
        self.counsellor_id: str | None = None
        self.answered_at: float | None = None
        self.qtoken = -1  # token of its live queue entries; -1 = in no queue
        self.queues: list[Lane[Any]] = []  # the queues it is in now
        self.ring_token = -1
        self.ctoken = -1  # token of its live CALL timer
        self.next_announce: float | None = None
        self.offered: set[str] = set()  # callback offers made (membership only)
        self.plan: list[PlanStep] | None = None  # pools it may draw from (cache)


class Counsellor:
    """A counsellor (or, before the first log-in, just a phone the engine has heard of)."""

    __slots__ = (
        "call_id",
        "calls_handled",
        "centre",
        "counsellor_id",
        "gender",
        "idle_since",
        "languages",
        "pause_reason",
        "pending_pause",
        "phone_busy",
        "phone_registered",
        "pool_lanes",
        "pools",
        "ptoken",
        "scan_lanes",
        "state",
        "wrap_token",
        "wrap_until",
    )

    def __init__(self, counsellor_id: str) -> None:
        self.counsellor_id = counsellor_id
        self.centre: str | None = None
        self.languages: frozenset[str] = frozenset()
        self.gender: Gender | None = None
        self.state = CounsellorState.OFFLINE
        self.idle_since: float | None = None
        self.calls_handled = 0
        self.pause_reason: str | None = None
        self.pending_pause: str | None = None
        self.phone_registered: bool | None = None  # None: never reported
        self.phone_busy = False
        self.call_id: str | None = None
        self.wrap_until: float | None = None
        self.wrap_token = -1
        self.ptoken = -1  # token of its live pool entries; -1 = in no pool
        self.pools: list[Lane[Any]] = []  # the pools it is in now
        self.pool_lanes: list[Lane[Any]] = []  # the pools it enters when free (set at log-in)
        self.scan_lanes: list[Lane[Any]] = []  # the call queues it may serve (set at log-in)
