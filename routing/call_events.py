"""Handlers for events about calls. Each checks everything first, then changes state, so an
event that raises leaves the engine as it was."""

from __future__ import annotations

from routing.core import WRAP, EngineCore
from routing.decisions import CancelReason, CounsellorMissed, OverflowReason
from routing.errors import InvalidTransition, RoutingError, UnknownCall, UnknownCounsellor
from routing.events import (
    CallAnswered,
    CallArrived,
    CallbackCompleted,
    CallbackRequested,
    CallEnded,
    CallHungUp,
    RingFailed,
)
from routing.model import GenderWish, Priority, RingFailure
from routing.state import (
    CALL_RINGING,
    CONNECTED,
    MISSED,
    NO_WISH,
    ON_CALL,
    PAUSED,
    WAITING,
    WRAP_UP,
    Call,
)
from routing.timing import arm, offer_if_gender_missing


def _call(core: EngineCore, call_id: str) -> Call:
    call = core.calls.get(call_id)
    if call is None:
        raise UnknownCall(call_id)
    return call


_DANGER = int(Priority.DANGER)


def on_call_arrived(core: EngineCore, event: CallArrived, now: float) -> None:
    policy = core.policy
    if not isinstance(event.call_id, str) or not event.call_id:
        raise RoutingError(f"call id must be a non-empty string, got {event.call_id!r}")
    if event.call_id in core.calls:
        raise InvalidTransition(f"call {event.call_id!r} is already known / cuộc gọi đã có")
    if event.home_centre is not None and event.home_centre not in policy.centres:
        raise RoutingError(f"unknown home centre {event.home_centre!r} (centres: {policy.centres})")
    if not isinstance(event.language, str) or not event.language:
        raise RoutingError(f"call {event.call_id!r}: language must be a non-empty code")
    try:
        wish = event.gender_wish
        if type(wish) is not GenderWish:
            wish = GenderWish(wish)
        priority = event.priority
        if type(priority) is not Priority:
            priority = Priority(priority)
    except ValueError as exc:
        raise RoutingError(f"call {event.call_id!r}: {exc}") from exc
    arrived = now if event.arrived_at is None else event.arrived_at
    if arrived > now:
        raise RoutingError(f"call {event.call_id!r}: arrived_at {arrived} is after now {now}")
    uid = core.token()
    call = Call(
        call_id=event.call_id,
        uid=uid,
        arrived_at=arrived,
        rank=arrived - core.leads[priority],
        home=event.home_centre,
        language=event.language,
        gender_wish=wish,
        gender_insist=bool(event.gender_insist) and wish != NO_WISH,
        priority=priority,
        callback=bool(event.callback),
    )
    core.calls[call.call_id] = call
    core.enqueue(call)
    if call.home is not None:
        if priority >= _DANGER:
            core.widen(call, OverflowReason.DANGER)
        elif core.home_has_nobody(call):
            core.widen(call, OverflowReason.HOME_HAS_NOBODY)
    if not call.callback:
        core.announce_due.append(call)  # announced after matching, if still waiting
        interval = policy.announce_interval
        call.next_announce = None if interval is None else now + interval
    arm(core, call)
    offer_if_gender_missing(core, call)


def on_call_hung_up(core: EngineCore, event: CallHungUp, now: float) -> None:
    call = _call(core, event.call_id)
    if call.callback and call.status != CONNECTED:
        return  # the caller of a callback request left on purpose; the request stays
    _drop(core, call, now, CancelReason.CALLER_HUNG_UP)


def on_callback_completed(core: EngineCore, event: CallbackCompleted, now: float) -> None:
    call = _call(core, event.call_id)
    if not call.callback:
        raise InvalidTransition(f"call {call.call_id!r} is not a callback request")
    _drop(core, call, now, CancelReason.CALLBACK_COMPLETED)


def _drop(core: EngineCore, call: Call, now: float, reason: CancelReason) -> None:
    if call.status == CONNECTED:
        finish_connected(core, call, now)
        return
    if call.status == CALL_RINGING:
        counsellor = core.cancel_ring(call, reason)
        core.make_available(counsellor, idle_since=None)  # keeps their place in line
    core.forget(call)


def on_call_answered(core: EngineCore, event: CallAnswered, now: float) -> None:
    call = _call(core, event.call_id)
    counsellor = core.counsellors.get(event.counsellor_id)
    if counsellor is None:
        raise UnknownCounsellor(event.counsellor_id)
    if call.status != CALL_RINGING or call.counsellor_id != counsellor.counsellor_id:
        raise InvalidTransition(
            f"call {call.call_id!r} was not ringing counsellor {counsellor.counsellor_id!r} "
            f"(call is {call.status.value}, ringing {call.counsellor_id!r})"
        )
    call.status = CONNECTED
    call.ring_token = -1
    call.answered_at = now
    core.set_state(counsellor, ON_CALL)
    counsellor.calls_handled += 1


def on_call_ended(core: EngineCore, event: CallEnded, now: float) -> None:
    call = _call(core, event.call_id)
    if call.status != CONNECTED:
        raise InvalidTransition(f"call {call.call_id!r} is {call.status.value}, not connected")
    finish_connected(core, call, now)


def finish_connected(core: EngineCore, call: Call, now: float) -> None:
    """A connected call ended: learn its talk time, forget it, send the counsellor on."""
    assert call.answered_at is not None and call.counsellor_id is not None
    alpha = core.policy.talk_time_smoothing
    core.talk_time += alpha * (max(now - call.answered_at, 0.0) - core.talk_time)
    del core.calls[call.call_id]
    counsellor = core.counsellors[call.counsellor_id]
    if counsellor.state != ON_CALL or counsellor.call_id != call.call_id:
        return  # logged out during the call
    counsellor.call_id = None
    if counsellor.pending_pause is not None:
        core.set_state(counsellor, PAUSED)
        counsellor.pause_reason = counsellor.pending_pause
        counsellor.pending_pause = None
        return
    assert counsellor.centre is not None
    wrap = core.policy.wrap_up_of(counsellor.centre)
    if wrap <= 0:
        core.make_available(counsellor, idle_since=now)
        return
    core.set_state(counsellor, WRAP_UP)
    counsellor.wrap_until = now + wrap
    counsellor.wrap_token = core.token()
    core.timers.push(now + wrap, WRAP, counsellor.counsellor_id, counsellor.wrap_token)


def on_ring_failed(core: EngineCore, event: RingFailed, now: float) -> None:
    call = _call(core, event.call_id)
    counsellor = core.counsellors.get(event.counsellor_id)
    if counsellor is None:
        raise UnknownCounsellor(event.counsellor_id)
    if call.status != CALL_RINGING or call.counsellor_id != counsellor.counsellor_id:
        raise InvalidTransition(
            f"call {call.call_id!r} was not ringing counsellor {counsellor.counsellor_id!r}"
        )
    try:
        failure = RingFailure(event.failure)
    except ValueError as exc:
        raise RoutingError(str(exc)) from exc
    call.ring_token = -1
    if failure == RingFailure.NO_ANSWER:
        core.set_state(counsellor, MISSED)
        core.out.append(CounsellorMissed(counsellor.counsellor_id, call.call_id))
    else:
        if failure == RingFailure.BUSY:
            counsellor.phone_busy = True
        else:
            counsellor.phone_registered = False
        core.make_available(counsellor, idle_since=None)
    core.ring_back_to_line(call, counsellor, tried=True)


def on_callback_requested(core: EngineCore, event: CallbackRequested, now: float) -> None:
    call = _call(core, event.call_id)
    if call.status != WAITING:
        raise InvalidTransition(f"call {call.call_id!r} is {call.status.value}, not waiting")
    if call.callback:
        raise InvalidTransition(f"call {call.call_id!r} already asked for a callback")
    call.callback = True
