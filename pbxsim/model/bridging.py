"""Bridges: joining and leaving, BRIDGEPEER / BRIDGEPVTCALLID rounds, connected line updates,
announcer channels (bridge MOH and playbacks), basic (queue / Dial) bridges that dissolve.

Functions of the :class:`~pbxsim.model.pbx.Pbx` they act on; ``Pbx`` exposes the public ones
as methods."""

from __future__ import annotations

import asyncio
import functools
import uuid
from typing import TYPE_CHECKING

from pbxsim.model import happenings as h
from pbxsim.model.errors import Conflict, Unprocessable
from pbxsim.model.objects import Bridge, Channel

if TYPE_CHECKING:
    from pbxsim.model.pbx import Pbx


def create_bridge(
    pbx: Pbx,
    bridge_type: str = "mixing",
    bridge_id: str | None = None,
    name: str = "",
    *,
    bridge_class: str = "stasis",
    creator: str = "Stasis",
) -> Bridge:
    types = [t.strip() for t in (bridge_type or "mixing").split(",") if t.strip()]
    kind = "holding" if "holding" in types else "mixing"
    for t in types:
        if t not in (
            "mixing",
            "holding",
            "dtmf_events",
            "proxy_media",
            "video_sfu",
            "video_single",
            "sdp_label",
        ):
            raise Unprocessable(f"Invalid bridge type: {t}")
    if bridge_id and bridge_id in pbx.bridges and not pbx.bridges[bridge_id].destroyed:
        raise Conflict("Bridge with id already exists")
    br = Bridge(
        id=bridge_id or str(uuid.uuid4()),
        bridge_type=kind,
        name=name,
        creationtime=pbx.now(),
        bridge_class=bridge_class,
        creator=creator,
    )
    pbx.bridges[br.id] = br
    pbx.publish(h.BridgeCreated(pbx.now(), bridge_snapshot(pbx, br)))
    return br


def _bridge_vars(pbx: Pbx, a: Channel, b: Channel) -> None:
    """BRIDGEPEER / BRIDGEPVTCALLID of a two-party bridge, ``a``'s first."""
    for x, y in ((a, b), (b, a)):
        pbx.set_var(x, "BRIDGEPEER", y.name)
        if y.tech == "PJSIP":
            pbx.set_var(x, "BRIDGEPVTCALLID", y.protocol_id)


def bridge_pair_vars(pbx: Pbx, a: Channel, b: Channel) -> None:
    _bridge_vars(pbx, a, b)


def rebridge_vars(pbx: Pbx, ch: Channel) -> None:
    """A framehook (snoop) attached to a bridged channel: the bridge re-evaluates."""
    br = pbx.bridges.get(ch.bridge_id or "")
    if br is None:
        return
    members = [pbx.channels[c] for c in br.channels if c in pbx.channels]
    if len(members) == 2:
        _bridge_vars(pbx, members[1], members[0])


def add_to_bridge(pbx: Pbx, br: Bridge, ch: Channel) -> None:
    if ch.bridge_id == br.id:
        return
    if ch.bridge_id is not None:
        leave_bridge(pbx, ch)
    br.channels.append(ch.id)
    ch.bridge_id = br.id
    pbx.publish(h.ChannelEnteredBridge(pbx.now(), ch.snapshot(), bridge_snapshot(pbx, br)))
    members = [pbx.channels[c] for c in br.channels if c in pbx.channels]
    for other in members:
        if other is not ch:
            party_b(other, ch)
    extra = announcers(pbx, br)
    if extra and len(members) == 1:
        pbx.set_var(ch, "BRIDGEPEER", extra[0])
    elif extra and len(members) >= 2:
        for _ in range(3):
            _multi_round(pbx, br)
    elif len(members) == 2:
        first, new = members[0], members[1]
        if first.tech == "PJSIP" and new.tech == "PJSIP":
            # native_rtp: three rounds, newest first, connected line in between
            _bridge_vars(pbx, new, first)
            _bridge_vars(pbx, new, first)
            _connected(pbx, new, first)
            _bridge_vars(pbx, new, first)
            _connected(pbx, first, new)
        else:
            _bridge_vars(pbx, first, new)
            _connected(pbx, new, first)
            _connected(pbx, first, new)


def party_b(a: Channel, b: Channel) -> None:
    """``a`` and ``b`` talk (dialled or bridged): the older one's CDR gets the other as
    party B."""
    if a.tech != "PJSIP" or b.tech != "PJSIP":
        return
    older, younger = (a, b) if a.seq <= b.seq else (b, a)
    if all(p is not younger for p in older.cdr_peers):
        older.cdr_peers.append(younger)


def _connected(pbx: Pbx, ch: Channel, peer: Channel) -> None:
    _connected_to(pbx, ch, peer.caller_name, peer.caller_number)


def connected_to(pbx: Pbx, ch: Channel, name: str, number: str) -> None:
    _connected_to(pbx, ch, name, number)


def _connected_to(pbx: Pbx, ch: Channel, name: str, number: str) -> None:
    """Connected line follows the bridge peer; an update only when it changes."""
    if (ch.connected_name, ch.connected_number) == (name, number):
        return
    ch.connected_name, ch.connected_number = name, number
    pbx.publish(h.ConnectedLineChanged(pbx.now(), ch.snapshot()))


def announcers(pbx: Pbx, br: Bridge) -> list[str]:
    return [a for a in (br.moh_channel, br.play_announcer) if a]


def _multi_round(pbx: Pbx, br: Bridge) -> None:
    """BRIDGEPEER lists every other party (announcers first) in a bridge of three or more;
    BRIDGEPVTCALLID is then empty (set only when it changes)."""
    members = [pbx.channels[c] for c in br.channels if c in pbx.channels]
    for x in reversed(members):
        others = announcers(pbx, br) + [m.name for m in members if m is not x]
        pbx.set_var(x, "BRIDGEPEER", ",".join(others))
        if x.variables.get("BRIDGEPVTCALLID", ""):
            pbx.set_var(x, "BRIDGEPVTCALLID", "")


def announcer_joined(pbx: Pbx, br: Bridge) -> None:
    """An Announcer channel (bridge MOH or playback) joined the bridge."""
    members = [pbx.channels[c] for c in br.channels if c in pbx.channels]
    if len(members) == 1:
        pbx.set_var(members[0], "BRIDGEPEER", announcers(pbx, br)[-1])
    elif len(members) >= 2:
        for _ in range(3):
            _multi_round(pbx, br)


def leave_bridge(pbx: Pbx, ch: Channel) -> None:
    br = pbx.bridges.get(ch.bridge_id or "")
    ch.bridge_id = None
    if br is None or ch.id not in br.channels:
        return
    _clear_peer_vars(pbx, ch)
    if br.bridge_class == "basic":  # a two-party basic bridge dissolves at once
        for cid in br.channels:
            if cid != ch.id and cid in pbx.channels:
                _clear_peer_vars(pbx, pbx.channels[cid])
    br.channels.remove(ch.id)
    pbx.publish(h.ChannelLeftBridge(pbx.now(), ch.snapshot(), bridge_snapshot(pbx, br)))
    extra = announcers(pbx, br)
    remaining = [pbx.channels[c] for c in br.channels if c in pbx.channels]
    if extra and len(remaining) == 1:
        pbx.set_var(remaining[0], "BRIDGEPEER", extra[0])
        _connected_to(pbx, remaining[0], "", "")
    if br.bridge_class == "basic" and len(br.channels) <= 1:
        for rest in list(br.channels):
            other = pbx.channels.get(rest)
            if other is None or other.hangup_started:
                continue
            if ch.in_dialplan and ch.hangup_started:
                # the caller hung up inside Queue()/Dial(): its own thread finishes first
                # (AgentComplete, Queue()'s variables, the 'h' extension); the partner leaves
                # the bridge just before the caller's Hangup and goes right after it
                # (ami-queue-call.raw)
                other.hangup_started = True
                ch.before_destroy.append(functools.partial(_partner_leaves, pbx, other))
                ch.after_destroy.append(functools.partial(pbx.destroy, other, 16))
                continue
            asyncio.get_running_loop().call_soon(_partner_gone, pbx, other)


def _clear_peer_vars(pbx: Pbx, ch: Channel) -> None:
    if ch.variables.get("BRIDGEPEER"):
        pbx.set_var(ch, "BRIDGEPEER", "")
        if ch.variables.get("BRIDGEPVTCALLID"):
            pbx.set_var(ch, "BRIDGEPVTCALLID", "")


def _partner_gone(pbx: Pbx, ch: Channel) -> None:
    """The other party of a basic (queue / Dial) bridge left: this leg leaves, the bridge
    goes, and the leg is hung up with no hang-up request of its own."""
    if ch.hangup_started or ch.destroyed:
        return
    ch.hangup_started = True
    _partner_leaves(pbx, ch)
    pbx.destroy(ch, 16)


def _partner_leaves(pbx: Pbx, ch: Channel) -> None:
    if ch.destroyed:
        return
    br = pbx.bridges.get(ch.bridge_id or "")
    if br is not None:
        leave_bridge(pbx, ch)
        if not br.channels:
            destroy_bridge(pbx, br)
    pbx.qos_vars(ch)
    ch.wake.set()


def destroy_bridge(pbx: Pbx, br: Bridge) -> None:
    if br.destroyed:
        return
    for cid in list(br.channels):
        ch = pbx.channels.get(cid)
        if ch is not None:
            leave_bridge(pbx, ch)
    br.destroyed = True
    for pb in list(pbx.playbacks.values()):
        if pb.target_uri == f"bridge:{br.id}":
            from pbxsim.model.media import stop_playback_now

            stop_playback_now(pbx, pb)
    pbx.bridges.pop(br.id, None)
    pbx.publish(h.BridgeDestroyed(pbx.now(), bridge_snapshot(pbx, br)))
    pbx.apps.remove_bridge(br.id)


def announcer_name(pbx: Pbx, moh: bool) -> str:
    return f"Announcer/ARI{'_MOH' if moh else ''}-{next(pbx._announcer_seq):08x};2"


def bridge_snapshot(pbx: Pbx, br: Bridge) -> h.BridgeSnapshot:
    pjsip = sum(1 for c in br.channels if c in pbx.channels and pbx.channels[c].tech == "PJSIP")
    return br.snapshot(br.technology(pjsip))


def bridge_peer(pbx: Pbx, ch: Channel) -> Channel | None:
    if ch.bridge_id is None or ch.bridge_id not in pbx.bridges:
        return None
    others = [c for c in pbx.bridges[ch.bridge_id].channels if c != ch.id]
    if len(others) != 1:
        return None
    return pbx.channels.get(others[0])
