"""The REST layer: one keep-alive connection pool per Asterisk node (:mod:`ari.transport`).

Builds ARI query strings (booleans as ``true``/``false``, lists comma-joined, ``None`` left out),
quotes path segments (``PJSIP/hn-01`` as a device name becomes ``PJSIP%2Fhn-01``), and turns error
statuses into the typed exceptions of :mod:`ari.errors`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from ari.config import AriConfig
from ari.errors import AriNotFound, AriProtocolError, error_from_response
from ari.transport import RestEngine

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)
QueryValue = str | int | float | bool | Sequence[str] | None


def segment(value: str) -> str:
    """Quote one path segment completely (``/`` included)."""
    return quote(value, safe="")


def query_params(params: Mapping[str, QueryValue]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            out[key] = "true" if value else "false"
        elif isinstance(value, str | int | float):
            out[key] = str(value)
        else:
            out[key] = ",".join(value)
    return out


def _validate(model: type[M], data: Any, path: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise AriProtocolError(f"ARI {path}: body is not a {model.__name__}: {exc}") from exc


class AriHttp:
    """Low-level ARI REST calls; the resource classes (``client.channels``...) build on it.

    Requests go through one shared ``httpx.AsyncClient`` (:class:`~ari.transport.RestEngine`),
    the caller's or one of our own with the transport ``config.rest_transport`` names."""

    def __init__(
        self,
        config: AriConfig,
        client: httpx.AsyncClient | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.config = config
        self.engine = RestEngine(config, client, transport)

    async def aclose(self) -> None:
        await self.engine.aclose()

    async def request(
        self,
        method: str,
        path: str,
        params: Mapping[str, QueryValue] | None = None,
        *,
        body: Mapping[str, Any] | None = None,
        missing_ok: bool = False,
    ) -> Any:
        """Send one request; return the decoded JSON body (``None`` for 204 / empty body, and for
        a 404 when ``missing_ok``). Raise :class:`~ari.errors.AriHttpError` subclasses for error
        statuses and :class:`~ari.errors.AriConnectionError` when Asterisk cannot be reached."""
        status, content = await self.engine.send(method, path, query_params(params or {}), body)
        if status >= 400:
            error = error_from_response(
                status, content.decode("utf-8", "replace"), method=method, path=f"/ari{path}"
            )
            if missing_ok and isinstance(error, AriNotFound):
                log.debug("ARI %s %s: already gone (%s)", method, path, error.message)
                return None
            raise error
        if status == 204 or not content:
            return None
        return json.loads(content)

    async def model(
        self,
        model: type[M],
        method: str,
        path: str,
        params: Mapping[str, QueryValue] | None = None,
        *,
        body: Mapping[str, Any] | None = None,
    ) -> M:
        """Send a request whose answer is one resource; parse it into ``model``."""
        data = await self.request(method, path, params, body=body)
        return _validate(model, data, path)

    async def maybe_model(self, model: type[M], path: str, *, missing_ok: bool) -> M | None:
        """GET one resource; ``None`` when it does not exist and ``missing_ok``."""
        data = await self.request("GET", path, missing_ok=missing_ok)
        return None if data is None else _validate(model, data, path)

    async def models(
        self, model: type[M], path: str, params: Mapping[str, QueryValue] | None = None
    ) -> list[M]:
        """GET a list of resources."""
        data = await self.request("GET", path, params)
        if not isinstance(data, list):
            raise AriProtocolError(
                f"ARI GET {path}: expected a JSON list, got {type(data).__name__}"
            )
        return [_validate(model, item, path) for item in data]
