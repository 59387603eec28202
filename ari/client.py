"""The ARI client of one Asterisk node: REST resources plus the event stream.

::

    config = AriConfig(url="http://127.0.0.1:8088", username="lab", password="lab", app="hotline")
    async with AriClient(config) as ari:
        async with ari.event_stream(on_reconnect=reconcile) as events:
            async for item in events:
                ...
        await ari.channels.answer(channel_id)

Nothing is global: construct one client per Asterisk node.
"""

from __future__ import annotations

import random
from types import TracebackType
from typing import Self

import httpx

from ari.channels import Channels
from ari.config import AriConfig
from ari.http import AriHttp
from ari.resources import (
    Applications,
    Asterisk,
    Bridges,
    DeviceStates,
    Endpoints,
    Playbacks,
    Sounds,
)
from ari.stream import ConnectHook, EventStream


class AriClient:
    """REST access to one Asterisk (one shared ``httpx.AsyncClient``) and its event stream.

    ``http_client`` / ``transport`` let tests or the composition root supply their own
    (an ``httpx.MockTransport`` in unit tests)."""

    def __init__(
        self,
        config: AriConfig,
        *,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.config = config
        self.http = AriHttp(config, http_client, transport=transport)
        self.channels = Channels(self.http)
        self.bridges = Bridges(self.http)
        self.endpoints = Endpoints(self.http)
        self.playbacks = Playbacks(self.http)
        self.applications = Applications(self.http)
        self.asterisk = Asterisk(self.http)
        self.device_states = DeviceStates(self.http)
        self.sounds = Sounds(self.http)

    def event_stream(
        self,
        *,
        on_connect: ConnectHook | None = None,
        on_reconnect: ConnectHook | None = None,
        rng: random.Random | None = None,
    ) -> EventStream:
        """A new (not yet started) event stream for ``config.app``; start it with
        ``async with`` or :meth:`EventStream.start`."""
        return EventStream(
            self.config,
            applications=self.applications,
            on_connect=on_connect,
            on_reconnect=on_reconnect,
            rng=rng,
        )

    async def aclose(self) -> None:
        await self.http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
