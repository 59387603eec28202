"""Who takes what: the two searches and the end-of-handle pass that runs them.

* A counsellor who became free takes the best-ranked call it may take (smallest
  ``rank = arrival - lead(priority)``, then arrival order), preferring calls that never rang it.
* A call whose chances grew takes, among the counsellors it may have, the first by: one it has
  not rung yet; one who speaks its language (no interpreter); the wished gender; the home
  centre; the centre with the shortest expected wait; the longest idle; the smallest id.

``resolve`` handles the counsellors first (longest idle first), then the calls (best rank
first). Only things whose chances changed in this ``handle`` are looked at; since before it no
waiting call had an eligible free counsellor, that is enough to make it true again.
"""

from __future__ import annotations

from routing.core import EngineCore
from routing.indexes import CallEntry, Lane
from routing.model import CallStatus, Gender
from routing.state import NATIONAL, NO_WISH, Call, Counsellor

_GENDERS = tuple(g.value for g in Gender)


def scan_lanes(core: EngineCore, counsellor: Counsellor) -> list[Lane[CallEntry]]:
    """The call queues a counsellor may serve (fixed from log-in to log-out)."""
    assert counsellor.centre is not None and counsellor.gender is not None
    centre = counsellor.centre
    languages: list[tuple[bool, str]] = [(False, lang) for lang in sorted(counsellor.languages)]
    if core.policy.language_of(centre) in counsellor.languages:
        languages.append((True, ""))
    genders = (NO_WISH, counsellor.gender.value)
    return [
        core.queues.lane((reach, relaxed, lang, gender))
        for reach in (centre, NATIONAL)
        for relaxed, lang in languages
        for gender in genders
    ]


def best_call_for(core: EngineCore, counsellor: Counsellor) -> Call | None:
    cid = counsellor.counsellor_id
    best: CallEntry | None = None
    fallback: CallEntry | None = None
    queues = core.queues
    calls = core.calls
    for lane in counsellor.scan_lanes:
        heap = lane.entries
        if not heap:
            continue
        # fast path: a live head that never rang this counsellor
        entry = heap[0]
        call = calls.get(entry[2])
        if call is not None and call.qtoken == entry[3] and cid not in call.tried:
            if best is None or entry < best:
                best = entry
            continue
        found, tried = queues.best(lane, cid)
        if found is not None and (best is None or found < best):
            best = found
        if tried is not None and (fallback is None or tried < fallback):
            fallback = tried
    chosen = best if best is not None else fallback
    return None if chosen is None else calls[chosen[2]]


def best_counsellor_for(core: EngineCore, call: Call) -> Counsellor | None:
    policy = core.policy
    centres = policy.centres if call.widened else (call.home,)
    wish = call.wish
    if wish == NO_WISH:
        genders: tuple[str, ...] = _GENDERS
    elif call.gender_relaxed:
        genders = (wish, *(g for g in _GENDERS if g != wish))
    else:
        genders = (wish,)
    everyone = core.counsellors
    pools = core.pools
    best: tuple[bool, bool, bool, bool, float, float, str] | None = None
    free = pools.free
    for centre in centres:
        assert centre is not None
        if not free.get(centre):
            continue
        languages = [call.language]
        if call.language_relaxed:
            default = policy.language_of(centre)
            if default != call.language:
                languages.append(default)
        away = centre != call.home
        wait = -1.0
        for lang in languages:
            for gender in genders:
                found, tried = pools.best((centre, lang, gender), call.tried)
                for entry, was_tried in ((found, False), (tried, True)):
                    if entry is None:
                        continue
                    if away and wait < 0:
                        wait = core.centre_wait(centre)
                    candidate = (
                        was_tried,
                        call.language not in everyone[entry[1]].languages,
                        wish != NO_WISH and gender != wish,
                        away,
                        wait if away else 0.0,
                        entry[0],
                        entry[1],
                    )
                    if best is None or candidate < best:
                        best = candidate
    return None if best is None else everyone[best[6]]


def resolve(core: EngineCore, now: float) -> None:
    """Match everything whose chances changed during this ``handle``."""
    counsellors = core.dirty_counsellors
    if counsellors:
        core.dirty_counsellors = []
        if len(counsellors) > 1:
            unique = {k.counsellor_id: k for k in counsellors}
            counsellors = sorted(
                unique.values(), key=lambda k: (k.idle_since or 0.0, k.counsellor_id)
            )
        for counsellor in counsellors:
            if counsellor.ptoken >= 0:
                call = best_call_for(core, counsellor)
                if call is not None:
                    core.ring(call, counsellor, now)
    calls = core.dirty_calls
    if calls:
        core.dirty_calls = []
        if len(calls) > 1:
            unique_calls = {c.uid: c for c in calls}
            calls = sorted(unique_calls.values(), key=lambda c: (c.rank, c.seq))
        known = core.calls
        for call in calls:
            if call.status == CallStatus.WAITING and known.get(call.call_id) is call:
                taker = best_counsellor_for(core, call)
                if taker is not None:
                    core.ring(call, taker, now)
