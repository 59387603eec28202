"""Exceptions raised by the ARI client.

Every HTTP error status of ARI becomes an :class:`AriHttpError` subclass carrying Asterisk's own
message (``{"message": ...}``; a few failures such as originate's 500 use ``{"error": ...}``).
404s are further split by the resource Asterisk could not find, so a caller can ignore exactly
"the channel already hung up" (``except ChannelNotFound``) and nothing else.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = [
    "ApplicationNotFound",
    "AriBadRequest",
    "AriConflict",
    "AriConnectionError",
    "AriError",
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
    "DeviceStateNotFound",
    "EndpointNotFound",
    "PlaybackNotFound",
    "RecordingNotFound",
    "error_from_response",
]


class AriError(Exception):
    """Base of every error of the ARI client."""


class AriConnectionError(AriError):
    """Asterisk could not be reached (refused, timed out, connection dropped mid-request)."""


class AriProtocolError(AriError):
    """Asterisk answered with a body that does not fit the ARI resource model."""


class AriHttpError(AriError):
    """ARI answered with an error status. ``message`` is Asterisk's text."""

    status: int = 0

    def __init__(
        self, status: int, message: str, *, method: str = "", path: str = "", body: Any = None
    ) -> None:
        super().__init__(f"{method} {path} -> {status}: {message}".strip())
        self.status = status
        self.message = message
        self.method = method
        self.path = path
        self.body = body


class AriBadRequest(AriHttpError):
    """400: invalid or missing parameters."""


class AriUnauthorized(AriHttpError):
    """401: wrong ARI user or password (``Authentication required``)."""


class AriForbidden(AriHttpError):
    """403."""


class AriNotFound(AriHttpError):
    """404: the resource does not exist (any more)."""


class ChannelNotFound(AriNotFound):
    """404 ``Channel not found``: usually a channel that has just hung up. Expected; ignorable."""


class BridgeNotFound(AriNotFound):
    """404 ``Bridge not found``."""


class PlaybackNotFound(AriNotFound):
    """404 ``Playback not found``: the playback already finished."""


class ApplicationNotFound(AriNotFound):
    """404 ``Application not found``: with subscribeAll the app vanishes with its WebSocket."""


class EndpointNotFound(AriNotFound):
    """404 ``Endpoint not found``."""


class DeviceStateNotFound(AriNotFound):
    """404 on a device state."""


class RecordingNotFound(AriNotFound):
    """404 on a recording."""


class AriConflict(AriHttpError):
    """409: e.g. ``Channel not in a Stasis application``."""


class AriUnprocessable(AriHttpError):
    """422: e.g. ``Endpoint technology 'SIP' does not match channel technology 'PJSIP'``."""


class AriServerError(AriHttpError):
    """500 (e.g. ``Allocation failed`` for an originate to an unknown endpoint) and other 5xx."""


class AriUnavailable(AriServerError):
    """503: ``Asterisk not booted`` right after a restart; retry shortly."""


_BY_STATUS: dict[int, type[AriHttpError]] = {
    400: AriBadRequest,
    401: AriUnauthorized,
    403: AriForbidden,
    404: AriNotFound,
    409: AriConflict,
    422: AriUnprocessable,
    500: AriServerError,
    503: AriUnavailable,
}

_NOT_FOUND_BY_WORD: dict[str, type[AriNotFound]] = {
    "channel": ChannelNotFound,
    "bridge": BridgeNotFound,
    "playback": PlaybackNotFound,
    "application": ApplicationNotFound,
    "endpoint": EndpointNotFound,
    "device": DeviceStateNotFound,
    "recording": RecordingNotFound,
}

_NOT_FOUND_BY_PATH: dict[str, type[AriNotFound]] = {
    "channels": ChannelNotFound,
    "bridges": BridgeNotFound,
    "playbacks": PlaybackNotFound,
    "applications": ApplicationNotFound,
    "endpoints": EndpointNotFound,
    "deviceStates": DeviceStateNotFound,
    "recordings": RecordingNotFound,
}


def _message(body: Any, text: str) -> str:
    if isinstance(body, dict):
        for key in ("message", "error"):
            value = body.get(key)
            if isinstance(value, str):
                return value
    return text.strip()[:300] or "(no message)"


def _not_found_class(message: str, path: str) -> type[AriNotFound]:
    first_word = message.split(" ", 1)[0].lower()
    if first_word in _NOT_FOUND_BY_WORD and "not found" in message.lower():
        return _NOT_FOUND_BY_WORD[first_word]
    parts = [p for p in path.split("/") if p]
    if parts and parts[0] == "ari":
        parts = parts[1:]
    if len(parts) >= 2 and parts[0] in _NOT_FOUND_BY_PATH:
        return _NOT_FOUND_BY_PATH[parts[0]]
    return AriNotFound


def error_from_response(
    status: int, text: str, *, method: str = "", path: str = ""
) -> AriHttpError:
    """The typed exception for an ARI error response (status and raw body text)."""
    try:
        body: Any = json.loads(text) if text else None
    except ValueError:
        body = None
    message = _message(body, text)
    cls: type[AriHttpError]
    if status == 404:
        cls = _not_found_class(message, path)
    elif status in _BY_STATUS:
        cls = _BY_STATUS[status]
    elif status >= 500:
        cls = AriServerError
    else:
        cls = AriHttpError
    return cls(status, message, method=method, path=path, body=body)
