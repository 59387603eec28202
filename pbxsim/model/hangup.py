"""Hanging channels up: RTPAUDIOQOS, hang-up requests (remote BYE, ARI DELETE), leaving
bridges and Stasis, the dialplan's ``h`` extension, snoops ending with the channel they spy on,
REFER ghosts, ChannelDestroyed and the CDR.

Functions of the :class:`~pbxsim.model.pbx.Pbx` they act on; ``Pbx`` exposes the public ones
as methods."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pbxsim.model import happenings as h
from pbxsim.model.objects import Channel

if TYPE_CHECKING:
    from pbxsim.model.pbx import Pbx

CAUSE_TXT = {
    0: "Unknown",
    16: "Normal Clearing",
    17: "User busy",
    18: "No user responding",
    19: "User alerting, no answer",
    20: "Subscriber absent",
    21: "Call Rejected",
    23: "Redirected to new destination",
    26: "Answered elsewhere",
    32: "Circuit/channel congestion",
    34: "Circuit/channel congestion",
    127: "Interworking, unspecified",
}

GHOST_SECONDS = 619.0  # REFER at 21:54:04, ChannelDestroyed at 22:04:23 (fact 47)

_QOS = (
    (
        "RTPAUDIOQOS",
        "ssrc={ssrc};themssrc=0;lp=0;rxjitter=0.000000;rxcount=0;txjitter=0.000000;"
        "txcount=0;rlp=0;rtt=0.000000;rxmes=0.000000;txmes=0.000000",
    ),
    (
        "RTPAUDIOQOSJITTER",
        "minrxjitter=000.000000;maxrxjitter=000.000000;avgrxjitter=000.000000;"
        "stdevrxjitter=000.000000;mintxjitter=000.000000;maxtxjitter=000.000000;"
        "avgtxjitter=000.000000;stdevtxjitter=000.000000;",
    ),
    (
        "RTPAUDIOQOSLOSS",
        "  minrxlost=000.000000;  maxrxlost=000.000000;  avgrxlost=000.000000;"
        "  stdevrxlost=000.000000;  mintxlost=000.000000;  maxtxlost=000.000000;"
        "  avgtxlost=000.000000;  stdevtxlost=000.000000;",
    ),
    (
        "RTPAUDIOQOSRTT",
        "     minrtt=000.000000;     maxrtt=000.000000;     avgrtt=000.000000;"
        "     stdevrtt=000.000000;",
    ),
    (
        "RTPAUDIOQOSMES",
        "   minrxmes=000.000000;   maxrxmes=000.000000;   avgrxmes=000.000000;"
        "   stdevrxmes=000.000000;   mintxmes=000.000000;   maxtxmes=000.000000;"
        "   avgtxmes=000.000000;   stdevtxmes=000.000000;",
    ),
)


def qos_vars(pbx: Pbx, ch: Channel) -> None:
    """RTPAUDIOQOS* set when an answered PJSIP channel's RTP session ends."""
    if ch.tech != "PJSIP" or ch.answered_at is None:
        return
    peer = pbx.bridge_peer(ch)
    ssrc = str(abs(hash(ch.id)) % 4294967295)
    for name, value in _QOS:
        pbx.set_var(ch, name, value.format(ssrc=ssrc))
        if peer is not None and peer.tech == "PJSIP":
            pbx.set_var(peer, name + "BRIDGED", value.format(ssrc=ssrc))


def do_hangup(
    pbx: Pbx,
    ch: Channel,
    *,
    request_cause: int | None,
    final_cause: int = 16,
    tech_cause: int | None = None,
    soft: bool = True,
) -> None:
    """Hang a channel up. ``request_cause`` None = remote BYE (ChannelHangupRequest with no
    cause); 32 = an ARI DELETE (soft hang-up)."""
    if ch.hangup_started or ch.destroyed:
        return
    ch.hangup_started = True
    ch.hangup_cause = final_cause
    ch.hangup_tech_cause = tech_cause
    qos_vars(pbx, ch)
    pbx.publish(h.HangupRequested(pbx.now(), ch.snapshot(), request_cause, None, soft))
    pbx.queues.hangup_requested(ch)
    pbx.stop_channel_media(ch)
    if ch.bridge_id is not None:
        pbx.leave_bridge(ch)
    if ch.stasis_app is not None:
        pbx.end_stasis(ch)
    ch.wake.set()
    _end_snoops(pbx, ch)
    if ch.refer_pending:
        # the BYE went out but the REFER subscription keeps the channel until its refresh
        # times out, about 10 minutes later (fact 47): listed, not found for DELETE
        ch.ghost = True
        pbx.clock.call_later(GHOST_SECONDS, lambda: destroy(pbx, ch, 16))
        return
    if ch.tech == "Snoop" and not _snoop_media_flows(pbx, ch):
        return  # no frames from the spied side: destroyed with it (fact 43)
    # a channel running a dialplan application returns to the dialplan, which runs 'h'
    if ch.in_dialplan:
        return  # the dialplan task finishes the hang-up (see dialplan.run_dialplan)
    destroy(pbx, ch, final_cause, tech_cause)


def _snoop_media_flows(pbx: Pbx, snoop: Channel) -> bool:
    spied = pbx.channels.get(snoop.snoop_of or "")
    if spied is None or spied.destroyed:
        return True
    ep = pbx.endpoints.get(spied.endpoint or "")
    return ep is not None and ep.phone.sends_rtp


def snoops_of(pbx: Pbx, ch: Channel) -> list[Channel]:
    return [c for c in (pbx.channels.get(s) for s in pbx.snoop_ids) if c and c.snoop_of == ch.id]


def _end_snoops(pbx: Pbx, ch: Channel) -> None:
    """The spied channel is going: lingering snoops go now, live ones leave their bridge
    and Stasis (no hang-up request) and go right after it (fact 42)."""
    snoops = snoops_of(pbx, ch)
    for other in sorted(snoops, key=lambda c: not c.hangup_started):  # lingering ones first
        if other.hangup_started:
            destroy(pbx, other, 16)
            continue
        other.hangup_started = True
        if other.bridge_id is not None:
            pbx.leave_bridge(other)
        if other.stasis_app is not None:
            pbx.end_stasis(other)


def destroy(pbx: Pbx, ch: Channel, cause: int, tech_cause: int | None = None) -> None:
    if ch.destroyed:
        return
    if ch.bridge_id is not None:
        pbx.leave_bridge(ch)
    while ch.before_destroy:
        ch.before_destroy.pop(0)()
    ch.destroyed = True
    pbx.publish(
        h.ChannelHungUp(
            pbx.now(), ch.snapshot(), cause, CAUSE_TXT.get(cause, "Unknown"), tech_cause
        )
    )
    pbx.apps.remove_channel(ch.id)
    if ch.endpoint and ch.endpoint in pbx.endpoints:
        ids = pbx.endpoints[ch.endpoint].channel_ids
        if ch.id in ids:
            ids.remove(ch.id)
    pbx.channels.pop(ch.id, None)
    pbx.refresh_endpoint(ch)
    from pbxsim.model.cdr import write_cdr

    write_cdr(pbx, ch, cause)
    while ch.after_destroy:
        ch.after_destroy.pop(0)()
    if ch.tech == "Snoop" and ch.snoop_of is not None:
        spied = pbx.channels.get(ch.snoop_of)
        if spied is not None and not spied.hangup_started:
            pbx.rebridge_vars(spied)  # the framehook detaches: the bridge re-evaluates
        pbx.publish(h.DeviceStateChanged(pbx.now(), f"Snoop/{ch.snoop_of}", "INVALID"))
    # a snoop dies with the channel it spies on (fact 42)
    pbx.snoop_ids.pop(ch.id, None)
    for other in snoops_of(pbx, ch):
        destroy(pbx, other, 16)
