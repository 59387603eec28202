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
from routing.model import Gender
from routing.state import NATIONAL, NO_WISH, WAITING, Call, Counsellor, PlanStep

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
        if not lane.live or (best is not None and lane.head > best[0]):
            continue  # nothing in this heap (dead or alive) ranks before the best so far
        heap = lane.entries
        entry = heap[0]
        if best is not None and entry > best:
            continue
        # fast path: a live head that never rang this counsellor
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


def pool_plan(core: EngineCore, call: Call) -> list[PlanStep]:
    """The counsellor pools a call may draw from, under its current reach and wishes.

    Cached on the call (``call.plan``) until a widening or relaxing clears it.
    """
    policy = core.policy
    centres = policy.centres if call.widened else (call.home,)
    wish = call.wish
    if wish == NO_WISH:
        genders: tuple[str, ...] = _GENDERS
    elif call.gender_relaxed:
        genders = (wish, *(g for g in _GENDERS if g != wish))
    else:
        genders = (wish,)
    plan: list[PlanStep] = []
    for centre in centres:
        assert centre is not None
        languages = [call.language]
        if call.language_relaxed:
            default = policy.language_of(centre)
            if default != call.language:
                languages.append(default)
        for lang in languages:
            for gender in genders:
                lane = core.pools.lane((centre, lang, gender))
                mismatch = wish != NO_WISH and gender != wish
                plan.append((lane, centre, mismatch, centre != call.home))
    return plan


def best_counsellor_for(core: EngineCore, call: Call) -> Counsellor | None:
    plan = call.plan
    if plan is None:
        plan = call.plan = pool_plan(core, call)
    everyone = core.counsellors
    pools = core.pools
    tried = call.tried
    language = call.language
    best: tuple[bool, bool, bool, bool, float, float, str] | None = None
    prefix: tuple[bool, bool, bool, bool] | None = None  # best[:4], the cheap part
    waits: dict[str, float] = {}
    for lane, centre, mismatch, away in plan:
        if not lane.live:
            continue
        heap = lane.entries
        entry = heap[0]
        k = everyone.get(entry[1])
        if k is not None and k.ptoken == entry[2] and entry[1] not in tried:
            found, fallback = entry, None
        else:
            found, fallback = pools.best(lane, tried)
        for option, was_tried in ((found, False), (fallback, True)):
            if option is None:
                continue
            head = (was_tried, language not in everyone[option[1]].languages, mismatch, away)
            if prefix is not None and head > prefix:
                continue  # worse before the expected wait even matters
            wait = 0.0
            if away:
                cached = waits.get(centre)
                wait = waits[centre] = core.centre_wait(centre) if cached is None else cached
            candidate = (*head, wait, option[0], option[1])
            if best is None or candidate < best:
                best, prefix = candidate, head
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
    if calls and not core.pools.free_total:  # nobody free: no call can be matched
        core.dirty_calls = []
    elif calls:
        core.dirty_calls = []
        if len(calls) > 1:
            unique_calls = {c.uid: c for c in calls}
            calls = sorted(unique_calls.values(), key=lambda c: (c.rank, c.seq))
        known = core.calls
        for call in calls:
            if call.status == WAITING and known.get(call.call_id) is call:
                taker = best_counsellor_for(core, call)
                if taker is not None:
                    core.ring(call, taker, now)
