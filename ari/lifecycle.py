"""Client-side events of the event stream itself (not sent by Asterisk).

They are yielded in order with the ARI events, so a consumer sees exactly where a connection
ended and a new one began: after :class:`StreamDisconnected`, events of the gap are lost for good
(Asterisk replays nothing, recordings-2 fact 4) and live state must be rebuilt from REST.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict


class StreamEvent(BaseModel):
    model_config = ConfigDict(frozen=True)

    node: str
    application: str


class StreamConnected(StreamEvent):
    """The WebSocket is open and the app registered. ``connection`` counts from 1;
    ``reconnect`` is False only for the first; ``failed_attempts`` since the last connection."""

    kind: Literal["connected"] = "connected"
    connection: int
    reconnect: bool
    failed_attempts: int
    downtime_s: float | None = None


class StreamDisconnected(StreamEvent):
    """The WebSocket closed. ``close_code`` 1006 = no close frame (RST, or FIN as in a restart)."""

    kind: Literal["disconnected"] = "disconnected"
    connection: int
    reason: str
    close_code: int | None = None


class StreamStopped(StreamEvent):
    """The stream ended: ``closed`` by the owner, or ``application_replaced`` (another client
    took the app name; this client does not reconnect, to avoid a take-over loop)."""

    kind: Literal["stopped"] = "stopped"
    reason: Literal["closed", "application_replaced"]
