"""What happens when time passes: ring time-outs, wrap-up ends, widening, relaxing wishes,
position announcements and callback offers."""

from __future__ import annotations

from routing.core import ANNOUNCE, GENDER, LANGUAGE, OVERFLOW, RING, WRAP, EngineCore
from routing.decisions import (
    AnnouncePosition,
    CallbackReason,
    CancelReason,
    CounsellorMissed,
    OfferCallback,
    OverflowReason,
)
from routing.indexes import TimerEntry
from routing.model import CallStatus, CounsellorState, GenderWish
from routing.state import Call

_WAIT_OFFER = "wait"  # one wait-related callback offer per call


def schedule_call_timers(core: EngineCore, call: Call, now: float) -> None:
    """The deadlines a newly arrived call will need (some may already be due)."""
    policy = core.policy
    timers = core.timers
    arrived = call.arrived_at
    if not call.widened:
        timers.push(arrived + policy.overflow_after, OVERFLOW, call.call_id, call.uid)
    if call.language != core.only_default_language:  # some centre may need to relax
        timers.push(arrived + policy.language_wait, LANGUAGE, call.call_id, call.uid)
    if call.gender_wish != GenderWish.NONE and not call.gender_insist:
        timers.push(arrived + policy.gender_wait, GENDER, call.call_id, call.uid)
    if not call.callback:
        timers.push(now, ANNOUNCE, call.call_id, call.uid)


def timer_live(core: EngineCore, entry: TimerEntry) -> bool:
    _, _, kind, target, token = entry
    if kind == WRAP:
        counsellor = core.counsellors.get(target)
        return (
            counsellor is not None
            and counsellor.state == CounsellorState.WRAP_UP
            and counsellor.wrap_token == token
        )
    call = core.calls.get(target)
    if call is None:
        return False
    if kind == RING:
        return call.status == CallStatus.RINGING and call.ring_token == token
    if call.uid != token or call.status == CallStatus.CONNECTED:
        return False
    if kind == OVERFLOW:
        return not call.widened
    if kind == LANGUAGE:
        return not call.language_relaxed
    if kind == GENDER:
        return not call.gender_relaxed
    return not call.callback  # ANNOUNCE


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
        core.set_state(counsellor, CounsellorState.MISSED)
        core.out.append(CounsellorMissed(counsellor.counsellor_id, call.call_id))
        core.ring_back_to_line(call, counsellor, tried=True)
    elif kind == OVERFLOW:
        core.widen(call, OverflowReason.TIMEOUT)
    elif kind == LANGUAGE:
        call.language_relaxed = True
        core.rejoin_queues(call)
    elif kind == GENDER:
        call.gender_relaxed = True
        core.rejoin_queues(call)
    else:  # ANNOUNCE
        core.announce_due.append(call)
        interval = core.policy.announce_interval
        if interval is not None:
            following = at + interval
            if following <= now:  # woken late: keep the cadence from now on
                following = now + interval
            core.timers.push(following, ANNOUNCE, call.call_id, call.uid)


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
        if call.status != CallStatus.WAITING:
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
