"""How REST requests reach Asterisk: one shared ``httpx.AsyncClient`` per node, keep-alive.

The client is always ``httpx`` (its API, timeouts, errors and test transports); what moves the
bytes is a transport chosen by ``AriConfig.rest_transport``:

* ``"aiohttp"`` (the default): ``httpx_aiohttp.AiohttpTransport``, the aiohttp connection pool
  under the httpx client (the transport the OpenAI SDK ships for the same reason). On a loaded
  2-CPU machine a round trip costs ~0.4 ms of CPU this way against ~1.3-2.9 ms with httpx's own
  pool (benchmarks/README.md, "The whole call flow"): httpcore's pool polls every pooled
  connection's socket and rebuilds anyio's socket attributes (a ``getpeername`` system call) on
  each request, and the call flow makes ~15 requests per call.
* ``"httpcore"``: httpx's own transport (httpcore).

A caller may pass its own ``httpx.AsyncClient`` or transport (``httpx.MockTransport`` and the
recorded replays in the unit tests). Every failure to reach Asterisk or to get its answer in
time becomes :class:`~ari.errors.AriConnectionError`; the rest is :mod:`ari.http`'s.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport

from ari.config import AriConfig
from ari.errors import AriConnectionError

#: Idle connections are dropped before Asterisk's own ``session_keep_alive`` (15 s by default)
#: closes them, so a request rarely meets a connection the server is closing.
KEEPALIVE_S = 10.0


def _transport(config: AriConfig, limits: httpx.Limits) -> httpx.AsyncBaseTransport:
    if config.rest_transport == "httpcore":
        return httpx.AsyncHTTPTransport(limits=limits)
    return AiohttpTransport(limits=limits)


class RestEngine:
    """One shared ``httpx.AsyncClient`` (the caller's, or one of our own)."""

    def __init__(
        self,
        config: AriConfig,
        client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._config = config
        self._owns_client = client is None
        limits = httpx.Limits(
            max_connections=config.max_connections,
            max_keepalive_connections=config.max_connections,
            keepalive_expiry=KEEPALIVE_S,
        )
        self.client = client or httpx.AsyncClient(
            base_url=config.rest_base,
            timeout=httpx.Timeout(config.request_timeout, connect=config.connect_timeout),
            # basic auth as a fixed header: cheaper than httpx's per-request auth flow
            headers={"Accept": "application/json", "Authorization": config.basic_auth_header()},
            transport=transport or _transport(config, limits),
        )

    async def send(
        self, method: str, path: str, params: Mapping[str, str], body: Mapping[str, Any] | None
    ) -> tuple[int, bytes]:
        try:
            response = await self.client.request(method, path, params=params, json=body)
        except (httpx.TransportError, aiohttp.ClientError, TimeoutError) as exc:
            # httpx_aiohttp maps aiohttp's errors to httpx's; the others are caught all the same
            raise AriConnectionError(
                f"ARI {self._config.node} {method} {path}: {type(exc).__name__}: {exc}"
            ) from exc
        return response.status_code, response.content

    async def aclose(self) -> None:
        if self._owns_client:
            await self.client.aclose()
