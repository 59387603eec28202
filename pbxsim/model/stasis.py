"""ARI applications as Asterisk's res_stasis keeps them: who is connected, who is subscribed.

Rules (recordings-2 facts 1-10):
- an application exists while a WebSocket client is connected for it, or while it holds
  explicit subscriptions (channels, bridges, endpoints, device states);
- with ``subscribeAll`` the application is global and disappears when its client goes, even with
  channels still in Stasis; without it, the channels in Stasis keep it alive;
- ``Stasis()`` in the dialplan only succeeds when a client is connected;
- a client connecting to an application that already exists keeps its subscription model (a
  ``subscribeAll`` client to a leftover explicit application receives only what the leftovers
  cover);
- a second client for the same name takes over; the old one gets ``ApplicationReplaced``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class StasisApp:
    name: str
    subscribe_all: bool
    client: object | None = None
    channel_ids: set[str] = field(default_factory=set)
    bridge_ids: set[str] = field(default_factory=set)
    endpoint_ids: set[str] = field(default_factory=set)  # "PJSIP/hn-03"
    device_names: set[str] = field(default_factory=set)

    @property
    def has_subscriptions(self) -> bool:
        return bool(self.channel_ids or self.bridge_ids or self.endpoint_ids or self.device_names)


@dataclass(frozen=True, slots=True)
class Connected:
    app: StasisApp
    replaced: object | None  # the previous client's token, to be told ApplicationReplaced


class StasisRegistry:
    def __init__(self) -> None:
        self.apps: dict[str, StasisApp] = {}

    def connect(self, name: str, subscribe_all: bool, token: object) -> Connected:
        app = self.apps.get(name)
        if app is None:
            app = StasisApp(name=name, subscribe_all=subscribe_all)
            self.apps[name] = app
        replaced = app.client
        app.client = token
        return Connected(app=app, replaced=replaced)

    def disconnect(self, name: str, token: object) -> None:
        app = self.apps.get(name)
        if app is None or app.client is not token:
            return
        app.client = None
        self._reap(app)

    def _reap(self, app: StasisApp) -> None:
        if app.client is None and (app.subscribe_all or not app.has_subscriptions):
            self.apps.pop(app.name, None)

    def can_enter(self, name: str) -> bool:
        app = self.apps.get(name)
        return app is not None and app.client is not None

    def get(self, name: str) -> StasisApp | None:
        return self.apps.get(name)

    def add_channel(self, name: str, channel_id: str) -> None:
        app = self.apps.get(name)
        if app is not None and not app.subscribe_all:
            app.channel_ids.add(channel_id)

    def remove_channel(self, channel_id: str) -> None:
        for app in list(self.apps.values()):
            if channel_id in app.channel_ids:
                app.channel_ids.discard(channel_id)
                self._reap(app)

    def remove_bridge(self, bridge_id: str) -> None:
        for app in list(self.apps.values()):
            if bridge_id in app.bridge_ids:
                app.bridge_ids.discard(bridge_id)
                self._reap(app)

    def subscribe(self, name: str, source: str) -> StasisApp:
        """``source`` as in ARI: channel:<id>, bridge:<id>, endpoint:<tech>/<res>,
        deviceState:<name>. Raises KeyError for an unknown app, ValueError for a bad source."""
        app = self.apps[name]
        kind, _, ident = source.partition(":")
        if not ident:
            raise ValueError(source)
        if kind == "channel":
            app.channel_ids.add(ident)
        elif kind == "bridge":
            app.bridge_ids.add(ident)
        elif kind == "endpoint":
            app.endpoint_ids.add(ident)
        elif kind == "deviceState":
            app.device_names.add(ident)
        else:
            raise ValueError(source)
        return app

    def unsubscribe(self, name: str, source: str) -> StasisApp:
        app = self.apps[name]
        kind, _, ident = source.partition(":")
        target = {
            "channel": app.channel_ids,
            "bridge": app.bridge_ids,
            "endpoint": app.endpoint_ids,
            "deviceState": app.device_names,
        }.get(kind)
        if target is None or not ident:
            raise ValueError(source)
        target.discard(ident)
        self._reap(app)
        return app

    def clear(self) -> None:
        self.apps.clear()
