"""Outbound legs: ringing a phone, and what its answer (or silence) turns into.

Used by ARI originate / create+dial, app_queue and the dialplan's Dial().
"""

from __future__ import annotations

import asyncio
import re

from pbxsim.model import happenings as h
from pbxsim.model.errors import AllocationFailed, BadRequest, NotFound
from pbxsim.model.objects import Channel
from pbxsim.model.pbx import Pbx

# dial outcomes
ANSWER, BUSY, NOANSWER, CANCEL, CHANUNAVAIL, TIMEOUT = (
    "ANSWER",
    "BUSY",
    "NOANSWER",
    "CANCEL",
    "CHANUNAVAIL",
    "TIMEOUT",
)


def parse_callerid(value: str | None) -> tuple[str, str] | None:
    if not value:
        return None
    m = re.match(r'^\s*"?([^"<]*?)"?\s*<([^>]*)>\s*$', value)
    if m:
        return m.group(1).strip(), m.group(2).strip()
    return "", value.strip()


def split_endpoint(endpoint: str) -> tuple[str, str]:
    tech, sep, resource = endpoint.partition("/")
    if not sep or not resource:
        raise BadRequest("Invalid endpoint specified")
    return tech, resource


def new_outbound(
    pbx: Pbx,
    endpoint: str,
    *,
    channel_id: str | None,
    caller: tuple[str, str] | None,
    linkedid: str | None = None,
) -> Channel:
    """Allocate a PJSIP channel towards ``endpoint`` ("PJSIP/hn-01") and publish its
    creation (ChannelCreated, ChannelDialplan AppDial2 happen later, when dialled)."""
    tech, resource = split_endpoint(endpoint)
    if tech.upper() != "PJSIP":
        raise AllocationFailed("Allocation failed")
    ep = pbx.endpoints.get(resource.split("@")[0])
    if ep is None:
        raise AllocationFailed("Allocation failed")
    name, number = caller if caller is not None else (ep.callerid_name, ep.callerid_number)
    ch = pbx.new_channel(
        tech="PJSIP",
        resource=ep.name,
        endpoint=ep.name,
        state="Down",
        caller_name=name,
        caller_number=number,
        context=ep.context,
        exten="s",
        channel_id=channel_id,
        linkedid=linkedid,
        outbound=True,
        language=ep.language,
    )
    ch.protocol_id = ""
    pbx.publish(h.ChannelCreated(pbx.now(), ch.snapshot()))
    import uuid

    ch.protocol_id = str(uuid.uuid4())
    return ch


def ringing(pbx: Pbx, leg: Channel, caller: Channel | None) -> None:
    """The phone sent 180. A leg dialled by a channel (queue, Dial) starts its own
    ``AppQueue``/``AppDial`` step and learns its connected line first."""
    pbx.set_state(leg, "Ringing")
    if caller is not None:
        pbx.step(leg, 1, "AppQueue" if caller.queue_name else "AppDial", "(Outgoing Line)")
        pbx.connected_to(leg, caller.caller_name, caller.caller_number)
        pbx.refresh_endpoint(leg)
        if caller.held_dial_states is not None:  # Queue() is still calling members
            caller.held_dial_states.append(leg)
            return
        pbx.publish(h.DialProgressed(pbx.now(), _snap(caller), leg.snapshot(), "RINGING"))
        return
    pbx.publish(h.DialProgressed(pbx.now(), _snap(caller), leg.snapshot(), "RINGING"))
    pbx.refresh_endpoint(leg)


def _snap(ch: Channel | None) -> h.ChannelSnapshot | None:
    return ch.snapshot() if ch is not None else None


async def ring_leg(
    pbx: Pbx,
    leg: Channel,
    caller: Channel | None,
    ring_timeout: float | None,
    *,
    dial_began: bool = False,
) -> str:
    """Send the INVITE and wait for the phone. Returns ANSWER, BUSY, TIMEOUT, CANCEL,
    CHANUNAVAIL or ``reject:<sip code>``. Publishes DialBegan / RINGING / ANSWER (the other
    endings are the caller's business: they differ between originate, queue and Dial)."""
    if leg.hangup_started or leg.destroyed:  # hung up (ARI DELETE) before it was dialled
        return CANCEL
    ep = pbx.endpoints[leg.endpoint or ""]
    if not dial_began:  # app_queue publishes DialBegin itself, right after AgentCalled
        pbx.publish(h.DialBegan(pbx.now(), _snap(caller), leg.snapshot(), f"{ep.name}"))
    loop = asyncio.get_running_loop()
    leg.dialled_by = caller.id if caller is not None else None
    fut: asyncio.Future[str] = loop.create_future()
    leg.dial_result = fut
    if not ep.contacts:
        return CHANUNAVAIL
    pbx.publish(h.PhoneInvited(pbx.now(), leg.snapshot(), ep.contacts[0].uri))
    phone = ep.phone
    handles: list[asyncio.TimerHandle] = []

    def resolve(value: str) -> None:
        if not fut.done():
            fut.set_result(value)

    if ring_timeout is not None and ring_timeout > 0:
        handles.append(pbx.clock.call_later(ring_timeout, lambda: resolve(TIMEOUT)))
    if phone.mode == "busy":
        handles.append(pbx.clock.call_later(0.003, lambda: resolve("busy")))
    elif phone.mode == "decline":
        handles.append(pbx.clock.call_later(0.003, lambda: resolve("reject:603")))
    elif phone.mode in ("answer", "noanswer") or (phone.mode == "manual" and phone.ring):
        if phone.ring:
            ringing(pbx, leg, caller)
        if phone.mode == "answer":
            handles.append(
                pbx.clock.call_later(max(phone.answer_after, 0.001), lambda: resolve("answer"))
            )
    try:
        result = await fut
    finally:
        for handle in handles:
            handle.cancel()
        leg.dial_result = None
    if result == "answer":
        leg.answered_at = pbx.now()
        pbx.set_state(leg, "Up")
        pbx.publish(h.DialEnded(pbx.now(), _snap(caller), leg.snapshot(), ANSWER))
        pbx.refresh_endpoint(leg)
        return ANSWER
    if result == "busy":
        return BUSY
    if result == "cancel-remote":
        return "reject:487"
    return result if result.startswith("reject:") else (TIMEOUT if result == TIMEOUT else CANCEL)


def fail_leg(
    pbx: Pbx, leg: Channel, caller: Channel | None, outcome: str, *, report_timeout: bool
) -> None:
    """End a leg that was not answered, with the events Asterisk gives for ``outcome``."""
    if leg.destroyed:
        return
    if outcome == BUSY:
        leg.hangup_started = True
        pbx.publish(h.HangupRequested(pbx.now(), leg.snapshot(), 17, 486, soft=False))
        pbx.publish(h.DialEnded(pbx.now(), _snap(caller), leg.snapshot(), BUSY))
        pbx.destroy(leg, 17, 486)
    elif outcome.startswith("reject:"):
        code = int(outcome.split(":")[1])
        leg.hangup_started = True
        cause = 21 if code == 603 else 16
        pbx.publish(h.HangupRequested(pbx.now(), leg.snapshot(), cause, code, soft=False))
        pbx.publish(
            h.DialEnded(
                pbx.now(), _snap(caller), leg.snapshot(), "BUSY" if code == 486 else "CONGESTION"
            )
        )
        pbx.destroy(leg, cause, code)
    elif outcome == CHANUNAVAIL:
        leg.hangup_started = True
        pbx.publish(h.DialEnded(pbx.now(), _snap(caller), leg.snapshot(), CHANUNAVAIL))
        pbx.destroy(leg, 20, None)
    elif outcome == TIMEOUT:
        if report_timeout:
            pbx.publish(h.DialEnded(pbx.now(), _snap(caller), leg.snapshot(), NOANSWER))
        if leg.stasis_app is not None:
            (pbx.do_hangup(leg, request_cause=32, final_cause=19, tech_cause=480))
        else:
            leg.hangup_started = True
            pbx.destroy(leg, 19, 480)
    else:  # CANCEL: someone else answered or the caller gave up
        leg.hangup_started = True
        pbx.publish(h.DialEnded(pbx.now(), _snap(caller), leg.snapshot(), CANCEL))
        pbx.destroy(leg, 26 if outcome == CANCEL else 16, None)


def cancel_leg(leg: Channel) -> None:
    if leg.dial_result is not None and not leg.dial_result.done():
        leg.dial_result.set_result("cancel")


def originate(
    pbx: Pbx,
    endpoint: str,
    *,
    app: str | None = None,
    app_args: str = "",
    caller_id: str | None = None,
    timeout: float = 30.0,
    channel_id: str | None = None,
    variables: dict[str, str] | None = None,
    context: str | None = None,
    extension: str | None = None,
    priority: int | None = None,
    linkedid: str | None = None,
) -> Channel:
    """ARI ``POST /channels`` (and AMI Originate): ring ``endpoint``; when it answers it enters
    ``app`` (or the dialplan at context/extension/priority)."""
    if app is None and extension is None:
        raise BadRequest("Application or extension must be specified")
    caller = parse_callerid(caller_id)
    leg = new_outbound(pbx, endpoint, channel_id=channel_id, caller=caller, linkedid=linkedid)
    if app is not None:
        pbx.apps.add_channel(app, leg.id)
    pbx.step(leg, 1, "AppDial2", "(Outgoing Line)")
    # the originate's variables are set before its caller id (ami-actions.raw: VarSet
    # LAB_TAG between Newexten AppDial2 and NewCallerid)
    for key, value in (variables or {}).items():
        pbx.set_var(leg, key, value)
    pbx.publish(h.CallerIdChanged(pbx.now(), leg.snapshot()))
    if caller is not None:
        leg.connected_name, leg.connected_number = caller
    pbx.publish(h.ConnectedLineChanged(pbx.now(), leg.snapshot()))
    args = [a for a in app_args.split(",")] if app_args else []

    async def run() -> None:
        outcome = await ring_leg(pbx, leg, None, timeout if timeout > 0 else None)
        if outcome != ANSWER:
            fail_leg(pbx, leg, None, outcome, report_timeout=False)
            return
        if app is not None:
            if pbx.apps.can_enter(app):
                pbx.enter_stasis(leg, app, args)
            else:
                pbx.do_hangup(leg, request_cause=None, final_cause=16)
        else:
            from pbxsim.model.dialplan import run_dialplan

            leg.context = context or leg.context
            leg.exten = extension or "s"
            await run_dialplan(pbx, leg, start=priority or 1)

    pbx.spawn(run())
    return leg


def create(
    pbx: Pbx,
    endpoint: str,
    *,
    app: str,
    app_args: str = "",
    channel_id: str | None = None,
    other_channel_id: str | None = None,
) -> Channel:
    """ARI ``POST /channels/create``: the channel exists and is in Stasis before it is dialled."""
    leg = new_outbound(pbx, endpoint, channel_id=channel_id, caller=None)
    pbx.apps.add_channel(app, leg.id)
    # the created channel sits in the Stasis application (ari-failed-originate.jsonl: the
    # Dial event's peer shows app_name Stasis, app_data "<app>,<args>"; AMI Newexten Stasis)
    pbx.step(leg, 1, "Stasis", f"{app},{app_args}" if app_args else app)
    pbx.enter_stasis(leg, app, app_args.split(",") if app_args else [])
    return leg


def dial(pbx: Pbx, leg: Channel, *, caller_id: str | None = None, timeout: float = 0.0) -> None:
    """ARI ``POST /channels/{id}/dial`` on a created channel."""
    if not leg.outbound or leg.state != "Down" or leg.dial_result is not None:
        raise (
            NotFound("Channel not found")
            if leg.destroyed
            else BadRequest("Channel is not in a dialable state")
        )
    caller = pbx.channels.get(caller_id) if caller_id else None
    if caller is not None:
        # the caller lends its connected line and takes the leg's CDR as its party B; the
        # dial itself is published without a caller (ari-failed-originate: AMI DialBegin has
        # no caller block, the ARI Dial event no "caller", dn-01 no Cdr of its own)
        leg.connected_name, leg.connected_number = caller.caller_name, caller.caller_number
        leg.cdr_merged = True
        caller.cdr_peers.append(leg)
    pbx.publish(h.ConnectedLineChanged(pbx.now(), leg.snapshot()))

    async def run() -> None:
        outcome = await ring_leg(pbx, leg, None, timeout if timeout > 0 else None)
        if outcome != ANSWER:
            fail_leg(pbx, leg, None, outcome, report_timeout=False)

    pbx.spawn(run())
