"""Typed ARI resources (the ``models`` of Asterisk's rest-api/api-docs/*.json).

Field names are ARI's own. Required fields are those every recorded Asterisk 22 body carries;
optional ones default to ``None``. Every model is frozen and keeps undeclared fields in
``model_extra`` (see :class:`ari._types.AriModel`).
"""

from __future__ import annotations

from typing import Any

from ari._types import AriModel, AriTime

__all__ = [
    "Application",
    "AsteriskInfo",
    "AsteriskPing",
    "Bridge",
    "BuildInfo",
    "CallerID",
    "Channel",
    "ConfigInfo",
    "ContactInfo",
    "DeviceState",
    "DialplanCEP",
    "Endpoint",
    "FormatLangPair",
    "LiveRecording",
    "Module",
    "Peer",
    "Playback",
    "ReferTo",
    "ReferredBy",
    "RequiredDestination",
    "SetId",
    "Sound",
    "StatusInfo",
    "SystemInfo",
    "Variable",
]


class CallerID(AriModel):
    """A caller id: display name and number (``caller`` / ``connected`` of a channel)."""

    name: str
    number: str


class DialplanCEP(AriModel):
    """Where a channel is in the dialplan: context, extension, priority and current app."""

    context: str
    exten: str
    priority: int
    app_name: str = ""
    app_data: str = ""


class Channel(AriModel):
    """A channel snapshot. ``state`` is ARI's text: Down, Rsrvd, OffHook, Dialing, Ring,
    Ringing, Up, Busy, Dialing Offhook, Pre-ring, Unknown."""

    id: str
    name: str
    state: str
    caller: CallerID
    connected: CallerID
    accountcode: str
    dialplan: DialplanCEP
    creationtime: AriTime
    language: str
    protocol_id: str = ""
    channelvars: dict[str, Any] | None = None
    caller_rdnis: str | None = None
    tenantid: str | None = None


class Bridge(AriModel):
    """A bridge snapshot; ``channels`` are the ids of the channels in it."""

    id: str
    technology: str
    bridge_type: str
    bridge_class: str
    creator: str
    name: str
    channels: tuple[str, ...]
    creationtime: AriTime
    video_mode: str | None = None
    video_source_id: str | None = None


class Endpoint(AriModel):
    """An endpoint (``PJSIP/hn-01``); ``state`` is online / offline / unknown."""

    technology: str
    resource: str
    channel_ids: tuple[str, ...]
    state: str | None = None


class Playback(AriModel):
    """A playback; ``state`` is queued / playing / continuing / done / failed."""

    id: str
    media_uri: str
    target_uri: str
    language: str
    state: str
    next_media_uri: str | None = None


class LiveRecording(AriModel):
    """A live recording (``POST /channels/{id}/record``)."""

    name: str
    format: str
    target_uri: str
    state: str
    duration: int | None = None
    talking_duration: int | None = None
    silence_duration: int | None = None
    cause: str | None = None


class Variable(AriModel):
    """The value of a channel or global variable."""

    value: str


class DeviceState(AriModel):
    """A device state (``PJSIP/hn-01`` NOT_INUSE, INUSE, RINGING, UNAVAILABLE, ...)."""

    name: str
    state: str


class Application(AriModel):
    """A Stasis application and what it subscribes to. With subscribeAll the id lists hold
    ``__AST_CHANNEL_ALL_TOPIC`` and friends; without it they list explicit subscriptions."""

    name: str
    channel_ids: tuple[str, ...]
    bridge_ids: tuple[str, ...]
    endpoint_ids: tuple[str, ...]
    device_names: tuple[str, ...]
    events_allowed: tuple[dict[str, Any], ...] = ()
    events_disallowed: tuple[dict[str, Any], ...] = ()

    @property
    def subscribed_to_all(self) -> bool:
        """True when the app has the global (subscribeAll) channel subscription."""
        return "__AST_CHANNEL_ALL_TOPIC" in self.channel_ids

    def explicit_event_sources(self) -> list[str]:
        """The explicit subscriptions as ``eventSource`` strings (``endpoint:PJSIP/hn-03``)."""
        sources: list[str] = []
        for prefix, ids in (
            ("channel", self.channel_ids),
            ("bridge", self.bridge_ids),
            ("endpoint", self.endpoint_ids),
            ("deviceState", self.device_names),
        ):
            sources.extend(f"{prefix}:{i}" for i in ids if not i.startswith("__AST_"))
        return sources


class BuildInfo(AriModel):
    os: str
    kernel: str
    options: str
    machine: str
    date: str
    user: str


class SystemInfo(AriModel):
    version: str
    entity_id: str


class SetId(AriModel):
    user: str
    group: str


class ConfigInfo(AriModel):
    name: str
    default_language: str
    setid: SetId
    max_channels: int | None = None
    max_open_files: int | None = None
    max_load: float | None = None


class StatusInfo(AriModel):
    startup_time: AriTime
    last_reload_time: AriTime


class AsteriskInfo(AriModel):
    """``GET /asterisk/info``; ``system.entity_id`` is the ``asterisk_id`` of events."""

    build: BuildInfo | None = None
    system: SystemInfo | None = None
    config: ConfigInfo | None = None
    status: StatusInfo | None = None


class AsteriskPing(AriModel):
    asterisk_id: str
    ping: str
    timestamp: AriTime


class Module(AriModel):
    name: str
    description: str
    use_count: int
    status: str
    support_level: str


class FormatLangPair(AriModel):
    language: str
    format: str


class Sound(AriModel):
    id: str
    formats: tuple[FormatLangPair, ...]
    text: str | None = None


class ContactInfo(AriModel):
    """A PJSIP contact in ContactStatusChange (Reachable, Unreachable, NonQualified, Removed)."""

    uri: str
    contact_status: str
    aor: str
    roundtrip_usec: str | None = None


class Peer(AriModel):
    """A peer in PeerStatusChange (Reachable / Unreachable)."""

    peer_status: str
    cause: str | None = None
    address: str | None = None
    port: str | None = None
    time: str | None = None


class RequiredDestination(AriModel):
    protocol_id: str | None = None
    destination: str | None = None
    additional_protocol_params: tuple[dict[str, Any], ...] | None = None


class ReferTo(AriModel):
    """Where a phone's REFER wants the call to go (ChannelTransfer)."""

    requested_destination: RequiredDestination
    destination_bridge: str | None = None
    connected_channel: Channel | None = None
    bridge: Bridge | None = None


class ReferredBy(AriModel):
    """Who sent the REFER (ChannelTransfer): the phone's leg, its peer and their bridge."""

    source_channel: Channel
    connected_channel: Channel | None = None
    bridge: Bridge | None = None
