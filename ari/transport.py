"""How REST requests reach Asterisk: one HTTP/1.1 keep-alive pool per node, two engines.

* :class:`AiohttpEngine` (the default): ``aiohttp``'s client. On a loaded 2-CPU machine it
  costs ~0.2 ms of CPU per round trip against ~1.3 ms for ``httpx`` (benchmarks/README.md, "The
  whole call flow"): ``httpx``/``httpcore`` polls every pooled connection's socket and rebuilds
  anyio's socket attributes (a ``getpeername`` system call) on each request, and the call flow
  makes ~15 requests per call.
* :class:`HttpxEngine`: ``httpx``, when the caller supplies an ``httpx.AsyncClient`` or
  transport (``httpx.MockTransport`` / recorded replays in the unit tests), or when
  ``AriConfig.rest_client`` says ``"httpx"``.

Both return ``(status, body bytes)`` and raise :class:`~ari.errors.AriConnectionError` when
Asterisk cannot be reached or does not answer in time; everything else is :mod:`ari.http`'s.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import aiohttp
import httpx
from yarl import URL

from ari.config import AriConfig
from ari.errors import AriConnectionError

#: Idle connections are dropped before Asterisk's own ``session_keep_alive`` (15 s by default)
#: closes them, so a request rarely meets a connection the server is closing.
KEEPALIVE_S = 10.0


class RestEngine(Protocol):
    async def send(
        self, method: str, path: str, params: Mapping[str, str], body: Mapping[str, Any] | None
    ) -> tuple[int, bytes]: ...

    async def aclose(self) -> None: ...


def _headers(config: AriConfig) -> dict[str, str]:
    # basic auth as a fixed header: cheaper than a per-request auth flow
    return {"Accept": "application/json", "Authorization": config.basic_auth_header()}


def _unreachable(config: AriConfig, method: str, path: str, exc: BaseException) -> Exception:
    return AriConnectionError(f"ARI {config.node} {method} {path}: {type(exc).__name__}: {exc}")


class AiohttpEngine:
    """``aiohttp.ClientSession`` created on the first request (it needs a running loop)."""

    def __init__(self, config: AriConfig) -> None:
        self._config = config
        self._base = config.rest_base
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            config = self._config
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(
                    limit=config.max_connections, keepalive_timeout=KEEPALIVE_S
                ),
                headers=_headers(config),
                timeout=aiohttp.ClientTimeout(
                    connect=config.request_timeout,  # waiting for a pooled connection included
                    sock_connect=config.connect_timeout,
                    sock_read=config.request_timeout,
                ),
                auto_decompress=False,
            )
        return self._session

    async def send(
        self, method: str, path: str, params: Mapping[str, str], body: Mapping[str, Any] | None
    ) -> tuple[int, bytes]:
        # the path's segments are quoted already (``PJSIP%2Fhn-01`` must stay so)
        url = URL(self._base + path, encoded=True)
        try:
            async with self._open().request(
                method, url, params=dict(params) or None, json=body
            ) as response:
                return response.status, await response.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise _unreachable(self._config, method, path, exc) from exc

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


class HttpxEngine:
    """One shared ``httpx.AsyncClient`` (the caller's, or one of our own)."""

    def __init__(
        self,
        config: AriConfig,
        client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._config = config
        self._owns_client = client is None
        self.client = client or httpx.AsyncClient(
            base_url=config.rest_base,
            timeout=httpx.Timeout(config.request_timeout, connect=config.connect_timeout),
            limits=httpx.Limits(
                max_connections=config.max_connections,
                max_keepalive_connections=config.max_connections,
            ),
            headers=_headers(config),
            transport=transport,
        )

    async def send(
        self, method: str, path: str, params: Mapping[str, str], body: Mapping[str, Any] | None
    ) -> tuple[int, bytes]:
        try:
            response = await self.client.request(method, path, params=params, json=body)
        except httpx.TransportError as exc:
            raise _unreachable(self._config, method, path, exc) from exc
        return response.status_code, response.content

    async def aclose(self) -> None:
        if self._owns_client:
            await self.client.aclose()
