"""Typed ARI events (Asterisk's rest-api/api-docs/events.json), one model per ``type``.

Every event carries ``asterisk_id`` (the Asterisk node's entity id) and ``application`` (the
Stasis app it was delivered to), so a consumer talking to several Asterisk nodes knows where each
one came from. :func:`parse_event` turns one WebSocket frame into the model registered for its
``type``; a type with no model becomes :class:`UnknownEvent` (never an exception).
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any, Literal

from pydantic import ValidationError

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

log = logging.getLogger(__name__)


class MalformedFrameError(ValueError):
    """A WebSocket frame that is not a JSON object with a string ``type``."""


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


def _registry() -> dict[str, type[AriEvent]]:
    found: dict[str, type[AriEvent]] = {}
    pending: list[type[AriEvent]] = [AriEvent]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        annotation = cls.model_fields["type"].annotation
        args: tuple[object, ...] = tuple(getattr(annotation, "__args__", ()))
        if len(args) == 1 and isinstance(args[0], str):
            found[args[0]] = cls
    return dict(sorted(found.items()))


EVENT_MODELS: dict[str, type[AriEvent]] = _registry()
"""``type`` -> model, for every event type this client knows."""


def parse_event_data(data: dict[str, Any]) -> AriEvent:
    """Build the typed event for a decoded frame. Unknown ``type`` -> :class:`UnknownEvent`;
    a known type whose body does not fit its model is logged and also returned as
    :class:`UnknownEvent` (with every field kept), never raised."""
    kind = data.get("type")
    if not isinstance(kind, str):
        raise MalformedFrameError("ARI event without a string 'type'")
    model = EVENT_MODELS.get(kind)
    if model is not None:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            log.warning("ARI %s event does not fit its model, kept as UnknownEvent: %s", kind, exc)
    try:
        return UnknownEvent.model_validate(data)
    except ValidationError as exc:
        raise MalformedFrameError(f"ARI {kind} event lacks base fields: {exc}") from exc


_TYPE = re.compile(r'"type"\s*:\s*"([A-Za-z]+)"')


def parse_event(frame: str | bytes) -> AriEvent:
    """Parse one WebSocket text frame. Raises :class:`MalformedFrameError` for anything that is
    not a JSON object with a string ``type`` and an ``application``.

    Fast path: the frame is validated straight from JSON by the model its ``"type"`` names
    (half the CPU of decoding first); any doubt falls back to the general path."""
    try:
        text = frame if isinstance(frame, str) else frame.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedFrameError(f"not UTF-8: {exc}") from exc
    found = _TYPE.search(text)
    model = EVENT_MODELS.get(found[1]) if found else None
    if model is not None:
        try:
            return model.model_validate_json(text)
        except ValidationError:
            pass  # not JSON, wrong top-level type, or a body that does not fit: decide below
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise MalformedFrameError(f"not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise MalformedFrameError("ARI frame is not a JSON object")
    return parse_event_data(data)


def is_fallback(event: AriEvent) -> bool:
    """True if ``event`` is the generic model (unknown type, or a body that did not fit)."""
    return type(event) is UnknownEvent


def channel_ids(event: AriEvent) -> tuple[str, ...]:
    """Ids of the channels an event is about (``channel``, Dial's ``peer``/``caller``/
    ``forwarded``, ``replace_channel``, a transfer's legs), for filtering: with subscribeAll the
    app receives events of every channel in the system (fact 18)."""
    found: list[str] = []
    for name in ("channel", "peer", "caller", "forwarded", "replace_channel"):
        value = getattr(event, name, None)
        if isinstance(value, Channel):
            found.append(value.id)
    if isinstance(event, ChannelTransfer):
        for leg in (
            event.referred_by.source_channel,
            event.referred_by.connected_channel,
            event.refer_to.connected_channel,
        ):
            if leg is not None:
                found.append(leg.id)
    return tuple(dict.fromkeys(found))
