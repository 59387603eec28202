"""ARI JSON for model snapshots and happenings, in Asterisk 22's shapes (see the recordings)."""

from __future__ import annotations

from typing import Any

from pbxsim.model import happenings as h
from pbxsim.model.clock import Clock

Json = dict[str, Any]


def ts(clock: Clock, at: float) -> str:
    return clock.iso(at)


def channel(clock: Clock, c: h.ChannelSnapshot) -> Json:
    return {
        "id": c.id,
        "name": c.name,
        "state": c.state,
        "protocol_id": c.protocol_id,
        "caller": {"name": c.caller_name, "number": c.caller_number},
        "connected": {"name": c.connected_name, "number": c.connected_number},
        "accountcode": c.accountcode,
        "dialplan": {
            "context": c.context,
            "exten": c.exten,
            "priority": c.priority,
            "app_name": c.app_name,
            "app_data": c.app_data,
        },
        "creationtime": ts(clock, c.creationtime),
        "language": c.language,
    }


def bridge(clock: Clock, b: h.BridgeSnapshot) -> Json:
    return {
        "id": b.id,
        "technology": b.technology,
        "bridge_type": b.bridge_type,
        "bridge_class": b.bridge_class,
        "creator": b.creator,
        "name": b.name,
        "channels": list(b.channels),
        "creationtime": ts(clock, b.creationtime),
        "video_mode": b.video_mode,
    }


def playback(p: h.PlaybackSnapshot) -> Json:
    body: Json = {"id": p.id, "media_uri": p.media_uri}
    if p.next_media_uri is not None:
        body["next_media_uri"] = p.next_media_uri
    body.update({"target_uri": p.target_uri, "language": p.language, "state": p.state})
    return body


def endpoint(e: h.EndpointSnapshot) -> Json:
    return {
        "technology": e.technology,
        "resource": e.resource,
        "state": e.state,
        "channel_ids": list(e.channel_ids),
    }


def event(clock: Clock, hap: h.Happening, asterisk_id: str) -> Json | None:
    """The event body without ``application`` (added per app), or None when ARI has none."""
    t = ts(clock, hap.at)
    body: Json
    if isinstance(hap, h.ChannelHappening):
        ch = channel(clock, hap.channel)
        if isinstance(hap, h.ChannelCreated):
            body = {"type": "ChannelCreated", "timestamp": t, "channel": ch}
        elif isinstance(hap, h.ChannelStateChanged):
            body = {"type": "ChannelStateChange", "timestamp": t, "channel": ch}
        elif isinstance(hap, h.VarSet):
            body = {
                "variable": hap.variable,
                "value": hap.value,
                "type": "ChannelVarset",
                "timestamp": t,
                "channel": ch,
            }
        elif isinstance(hap, h.DialplanStepped):
            body = {
                "type": "ChannelDialplan",
                "timestamp": t,
                "dialplan_app": hap.app,
                "dialplan_app_data": hap.app_data,
                "channel": ch,
            }
        elif isinstance(hap, h.CallerIdChanged):
            body = {
                "type": "ChannelCallerId",
                "timestamp": t,
                "caller_presentation": hap.caller_presentation,
                "caller_presentation_txt": hap.caller_presentation_txt,
                "channel": ch,
            }
        elif isinstance(hap, h.ConnectedLineChanged):
            body = {"type": "ChannelConnectedLine", "timestamp": t, "channel": ch}
        elif isinstance(hap, h.HangupRequested):
            body = {}
            if hap.cause is not None:
                body["cause"] = hap.cause
                if hap.soft:
                    body["soft"] = True
                if hap.tech_cause is not None:
                    body["tech_cause"] = hap.tech_cause
            body.update({"type": "ChannelHangupRequest", "timestamp": t, "channel": ch})
        elif isinstance(hap, h.ChannelHungUp):
            body = {
                "type": "ChannelDestroyed",
                "timestamp": t,
                "cause": hap.cause,
                "cause_txt": hap.cause_txt,
            }
            if hap.tech_cause is not None:
                body["tech_cause"] = hap.tech_cause
            body["channel"] = ch
        elif isinstance(hap, h.DtmfEnded):
            body = {
                "type": "ChannelDtmfReceived",
                "timestamp": t,
                "digit": hap.digit,
                "duration_ms": hap.duration_ms,
                "channel": ch,
            }
        elif isinstance(hap, h.ChannelEnteredBridge):
            body = {
                "type": "ChannelEnteredBridge",
                "timestamp": t,
                "bridge": bridge(clock, hap.bridge),
                "channel": ch,
            }
        elif isinstance(hap, h.ChannelLeftBridge):
            body = {
                "type": "ChannelLeftBridge",
                "timestamp": t,
                "bridge": bridge(clock, hap.bridge),
                "channel": ch,
            }
        elif isinstance(hap, h.StasisStarted):
            body = {"type": "StasisStart", "timestamp": t, "args": list(hap.args), "channel": ch}
            if hap.replace_channel is not None:
                body["replace_channel"] = channel(clock, hap.replace_channel)
        elif isinstance(hap, h.StasisEnded):
            body = {"type": "StasisEnd", "timestamp": t, "channel": ch}
        elif isinstance(hap, h.ChannelTransferRequested):
            referred: Json = {"source_channel": ch}
            if hap.connected is not None:
                referred["connected_channel"] = channel(clock, hap.connected)
            if hap.bridge is not None:
                referred["bridge"] = bridge(clock, hap.bridge)
            body = {
                "type": "ChannelTransfer",
                "timestamp": t,
                "refer_to": {"requested_destination": {"destination": hap.destination}},
                "referred_by": referred,
            }
            if hap.state is not None:
                body["state"] = hap.state
        else:
            return None
    elif isinstance(hap, h.DialBegan | h.DialProgressed | h.DialEnded):
        status = "" if isinstance(hap, h.DialBegan) else hap.dialstatus
        body = {
            "type": "Dial",
            "timestamp": t,
            "dialstatus": status,
            "forward": "",
            "dialstring": hap.dialstring if isinstance(hap, h.DialBegan) else "",
        }
        if hap.caller is not None:
            body["caller"] = channel(clock, hap.caller)
        body["peer"] = channel(clock, hap.peer)
    elif isinstance(hap, h.BridgeCreated):
        body = {"type": "BridgeCreated", "timestamp": t, "bridge": bridge(clock, hap.bridge)}
    elif isinstance(hap, h.BridgeDestroyed):
        body = {"type": "BridgeDestroyed", "timestamp": t, "bridge": bridge(clock, hap.bridge)}
    elif isinstance(hap, h.PlaybackStarted):
        body = {"type": "PlaybackStarted", "timestamp": t, "playback": playback(hap.playback)}
    elif isinstance(hap, h.PlaybackContinued):
        body = {"type": "PlaybackContinuing", "timestamp": t, "playback": playback(hap.playback)}
    elif isinstance(hap, h.PlaybackFinished):
        body = {"type": "PlaybackFinished", "timestamp": t, "playback": playback(hap.playback)}
    elif isinstance(hap, h.DeviceStateChanged):
        return {
            "type": "DeviceStateChanged",
            "application": "",
            "timestamp": t,
            "device_state": {"name": hap.device, "state": hap.state},
            "asterisk_id": asterisk_id,
        }
    elif isinstance(hap, h.ContactStatusChanged):
        body = {
            "type": "ContactStatusChange",
            "timestamp": t,
            "endpoint": endpoint(hap.endpoint_snapshot),
            "contact_info": {
                "uri": hap.uri,
                "contact_status": hap.status,
                "aor": hap.aor,
                "roundtrip_usec": hap.roundtrip_usec,
            },
        }
    elif isinstance(hap, h.PeerStatusChanged):
        body = {
            "type": "PeerStatusChange",
            "timestamp": t,
            "endpoint": endpoint(hap.endpoint_snapshot),
            "peer": {"peer_status": hap.peer_status},
        }
    elif isinstance(hap, h.EndpointStateChanged):
        body = {"type": "EndpointStateChange", "timestamp": t, "endpoint": endpoint(hap.endpoint)}
    else:
        return None
    body["asterisk_id"] = asterisk_id
    return body
