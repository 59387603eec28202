"""Handlers for events about counsellors and their phones. Each checks first, then changes."""

from __future__ import annotations

from routing.core import EngineCore
from routing.decisions import CancelReason, OverflowReason
from routing.errors import InvalidTransition, RoutingError, UnknownCounsellor
from routing.events import (
    CounsellorLoggedIn,
    CounsellorLoggedOut,
    CounsellorPaused,
    CounsellorResumed,
    PhoneBusy,
    PhoneFree,
    PhoneRegistered,
    PhoneUnregistered,
    WrapUpEnded,
)
from routing.matching import scan_lanes
from routing.model import Gender
from routing.state import MISSED, NO_WISH, OFFLINE, ON_CALL, PAUSED, RINGING, WRAP_UP, Counsellor


def _counsellor(core: EngineCore, counsellor_id: str) -> Counsellor:
    counsellor = core.counsellors.get(counsellor_id)
    if counsellor is None or counsellor.centre is None:
        raise UnknownCounsellor(counsellor_id)
    return counsellor


def _logged_in(core: EngineCore, counsellor_id: str) -> Counsellor:
    counsellor = _counsellor(core, counsellor_id)
    if counsellor.state == OFFLINE:
        raise InvalidTransition(f"counsellor {counsellor_id!r} is not logged in")
    return counsellor


def on_logged_in(core: EngineCore, event: CounsellorLoggedIn, now: float) -> None:
    cid = event.counsellor_id
    if not isinstance(cid, str) or not cid:
        raise RoutingError(f"counsellor id must be a non-empty string, got {cid!r}")
    if event.centre not in core.policy.centres:
        raise RoutingError(f"counsellor {cid!r}: unknown centre {event.centre!r}")
    languages = event.languages
    if not languages or not all(isinstance(x, str) and x for x in languages):
        raise RoutingError(f"counsellor {cid!r}: languages must be non-empty codes")
    try:
        gender = Gender(event.gender)
    except ValueError as exc:
        raise RoutingError(f"counsellor {cid!r}: {exc}") from exc
    counsellor = core.counsellors.get(cid)
    if counsellor is not None and counsellor.state != OFFLINE:
        raise InvalidTransition(f"counsellor {cid!r} is already logged in")
    if counsellor is None:
        counsellor = core.counsellors[cid] = Counsellor(cid)
    counsellor.centre = event.centre
    counsellor.languages = frozenset(languages)
    counsellor.gender = gender
    counsellor.pending_pause = None
    counsellor.scan_lanes = scan_lanes(core, counsellor)
    counsellor.pool_lanes = core.pools.lanes_of(counsellor)
    core.count_login(counsellor, +1)
    core.make_available(counsellor, idle_since=now)


def on_logged_out(core: EngineCore, event: CounsellorLoggedOut, now: float) -> None:
    counsellor = _logged_in(core, event.counsellor_id)
    _withdraw_ring(core, counsellor, CancelReason.COUNSELLOR_LOGGED_OUT)
    if counsellor.ptoken >= 0:
        core.pools.leave(counsellor)
    core.set_state(counsellor, OFFLINE)
    counsellor.call_id = None  # a call still connected goes on; its end no longer touches them
    counsellor.wrap_until = None
    counsellor.wrap_token = -1
    counsellor.pause_reason = None
    counsellor.pending_pause = None
    core.count_login(counsellor, -1)
    _widen_if_home_emptied(core, counsellor)


def _widen_if_home_emptied(core: EngineCore, counsellor: Counsellor) -> None:
    """Calls whose home centre just lost its last counsellor who could take them widen."""
    assert counsellor.centre is not None and counsellor.gender is not None
    centre = counsellor.centre
    emptied = []
    for language in sorted(counsellor.languages):
        if core.capable.get((centre, language), 0) == 0:
            genders = [NO_WISH, *(g.value for g in Gender)]
        elif core.capable_gender.get((centre, language, counsellor.gender.value), 0) == 0:
            genders = [counsellor.gender.value]
        else:
            continue
        for gender in genders:
            for call in core.queues.live_calls((centre, False, language, gender)):
                if not call.widened and core.home_has_nobody(call):
                    emptied.append(call)
    unique = {call.uid: call for call in emptied}
    for call in sorted(unique.values(), key=lambda c: (c.rank, c.seq)):
        core.widen(call, OverflowReason.HOME_HAS_NOBODY)


def _withdraw_ring(core: EngineCore, counsellor: Counsellor, reason: CancelReason) -> None:
    """If the counsellor is ringing, cancel it and put the call back (not as tried)."""
    if counsellor.state != RINGING or counsellor.call_id is None:
        return
    call = core.calls[counsellor.call_id]
    core.cancel_ring(call, reason)
    core.ring_back_to_line(call, counsellor, tried=False)
    core.make_available(counsellor, idle_since=None)


def on_paused(core: EngineCore, event: CounsellorPaused, now: float) -> None:
    counsellor = _logged_in(core, event.counsellor_id)
    if not isinstance(event.reason, str) or not event.reason:
        raise RoutingError(f"counsellor {counsellor.counsellor_id!r}: a pause needs a reason")
    if counsellor.state == ON_CALL:
        counsellor.pending_pause = event.reason  # paused when the call ends
        return
    _withdraw_ring(core, counsellor, CancelReason.COUNSELLOR_PAUSED)
    if counsellor.ptoken >= 0:
        core.pools.leave(counsellor)
    core.set_state(counsellor, PAUSED)
    counsellor.pause_reason = event.reason
    counsellor.wrap_until = None
    counsellor.wrap_token = -1


def on_resumed(core: EngineCore, event: CounsellorResumed, now: float) -> None:
    counsellor = _logged_in(core, event.counsellor_id)
    if counsellor.state == ON_CALL and counsellor.pending_pause is not None:
        counsellor.pending_pause = None
        return
    if counsellor.state not in (PAUSED, MISSED):
        raise InvalidTransition(
            f"counsellor {counsellor.counsellor_id!r} is {counsellor.state.value}, not paused"
        )
    core.make_available(counsellor, idle_since=now)


def on_wrap_up_ended(core: EngineCore, event: WrapUpEnded, now: float) -> None:
    counsellor = _logged_in(core, event.counsellor_id)
    if counsellor.state != WRAP_UP:
        raise InvalidTransition(
            f"counsellor {counsellor.counsellor_id!r} is {counsellor.state.value}, not in wrap-up"
        )
    core.make_available(counsellor, idle_since=now)


def _phone(core: EngineCore, counsellor_id: str) -> Counsellor:
    """Phones may report before their counsellor logs in: an unknown id is remembered."""
    if not isinstance(counsellor_id, str) or not counsellor_id:
        raise RoutingError(f"counsellor id must be a non-empty string, got {counsellor_id!r}")
    counsellor = core.counsellors.get(counsellor_id)
    if counsellor is None:
        counsellor = core.counsellors[counsellor_id] = Counsellor(counsellor_id)
    return counsellor


def on_phone_registered(core: EngineCore, event: PhoneRegistered, now: float) -> None:
    counsellor = _phone(core, event.counsellor_id)
    counsellor.phone_registered = True
    core.refresh_pools(counsellor)


def on_phone_unregistered(core: EngineCore, event: PhoneUnregistered, now: float) -> None:
    counsellor = _phone(core, event.counsellor_id)
    counsellor.phone_registered = False
    _phone_lost(core, counsellor, CancelReason.PHONE_UNREGISTERED)


def on_phone_busy(core: EngineCore, event: PhoneBusy, now: float) -> None:
    counsellor = _phone(core, event.counsellor_id)
    counsellor.phone_busy = True
    _phone_lost(core, counsellor, CancelReason.PHONE_BUSY)


def on_phone_free(core: EngineCore, event: PhoneFree, now: float) -> None:
    counsellor = _phone(core, event.counsellor_id)
    counsellor.phone_busy = False
    core.refresh_pools(counsellor)


def _phone_lost(core: EngineCore, counsellor: Counsellor, reason: CancelReason) -> None:
    _withdraw_ring(core, counsellor, reason)
    core.refresh_pools(counsellor)
