"""Indexes that keep every lookup logarithmic: no scan over all calls or all counsellors.

* ``CallQueues``: one heap per queue key of waiting calls, ordered by (rank, arrival). A call
  sits in every queue whose counsellors may take it (home / national x language / relaxed x
  wished gender / any gender), so a counsellor finds its best call by peeking a few heap heads.
* ``CounsellorPools``: one heap per (centre, language, gender) of available counsellors with a
  usable phone, ordered by (idle since, id): the head is the longest idle.
* ``Positions``: a sorted list of rank keys per home centre, for positions in line.
* ``Timers``: one heap of deadlines.

Heaps use lazy deletion: an entry carries the token its owner had when it was pushed, and is
dead once the owner's token changed. Dead entries are dropped when they reach the head, and a
heap is rebuilt when dead entries outnumber live ones (amortised O(1) per operation).
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_left, insort
from typing import Generic, TypeVar

from routing.state import Call, Counsellor, PoolKey, QueueKey

CallEntry = tuple[float, int, str, int]  # (rank, seq, call_id, qtoken)
PoolEntry = tuple[float, str, int]  # (idle_since, counsellor_id, ptoken)
TimerEntry = tuple[float, int, int, str, int]  # (at, seq, kind, target id, token)

E = TypeVar("E")

_SLACK = 64


class Lane(Generic[E]):
    """One heap with lazy deletion, and how many of its entries are live.

    ``head`` (call lanes only) is the rank of the heap's first entry, dead or alive, kept in
    the lane itself so that a scan can rule a lane out without touching the heap.
    """

    __slots__ = ("entries", "head", "key", "live")

    def __init__(self, key: tuple[object, ...]) -> None:
        self.key = key
        self.entries: list[E] = []
        self.live = 0
        self.head = math.inf


class CallQueues:
    def __init__(self, calls: dict[str, Call]) -> None:
        self._calls = calls
        self._lanes: dict[QueueKey, Lane[CallEntry]] = {}

    def lane(self, key: QueueKey) -> Lane[CallEntry]:
        lane = self._lanes.get(key)
        if lane is None:
            lane = self._lanes[key] = Lane(key)
        return lane

    def join(self, call: Call, key: QueueKey) -> None:
        """Put ``call`` (which must hold a live ``qtoken``) into the queue ``key``."""
        lane = self.lane(key)
        lane.live += 1
        call.queues.append(lane)
        heap = lane.entries
        heapq.heappush(heap, (call.rank, call.seq, call.call_id, call.qtoken))
        if len(heap) > 2 * lane.live + _SLACK:
            calls = self._calls
            heap[:] = [e for e in heap if _call_live(calls, e)]
            heapq.heapify(heap)
        lane.head = heap[0][0]

    def leave_all(self, call: Call) -> None:
        for lane in call.queues:
            lane.live -= 1
            if not lane.live:  # every entry left is dead
                lane.entries.clear()
                lane.head = math.inf
        call.queues.clear()
        call.qtoken = -1

    def best(self, lane: Lane[CallEntry], avoid: str) -> tuple[CallEntry | None, CallEntry | None]:
        """The best live entry of ``lane`` whose call has not tried ``avoid``, and the best
        one that has (the fallback when nobody else can take it)."""
        heap = lane.entries
        calls = self._calls
        skipped: list[CallEntry] = []
        fallback: CallEntry | None = None
        found: CallEntry | None = None
        while heap:
            entry = heap[0]
            call = calls.get(entry[2])
            if call is None or call.qtoken != entry[3]:
                heapq.heappop(heap)
                continue
            if avoid in call.tried:
                if fallback is None:
                    fallback = entry
                skipped.append(heapq.heappop(heap))
                continue
            found = entry
            break
        for entry in skipped:
            heapq.heappush(heap, entry)
        lane.head = heap[0][0] if heap else math.inf
        return found, fallback

    def live_calls(self, key: QueueKey) -> list[Call]:
        """Every live call in queue ``key`` (unordered scan: only for rare events)."""
        lane = self._lanes.get(key)
        if lane is None:
            return []
        calls = self._calls
        out = []
        for entry in lane.entries:
            call = calls.get(entry[2])
            if call is not None and call.qtoken == entry[3]:
                out.append(call)
        return out


def _call_live(calls: dict[str, Call], entry: CallEntry) -> bool:
    call = calls.get(entry[2])
    return call is not None and call.qtoken == entry[3]


class CounsellorPools:
    def __init__(self, counsellors: dict[str, Counsellor]) -> None:
        self._counsellors = counsellors
        self._lanes: dict[PoolKey, Lane[PoolEntry]] = {}
        self.free: dict[str, int] = {}  # counsellors in the pools, per centre
        self.free_total = 0

    def lane(self, key: PoolKey) -> Lane[PoolEntry]:
        lane = self._lanes.get(key)
        if lane is None:
            lane = self._lanes[key] = Lane(key)
        return lane

    def lanes_of(self, counsellor: Counsellor) -> list[Lane[PoolEntry]]:
        """The pools of the counsellor's centre, languages and gender (fixed at log-in)."""
        assert counsellor.centre is not None and counsellor.gender is not None
        gender = counsellor.gender.value
        return [
            self.lane((counsellor.centre, language, gender))
            for language in sorted(counsellor.languages)
        ]

    def join(self, counsellor: Counsellor, token: int) -> None:
        """Enter every pool of ``counsellor.pool_lanes``."""
        assert counsellor.idle_since is not None and counsellor.centre is not None
        counsellor.ptoken = token
        self.free[counsellor.centre] = self.free.get(counsellor.centre, 0) + 1
        self.free_total += 1
        entry = (counsellor.idle_since, counsellor.counsellor_id, token)
        for lane in counsellor.pool_lanes:
            lane.live += 1
            counsellor.pools.append(lane)
            heap = lane.entries
            heapq.heappush(heap, entry)
            if len(heap) > 2 * lane.live + _SLACK:
                everyone = self._counsellors
                heap[:] = [e for e in heap if _pool_live(everyone, e)]
                heapq.heapify(heap)

    def leave(self, counsellor: Counsellor) -> None:
        if counsellor.ptoken >= 0 and counsellor.centre is not None:
            self.free[counsellor.centre] -= 1
            self.free_total -= 1
        for lane in counsellor.pools:
            lane.live -= 1
            if not lane.live:  # every entry left is dead
                lane.entries.clear()
        counsellor.pools.clear()
        counsellor.ptoken = -1

    def best(
        self, lane: Lane[PoolEntry], avoid: list[str]
    ) -> tuple[PoolEntry | None, PoolEntry | None]:
        """The longest-idle live counsellor of ``lane`` not in ``avoid``, and the longest-idle
        one in ``avoid``."""
        heap = lane.entries
        everyone = self._counsellors
        skipped: list[PoolEntry] = []
        fallback: PoolEntry | None = None
        found: PoolEntry | None = None
        while heap:
            entry = heap[0]
            if not _pool_live(everyone, entry):
                heapq.heappop(heap)
                continue
            if avoid and entry[1] in avoid:
                if fallback is None:
                    fallback = entry
                skipped.append(heapq.heappop(heap))
                continue
            found = entry
            break
        for entry in skipped:
            heapq.heappush(heap, entry)
        return found, fallback


def _pool_live(everyone: dict[str, Counsellor], entry: PoolEntry) -> bool:
    counsellor = everyone.get(entry[1])
    return counsellor is not None and counsellor.ptoken == entry[2]


class Positions:
    """Waiting calls per home key, sorted by (rank, seq): a position is one bisection."""

    def __init__(self) -> None:
        self._lines: dict[str, list[tuple[float, int]]] = {}

    def add(self, home_key: str, rank: float, seq: int) -> None:
        line = self._lines.get(home_key)
        if line is None:
            line = self._lines[home_key] = []
        insort(line, (rank, seq))

    def remove(self, home_key: str, rank: float, seq: int) -> None:
        line = self._lines[home_key]
        index = bisect_left(line, (rank, seq))
        del line[index]

    def position(self, home_key: str, rank: float, seq: int) -> int:
        """1-based place in line among the waiting calls of the same home."""
        return bisect_left(self._lines.get(home_key, []), (rank, seq)) + 1

    def length(self, home_key: str) -> int:
        return len(self._lines.get(home_key, ()))


class Timers:
    def __init__(self) -> None:
        self._heap: list[TimerEntry] = []
        self._seq = 0

    def push(self, at: float, kind: int, target: str, token: int) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (at, self._seq, kind, target, token))

    def peek(self) -> TimerEntry | None:
        return self._heap[0] if self._heap else None

    def pop(self) -> TimerEntry:
        return heapq.heappop(self._heap)

    def __len__(self) -> int:
        return len(self._heap)
