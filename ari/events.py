"""Typed ARI events (Asterisk's rest-api/api-docs/events.json), one model per ``type``.

Every event carries ``asterisk_id`` (the Asterisk node's entity id) and ``application`` (the
Stasis app it was delivered to), so a consumer talking to several Asterisk nodes knows where each
one came from. :mod:`ari.parsing` turns WebSocket frames into these models.
"""

from __future__ import annotations

from typing import Any, Literal

from ari._types import AriModel, AriTime
from ari.models import (
    Bridge,
    Channel,
    ContactInfo,
    DeviceState,
    Endpoint,
    LiveRecording,
    Peer,
    Playback,
    ReferredBy,
    ReferTo,
)


class AriEvent(AriModel):
    """Base of every ARI event."""

    type: str
    application: str
    timestamp: AriTime | None = None
    asterisk_id: str | None = None


class UnknownEvent(AriEvent):
    """An event whose ``type`` has no model here (or whose body did not fit its model).
    All of its fields are kept in ``model_extra``."""


class ChannelEvent(AriEvent):
    """An event about one channel."""

    channel: Channel


class StasisStart(ChannelEvent):
    type: Literal["StasisStart"]
    args: tuple[str, ...]
    replace_channel: Channel | None = None


class StasisEnd(ChannelEvent):
    type: Literal["StasisEnd"]


class ChannelCreated(ChannelEvent):
    type: Literal["ChannelCreated"]


class ChannelDestroyed(ChannelEvent):
    """``cause`` 16 normal, 17 busy, 19 no answer, 23 redirected, ...; ``tech_cause`` is the SIP
    status (486, 480, 302) when there was one."""

    type: Literal["ChannelDestroyed"]
    cause: int
    cause_txt: str
    tech_cause: int | None = None


class ChannelStateChange(ChannelEvent):
    type: Literal["ChannelStateChange"]


class ChannelDialplan(ChannelEvent):
    type: Literal["ChannelDialplan"]
    dialplan_app: str
    dialplan_app_data: str


class ChannelVarset(AriEvent):
    """A variable set on a channel, or a global variable (then ``channel`` is None)."""

    type: Literal["ChannelVarset"]
    variable: str
    value: str
    channel: Channel | None = None


class ChannelCallerId(ChannelEvent):
    type: Literal["ChannelCallerId"]
    caller_presentation: int
    caller_presentation_txt: str


class ChannelConnectedLine(ChannelEvent):
    type: Literal["ChannelConnectedLine"]


class ChannelHangupRequest(ChannelEvent):
    """A remote BYE has neither ``cause`` nor ``soft``; an app DELETE gives cause 32, soft."""

    type: Literal["ChannelHangupRequest"]
    cause: int | None = None
    soft: bool | None = None
    tech_cause: int | None = None


class ChannelDtmfReceived(ChannelEvent):
    type: Literal["ChannelDtmfReceived"]
    digit: str
    duration_ms: int


class ChannelEnteredBridge(AriEvent):
    type: Literal["ChannelEnteredBridge"]
    bridge: Bridge
    channel: Channel | None = None


class ChannelLeftBridge(ChannelEvent):
    type: Literal["ChannelLeftBridge"]
    bridge: Bridge


class ChannelHold(ChannelEvent):
    type: Literal["ChannelHold"]
    musicclass: str | None = None


class ChannelUnhold(ChannelEvent):
    type: Literal["ChannelUnhold"]


class ChannelTalkingStarted(ChannelEvent):
    type: Literal["ChannelTalkingStarted"]


class ChannelTalkingFinished(ChannelEvent):
    type: Literal["ChannelTalkingFinished"]
    duration: int


class ChannelToneDetected(ChannelEvent):
    type: Literal["ChannelToneDetected"]


class ChannelUserevent(AriEvent):
    type: Literal["ChannelUserevent"]
    eventname: str
    userevent: dict[str, Any]
    channel: Channel | None = None
    bridge: Bridge | None = None
    endpoint: Endpoint | None = None


class ChannelTransfer(AriEvent):
    """A phone's REFER handed to the app (``PJSIP_TRANSFER_HANDLING()=ari-only``). The first
    one has no ``state``; each ``transfer_progress`` gives another with the posted state."""

    type: Literal["ChannelTransfer"]
    refer_to: ReferTo
    referred_by: ReferredBy
    state: str | None = None


class Dial(AriEvent):
    """Dialling progress of ``peer``: ``dialstatus`` "" (begin), RINGING, ANSWER, BUSY, CANCEL,
    NOANSWER, ... A timed-out originate gives no final Dial (see ChannelDestroyed)."""

    type: Literal["Dial"]
    peer: Channel
    dialstatus: str
    caller: Channel | None = None
    forward: str | None = None
    forwarded: Channel | None = None
    dialstring: str | None = None


class PlaybackEvent(AriEvent):
    playback: Playback


class PlaybackStarted(PlaybackEvent):
    type: Literal["PlaybackStarted"]


class PlaybackContinuing(PlaybackEvent):
    type: Literal["PlaybackContinuing"]


class PlaybackFinished(PlaybackEvent):
    type: Literal["PlaybackFinished"]


class RecordingEvent(AriEvent):
    recording: LiveRecording


class RecordingStarted(RecordingEvent):
    type: Literal["RecordingStarted"]


class RecordingFinished(RecordingEvent):
    type: Literal["RecordingFinished"]


class RecordingFailed(RecordingEvent):
    type: Literal["RecordingFailed"]


class EndpointStateChange(AriEvent):
    type: Literal["EndpointStateChange"]
    endpoint: Endpoint


class ContactStatusChange(AriEvent):
    type: Literal["ContactStatusChange"]
    endpoint: Endpoint
    contact_info: ContactInfo


class PeerStatusChange(AriEvent):
    type: Literal["PeerStatusChange"]
    endpoint: Endpoint
    peer: Peer


class DeviceStateChanged(AriEvent):
    type: Literal["DeviceStateChanged"]
    device_state: DeviceState


class BridgeCreated(AriEvent):
    type: Literal["BridgeCreated"]
    bridge: Bridge


class BridgeDestroyed(AriEvent):
    type: Literal["BridgeDestroyed"]
    bridge: Bridge


class BridgeMerged(AriEvent):
    type: Literal["BridgeMerged"]
    bridge: Bridge
    bridge_from: Bridge


class BridgeVideoSourceChanged(AriEvent):
    type: Literal["BridgeVideoSourceChanged"]
    bridge: Bridge
    old_video_source_id: str | None = None


class BridgeBlindTransfer(AriEvent):
    type: Literal["BridgeBlindTransfer"]
    channel: Channel
    exten: str
    context: str
    result: str
    is_external: bool
    replace_channel: Channel | None = None
    transferee: Channel | None = None
    bridge: Bridge | None = None


class BridgeAttendedTransfer(AriEvent):
    type: Literal["BridgeAttendedTransfer"]
    transferer_first_leg: Channel
    transferer_second_leg: Channel
    destination_type: str
    result: str
    is_external: bool


class ApplicationReplaced(AriEvent):
    """Another WebSocket took this app name over; this connection receives nothing more."""

    type: Literal["ApplicationReplaced"]


class ApplicationMoveFailed(ChannelEvent):
    type: Literal["ApplicationMoveFailed"]
    destination: str
    args: tuple[str, ...]


class TextMessageReceived(AriEvent):
    type: Literal["TextMessageReceived"]
    message: dict[str, Any]
    endpoint: Endpoint | None = None
