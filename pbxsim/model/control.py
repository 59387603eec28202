"""Operations an ARI application (or AMI action) asks of channels and bridges.

Each raises a :mod:`pbxsim.model.errors` error with Asterisk's wording when Asterisk refuses.
"""

from __future__ import annotations

import asyncio

from pbxsim.model import happenings as h
from pbxsim.model import media
from pbxsim.model.errors import BadRequest, Conflict, NotFound, Unprocessable
from pbxsim.model.objects import Bridge, Channel
from pbxsim.model.pbx import REASON_CAUSE, Pbx


def answer(pbx: Pbx, ch: Channel) -> None:
    """``POST /channels/{id}/answer``: 200 OK to the caller at once (no 500 ms wait)."""
    if ch.state == "Up":
        return
    ch.answered_at = pbx.now()
    pbx.set_state(ch, "Up")
    pbx.refresh_endpoint(ch)


def ring(pbx: Pbx, ch: Channel) -> None:
    """``POST /channels/{id}/ring``: 180 on an unanswered channel; no ARI event (fact 24)."""
    pbx.refresh_endpoint(ch)


def ring_stop(pbx: Pbx, ch: Channel) -> None:
    """``DELETE /channels/{id}/ring``: nothing visible."""


def hangup(
    pbx: Pbx, ch: Channel, reason: str | None = None, reason_code: str | None = None
) -> None:
    """``DELETE /channels/{id}``: soft hang-up (cause 32), then the channel ends with the
    cause for ``reason`` (normal -> 16)."""
    if reason_code:
        if not reason_code.isdigit():
            raise BadRequest("Invalid reason_code")
        cause = int(reason_code)
    elif reason:
        if reason not in REASON_CAUSE:
            raise BadRequest("Invalid reason for hangup provided")
        cause = REASON_CAUSE[reason]
    else:
        cause = 16
    if ch.ghost:
        raise NotFound("Channel not found")
    if ch.dial_result is not None and not ch.dial_result.done():
        ch.dial_result.set_result("cancel")
    pbx.do_hangup(ch, request_cause=32, final_cause=cause)


def continue_in_dialplan(
    pbx: Pbx,
    ch: Channel,
    context: str | None,
    extension: str | None,
    priority: int | None,
    label: str | None,
) -> None:
    """``POST /channels/{id}/continue``: StasisEnd ~5 ms later, then the dialplan goes on."""
    if ch.stasis_app is None:
        raise Conflict("Channel not in Stasis application")
    ch.continue_to = (context, extension, priority, label)

    def leave() -> None:
        if ch.stasis_app is None or ch.hangup_started:
            return
        started_in_dialplan = ch.in_dialplan
        pbx.end_stasis(ch)
        if not started_in_dialplan:
            from pbxsim.model.dialplan import run_dialplan

            target = ch.continue_to
            ch.continue_to = None
            if target is not None:
                ch.context = target[0] or ch.context
                ch.exten = target[1] or ch.exten
            pbx.spawn(run_dialplan(pbx, ch, start=(target[2] if target and target[2] else 1)))

    pbx.clock.call_later(pbx.CONTINUE_DELAY, leave)


def redirect(pbx: Pbx, ch: Channel, endpoint: str) -> None:
    """``POST /channels/{id}/redirect``: 302 before answer (cause 23), REFER after (facts 46-49)."""
    tech, sep, resource = endpoint.partition("/")
    if not sep or not resource:
        raise BadRequest("Invalid endpoint")
    if tech.upper() != ch.tech.upper():
        raise Unprocessable(
            f"Endpoint technology '{tech}' does not match channel technology '{ch.tech}'"
        )
    if resource not in pbx.endpoints:
        raise NotFound("Endpoint not found")
    if ch.state != "Up":
        ch.hangup_started = True
        ch.hangup_cause, ch.hangup_tech_cause = 23, 302
        pbx.publish(h.HangupRequested(pbx.now(), ch.snapshot(), 23, 302, soft=False))
        if ch.bridge_id is not None:
            pbx.leave_bridge(ch)
        pbx.end_stasis(ch)
        ch.wake.set()
        if not ch.in_dialplan:
            pbx.publish(h.HangupRequested(pbx.now(), ch.snapshot(), 16, 302, soft=True))
            pbx.destroy(ch, 23, 302)
        return
    # answered: REFER to the phone; no event. What the phone does next is its behaviour.
    phone = pbx.endpoints.get(ch.endpoint or "")
    mode = phone.phone.refer if phone is not None else "complete"
    if mode == "complete":
        pbx.clock.call_later(0.05, lambda: _remote_bye(pbx, ch))
    elif mode == "ghost":
        ch.refer_pending = True


def _remote_bye(pbx: Pbx, ch: Channel) -> None:
    if not ch.hangup_started and not ch.destroyed:
        pbx.do_hangup(ch, request_cause=None, final_cause=16)


def snoop(
    pbx: Pbx, ch: Channel, *, spy: str, whisper: str, app: str, app_args: str, snoop_id: str | None
) -> Channel:
    """``POST /channels/{id}/snoop``: a Snoop/ channel that enters ``app`` (fact 41)."""
    for value in (spy, whisper):
        if value not in ("none", "both", "out", "in"):
            raise BadRequest("Invalid direction specified")
    if spy == "none" and whisper == "none":
        raise BadRequest("Sppy or whisper direction must be specified")
    sn = pbx.new_channel(
        tech="Snoop",
        resource=ch.id,
        endpoint=None,
        state="Up",
        caller_name="",
        caller_number="",
        context="default",
        exten="s",
        channel_id=snoop_id,
        linkedid=None,
        name=f"Snoop/{ch.id}-{next(pbx._chan_seq):08x}",
    )
    sn.snoop_of = ch.id
    pbx.snoop_ids[sn.id] = None
    sn.answered_at = pbx.now()
    pbx.publish(h.ChannelCreated(pbx.now(), sn.snapshot()))
    first = not any(c is not sn for c in pbx.snoops_of(ch))
    if first:  # the framehook makes the spied channel's bridge re-evaluate
        pbx.rebridge_vars(ch)
        pbx.rebridge_vars(ch)
    pbx.step(sn, 1, "Stasis", f"{app},{app_args}" if app_args else app)
    pbx.apps.add_channel(app, sn.id)
    pbx.enter_stasis(sn, app, app_args.split(",") if app_args else [])
    pbx.rebridge_vars(ch)
    return sn


def get_variable(pbx: Pbx, ch: Channel, name: str) -> str:
    if name == "CHANNEL(name)":
        return ch.name
    if name == "CALLERID(num)":
        return ch.caller_number
    if name not in ch.variables:
        raise NotFound("Provided variable was not found")
    return ch.variables[name]


def set_variable(pbx: Pbx, ch: Channel, name: str, value: str) -> None:
    if not name:
        raise BadRequest("Variable name is required")
    if name == "PJSIP_TRANSFER_HANDLING()":
        ch.transfer_handling = value
        return
    if name.startswith("CALLERID(num"):
        ch.caller_number = value
        pbx.publish(h.CallerIdChanged(pbx.now(), ch.snapshot()))
        return
    pbx.set_var(ch, name, value)


def phone_refer(pbx: Pbx, ch: Channel, destination: str) -> None:
    """The phone on ``ch`` sent a REFER (fact 50): ChannelTransfer with ari-only handling."""
    if ch.transfer_handling != "ari-only":
        raise Unprocessable("blind transfer by Asterisk itself is not simulated")
    peer = pbx.bridge_peer(ch)
    br = pbx.bridges.get(ch.bridge_id or "")
    ch.refer_sent = True
    pbx.publish(
        h.ChannelTransferRequested(
            pbx.now(),
            ch.snapshot(),
            destination,
            peer.snapshot() if peer else None,
            pbx.bridge_snapshot(br) if br else None,
            None,
        )
    )
    if peer is not None:  # the REFER's framehook: the bridge re-evaluates three times
        for _ in range(3):
            pbx.bridge_pair_vars(ch, peer)


def transfer_progress(pbx: Pbx, ch: Channel, state: str) -> None:
    if state not in (
        "channel_progress",
        "channel_answered",
        "channel_unavailable",
        "channel_declined",
    ):
        raise BadRequest("Invalid state")
    peer = pbx.bridge_peer(ch)
    br = pbx.bridges.get(ch.bridge_id or "")
    pbx.publish(
        h.ChannelTransferRequested(
            pbx.now(),
            ch.snapshot(),
            "",
            peer.snapshot() if peer else None,
            pbx.bridge_snapshot(br) if br else None,
            state,
        )
    )


def bridge_add(pbx: Pbx, br: Bridge, channel_ids: list[str]) -> None:
    chans: list[Channel] = []
    for cid in channel_ids:
        ch = pbx.channels.get(cid)
        if ch is None or ch.destroyed:
            raise BadRequest("Channel not found")
        if ch.stasis_app is None:
            raise Unprocessable("Channel not in Stasis application")
        chans.append(ch)
    for ch in chans:
        pbx.add_to_bridge(br, ch)


def bridge_remove(pbx: Pbx, br: Bridge, channel_ids: list[str]) -> None:
    chans: list[Channel] = []
    for cid in channel_ids:
        ch = pbx.channels.get(cid)
        if ch is None or ch.destroyed:
            raise BadRequest("Channel not found")
        if ch.bridge_id != br.id:
            raise Unprocessable("Channel not in this bridge")
        chans.append(ch)
    for ch in chans:
        pbx.leave_bridge(ch)


def bridge_moh_start(pbx: Pbx, br: Bridge) -> None:
    if br.moh_channel is not None:
        return
    br.moh_channel = pbx.announcer_name(moh=True)
    pbx.announcer_joined(br)


def bridge_moh_stop(pbx: Pbx, br: Bridge) -> None:
    if br.moh_channel is None:
        raise Conflict("Bridge isn't playing music on hold")
    br.moh_channel = None
    pbx.set_device_state("Announcer/ARI_MOH", "INUSE")
    pbx.set_device_state("Announcer/ARI_MOH", "UNKNOWN")


def stop_playback(pbx: Pbx, playback_id: str) -> None:
    pb = pbx.playbacks.get(playback_id)
    if pb is None:
        raise NotFound("Playback not found")
    media.stop(pbx, pb)


async def settle() -> None:
    """Let scheduled model work run (used by tests and the ARI layer after a request)."""
    await asyncio.sleep(0)
