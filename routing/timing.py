"""What happens when time passes: ring time-outs, wrap-up ends, widening, relaxing wishes,
position announcements and callback offers."""

from __future__ import annotations

import math

from routing.core import CALL, RING, WRAP, EngineCore
from routing.decisions import (
    AnnouncePosition,
    CallbackReason,
    CancelReason,
    CounsellorMissed,
    OfferCallback,
    OverflowReason,
)
from routing.indexes import TimerEntry
from routing.model import GenderWish
from routing.state import CALL_RINGING, CONNECTED, MISSED, NO_WISH, WAITING, WRAP_UP, Call

_WAIT_OFFER = "wait"  # one wait-related callback offer per call


def arm(core: EngineCore, call: Call) -> None:
    """(Re)schedule the call's one timer at its next own deadline (widen, relax, announce).

    One heap entry per call instead of one per deadline: a new arm kills the previous entry.
    """
    policy = core.policy
    arrived = call.arrived_at
    at = math.inf
    if not call.widened:
        at = arrived + policy.overflow_after
    if not call.language_relaxed and call.language != core.only_default_language:
        at = min(at, arrived + policy.language_wait)
    if call.wish != NO_WISH and not call.gender_insist and not call.gender_relaxed:
        at = min(at, arrived + policy.gender_wait)
    if call.next_announce is not None and not call.callback:
        at = min(at, call.next_announce)
    call.ctoken = core.token()
    if at < math.inf:
        core.timers.push(at, CALL, call.call_id, call.ctoken)


def timer_live(core: EngineCore, entry: TimerEntry) -> bool:
    _, _, kind, target, token = entry
    if kind == WRAP:
        counsellor = core.counsellors.get(target)
        return (
            counsellor is not None
            and counsellor.state == WRAP_UP
            and counsellor.wrap_token == token
        )
    call = core.calls.get(target)
    if call is None:
        return False
    if kind == RING:
        return call.status == CALL_RINGING and call.ring_token == token
    return call.ctoken == token and call.status != CONNECTED  # CALL


def run_due(core: EngineCore, now: float) -> None:
    timers = core.timers
    while True:
        entry = timers.peek()
        if entry is None or entry[0] > now:
            return
        timers.pop()
        if timer_live(core, entry):
            _fire(core, entry, now)


def _fire(core: EngineCore, entry: TimerEntry, now: float) -> None:
    at, _, kind, target, _ = entry
    if kind == WRAP:
        core.make_available(core.counsellors[target], idle_since=at)
        return
    call = core.calls[target]
    if kind == RING:
        counsellor = core.cancel_ring(call, CancelReason.RING_TIMEOUT)
        core.set_state(counsellor, MISSED)
        core.out.append(CounsellorMissed(counsellor.counsellor_id, call.call_id))
        core.ring_back_to_line(call, counsellor, tried=True)
        return
    # CALL: every one of the call's own deadlines that is due
    # compare exactly as ``arm`` computed the deadlines (no float drift, no endless re-arm)
    policy = core.policy
    arrived = call.arrived_at
    if not call.widened and arrived + policy.overflow_after <= now:
        core.widen(call, OverflowReason.TIMEOUT)
    if (
        not call.language_relaxed
        and call.language != core.only_default_language
        and arrived + policy.language_wait <= now
    ):
        call.language_relaxed = True
        core.rejoin_queues(call)
    if (
        call.wish != NO_WISH
        and not call.gender_insist
        and not call.gender_relaxed
        and arrived + policy.gender_wait <= now
    ):
        call.gender_relaxed = True
        core.rejoin_queues(call)
    announce_at = call.next_announce
    if announce_at is not None and announce_at <= now and not call.callback:
        core.announce_due.append(call)
        interval = policy.announce_interval
        if interval is None:
            call.next_announce = None
        else:
            following = announce_at + interval
            if following <= now:  # woken late: keep the cadence from now on
                following = now + interval
            call.next_announce = following
    arm(core, call)


def announce(core: EngineCore) -> None:
    """After matching: tell still-waiting callers their place; offer callbacks if due."""
    due = core.announce_due
    if not due:
        return
    core.announce_due = []
    policy = core.policy
    speak = policy.announce_interval is not None
    for call in due:
        if core.calls.get(call.call_id) is not call or call.callback:
            continue
        if call.status != WAITING:
            continue
        position, wait = core.position_and_wait(call)
        if speak:
            core.out.append(AnnouncePosition(call.call_id, position, wait))
        if _WAIT_OFFER not in call.offered and (wait is None or wait > policy.callback_offer_wait):
            call.offered.add(_WAIT_OFFER)
            reason = CallbackReason.NOBODY_STAFFED if wait is None else CallbackReason.LONG_WAIT
            core.out.append(OfferCallback(call.call_id, reason))
        offer_if_gender_missing(core, call)


def offer_if_gender_missing(core: EngineCore, call: Call) -> None:
    """An insisted gender wish with nobody of that gender logged in: offer a callback."""
    if not call.gender_insist or call.gender_wish == GenderWish.NONE or call.callback:
        return
    reason = CallbackReason.NO_COUNSELLOR_OF_GENDER
    if reason.value in call.offered:
        return
    if core.logged_in_by_gender.get(call.gender_wish.value, 0) == 0:
        call.offered.add(reason.value)
        core.out.append(OfferCallback(call.call_id, reason))
