"""Connection settings of one ARI client. One client (and one config) per Asterisk node."""

from __future__ import annotations

import base64
from typing import Literal
from urllib.parse import urlencode, urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator


class AriConfig(BaseModel):
    """Where and how to reach one Asterisk's ARI.

    ``url`` is the HTTP server of Asterisk (``http://127.0.0.1:8088``); REST lives under
    ``/ari`` and events under ``/ari/events``. ``node`` is a label for logs and for a
    multi-Asterisk deployment (the events' own ``asterisk_id`` identifies the node too).
    """

    model_config = ConfigDict(frozen=True)

    url: str = "http://127.0.0.1:8088"
    username: str
    password: SecretStr
    app: str
    node: str = "asterisk"
    subscribe_all: bool = True
    ws_auth: Literal["basic", "api_key"] = "basic"
    # REST
    connect_timeout: float = Field(default=3.0, gt=0)
    request_timeout: float = Field(default=10.0, gt=0)
    max_connections: int = Field(default=100, ge=1)
    rest_transport: Literal["aiohttp", "httpcore"] = "aiohttp"  # under httpx: see ari.transport
    # events
    open_timeout: float = Field(default=5.0, gt=0)
    ping_interval: float | None = Field(default=10.0, gt=0)
    ping_timeout: float | None = Field(default=10.0, gt=0)
    backoff_initial: float = Field(default=0.2, gt=0)
    backoff_max: float = Field(default=10.0, gt=0)
    backoff_factor: float = Field(default=2.0, ge=1)
    backoff_jitter: float = Field(default=0.5, ge=0, le=1)
    queue_size: int = Field(default=10_000, ge=1)
    dedupe_window: int = Field(default=0, ge=0)
    # None: every event is parsed. A set of ``type`` names: frames of other types (with
    # subscribeAll, most of them: ChannelVarset, ChannelDialplan, ...) are dropped before any
    # JSON decoding and counted in ``stats.skipped``; ApplicationReplaced is always kept.
    event_types: frozenset[str] | None = None
    repair_stale_subscriptions: bool = True

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(
                "ARI url must look like http://host:8088 / "
                f"địa chỉ ARI phải có dạng http://host:8088: {value!r}"
            )
        return value.rstrip("/")

    @property
    def rest_base(self) -> str:
        """Base URL of the REST API, e.g. ``http://127.0.0.1:8088/ari``."""
        return f"{self.url}/ari"

    def basic_auth_header(self) -> str:
        token = f"{self.username}:{self.password.get_secret_value()}".encode()
        return "Basic " + base64.b64encode(token).decode("ascii")

    def events_url(self) -> str:
        """The WebSocket URL of ``/ari/events`` for this app (with ``api_key`` if so configured)."""
        parts = urlsplit(self.url)
        scheme = "wss" if parts.scheme == "https" else "ws"
        query: dict[str, str] = {"app": self.app}
        if self.subscribe_all:
            query["subscribeAll"] = "true"
        if self.ws_auth == "api_key":
            query["api_key"] = f"{self.username}:{self.password.get_secret_value()}"
        path = parts.path.rstrip("/") + "/ari/events"
        return urlunsplit((scheme, parts.netloc, path, urlencode(query, safe=":/"), ""))

    def redacted_events_url(self) -> str:
        return self.events_url().replace(self.password.get_secret_value(), "***")
