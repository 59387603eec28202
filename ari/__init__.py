"""Typed async client for the Asterisk REST Interface (ARI).

One :class:`AriClient` per Asterisk node: REST resources (``channels``, ``bridges``,
``endpoints``, ``playbacks``, ``applications``, ``asterisk``, ``device_states``, ``sounds``) over
one shared ``httpx.AsyncClient``, and :meth:`AriClient.event_stream` for typed events over the
``/ari/events`` WebSocket with reconnection. See docs/ari.md.
"""

from ari.client import AriClient
from ari.config import AriConfig
from ari.dedup import Deduplicator, event_key
from ari.errors import (
    ApplicationNotFound,
    AriBadRequest,
    AriConflict,
    AriConnectionError,
    AriError,
    AriForbidden,
    AriHttpError,
    AriNotFound,
    AriProtocolError,
    AriServerError,
    AriUnauthorized,
    AriUnavailable,
    AriUnprocessable,
    BridgeNotFound,
    ChannelNotFound,
    DeviceStateNotFound,
    EndpointNotFound,
    PlaybackNotFound,
    RecordingNotFound,
)
from ari.events import AriEvent, UnknownEvent
from ari.lifecycle import StreamConnected, StreamDisconnected, StreamEvent, StreamStopped
from ari.parsing import EVENT_MODELS, MalformedFrameError, channel_ids, parse_event
from ari.stream import EventStream, StreamItem, StreamStats

__all__ = [
    "EVENT_MODELS",
    "ApplicationNotFound",
    "AriBadRequest",
    "AriClient",
    "AriConfig",
    "AriConflict",
    "AriConnectionError",
    "AriError",
    "AriEvent",
    "AriForbidden",
    "AriHttpError",
    "AriNotFound",
    "AriProtocolError",
    "AriServerError",
    "AriUnauthorized",
    "AriUnavailable",
    "AriUnprocessable",
    "BridgeNotFound",
    "ChannelNotFound",
    "Deduplicator",
    "DeviceStateNotFound",
    "EndpointNotFound",
    "EventStream",
    "MalformedFrameError",
    "PlaybackNotFound",
    "RecordingNotFound",
    "StreamConnected",
    "StreamDisconnected",
    "StreamEvent",
    "StreamItem",
    "StreamStats",
    "StreamStopped",
    "UnknownEvent",
    "channel_ids",
    "event_key",
    "parse_event",
]
