"""Fan-out of model happenings to connected ARI WebSocket clients.

Who receives what (recordings-2 facts 1-18): a ``subscribeAll`` application gets every event
of every channel, bridge, endpoint and device (StasisStart/End only for its own channels);
an application without it gets the events of what it is subscribed to (the channels in its
Stasis, the channels it originated, explicit subscriptions). Bridge playbacks arrive twice,
byte-identical, on a subscribeAll application (fact 16). A replaced client stays open and
silent (fact 9). Nothing is kept for a client that is not connected.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from pbxsim.ari import render
from pbxsim.model import happenings as h
from pbxsim.model.pbx import Pbx
from pbxsim.model.stasis import StasisApp


class Connection:
    """One ARI WebSocket: a queue of text frames the socket task sends in order."""

    def __init__(self, app: str, subscribe_all: bool) -> None:
        self.app = app
        self.subscribe_all = subscribe_all
        self.queue: asyncio.Queue[str | None] = asyncio.Queue()
        self.replaced = False
        self.sent = 0

    def send(self, text: str) -> None:
        if not self.replaced:
            self.queue.put_nowait(text)

    def close(self) -> None:
        self.queue.put_nowait(None)


def _dumps(body: dict[str, Any]) -> str:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def _targets(hap: h.Happening) -> tuple[set[str], set[str], set[str], set[str]]:
    """(channel ids, bridge ids, endpoint ids, device names) a happening concerns."""
    chans: set[str] = set()
    bridges: set[str] = set()
    endpoints: set[str] = set()
    devices: set[str] = set()
    if isinstance(hap, h.ChannelHappening):
        chans.add(hap.channel.id)
        if isinstance(hap, h.ChannelEnteredBridge | h.ChannelLeftBridge):
            bridges.add(hap.bridge.id)
    elif isinstance(hap, h.DialBegan | h.DialProgressed | h.DialEnded):
        chans.add(hap.peer.id)
        if hap.caller is not None:
            chans.add(hap.caller.id)
    elif isinstance(hap, h.BridgeCreated | h.BridgeDestroyed):
        bridges.add(hap.bridge.id)
        chans.update(hap.bridge.channels)
    elif isinstance(hap, h.PlaybackStarted | h.PlaybackContinued | h.PlaybackFinished):
        kind, _, ident = hap.playback.target_uri.partition(":")
        (chans if kind == "channel" else bridges).add(ident)
    elif isinstance(hap, h.DeviceStateChanged):
        devices.add(hap.device)
    elif isinstance(hap, h.ContactStatusChanged | h.PeerStatusChanged):
        endpoints.add(f"PJSIP/{hap.endpoint}")
    elif isinstance(hap, h.EndpointStateChanged):
        endpoints.add(f"{hap.endpoint.technology}/{hap.endpoint.resource}")
    return chans, bridges, endpoints, devices


def _interested(app: StasisApp, hap: h.Happening) -> bool:
    if isinstance(hap, h.StasisStarted | h.StasisEnded):
        return hap.app == app.name
    if app.subscribe_all:
        return True
    chans, bridges, endpoints, devices = _targets(hap)
    return bool(
        chans & app.channel_ids
        or bridges & app.bridge_ids
        or endpoints & app.endpoint_ids
        or devices & app.device_names
    )


class EventHub:
    """Listens on the model's bus and feeds every connected application's socket."""

    def __init__(self, pbx: Pbx) -> None:
        self.pbx = pbx
        self.connections: set[Connection] = set()
        self._unsubscribe = pbx.subscribe(self.on_happening)

    def close(self) -> None:
        self._unsubscribe()

    def connect(self, app: str, subscribe_all: bool) -> Connection:
        conn = Connection(app, subscribe_all)
        result = self.pbx.apps.connect(app, subscribe_all, conn)
        old = result.replaced
        if isinstance(old, Connection) and old is not conn:
            body = {
                "type": "ApplicationReplaced",
                "timestamp": self.pbx.clock.iso(),
                "application": app,
                "asterisk_id": self.pbx.entity_id,
            }
            old.send(_dumps(body))
            old.replaced = True
        self.connections.add(conn)
        return conn

    def disconnect(self, conn: Connection) -> None:
        self.connections.discard(conn)
        self.pbx.apps.disconnect(conn.app, conn)

    def on_happening(self, hap: h.Happening) -> None:
        apps = [a for a in self.pbx.apps.apps.values() if isinstance(a.client, Connection)]
        if not apps:
            return
        body: dict[str, Any] | None = None
        for app in apps:
            if not _interested(app, hap):
                continue
            if body is None:
                body = render.event(self.pbx.clock, hap, self.pbx.entity_id)
                if body is None:
                    return
            body["application"] = app.name
            text = _dumps(body)
            conn = app.client
            assert isinstance(conn, Connection)
            conn.send(text)
            duplicate = (
                app.subscribe_all
                and isinstance(hap, h.PlaybackStarted | h.PlaybackFinished)
                and hap.playback.target_uri.startswith("bridge:")
            )
            if duplicate:
                conn.send(text)
