"""Run the simulated PBX: ARI (HTTP + WebSocket) and AMI (TCP) on loopback.

In a test::

    async with Simulator("tests/fixtures/asterisk/lab-etc", speed=10) as sim:
        sim.ari_url        # "http://127.0.0.1:<port>/ari"
        sim.ari_ws_url     # "ws://127.0.0.1:<port>/ari/events"
        sim.ami_port       # AMI on 127.0.0.1:<port>
        sim.pbx            # the model: originate_inbound(), set_phone(), hangup(), ...

Ports are free ports chosen by the OS unless given.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from pathlib import Path
from types import TracebackType
from typing import Any

import uvicorn

from pbxsim.ari.app import build_app
from pbxsim.ari.events import EventHub
from pbxsim.model import happenings as h
from pbxsim.model.clock import Clock
from pbxsim.model.config import PbxConfig, load_config
from pbxsim.model.pbx import Pbx

log = logging.getLogger(__name__)


class Simulator:
    """ARI + AMI servers around one :class:`Pbx`."""

    def __init__(
        self,
        config: str | Path | PbxConfig,
        *,
        host: str = "127.0.0.1",
        ari_port: int = 0,
        ami_port: int | None = 0,
        speed: float = 1.0,
    ) -> None:
        self.config = config if isinstance(config, PbxConfig) else load_config(Path(config))
        self.host = host
        self._ari_port = ari_port
        self._ami_port_wanted = ami_port
        self.speed = speed
        self._server: uvicorn.Server | None = None
        self._serve_task: asyncio.Task[None] | None = None
        self._ami: Any = None
        self._unsubscribe: Any = None
        self._pbx: Pbx | None = None
        self.hub: EventHub | None = None
        self.ari_port = 0
        self.ami_port = 0

    @property
    def pbx(self) -> Pbx:
        assert self._pbx is not None, "use 'async with Simulator(...)'"
        return self._pbx

    @property
    def ari_url(self) -> str:
        return f"http://{self.host}:{self.ari_port}/ari"

    @property
    def ari_ws_url(self) -> str:
        return f"ws://{self.host}:{self.ari_port}/ari/events"

    @property
    def ari_base(self) -> str:
        return f"http://{self.host}:{self.ari_port}"

    async def start(self) -> None:
        pbx = Pbx(self.config, Clock(self.speed))
        self._pbx = pbx
        self.hub = EventHub(pbx)
        app = build_app(pbx, self.hub, dict(self.config.ari_users))
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # accepted sockets inherit it: without it a keep-alive client waits ~40 ms per request
        # (Nagle against delayed ACK on the response's second write)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((self.host, self._ari_port))
        self.ari_port = sock.getsockname()[1]
        config = uvicorn.Config(
            app,
            log_level="warning",
            lifespan="off",
            ws="websockets-sansio",
            ws_ping_interval=None,
            ws_per_message_deflate=False,  # Asterisk offers no permessage-deflate
            access_log=False,
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        self._serve_task = asyncio.get_running_loop().create_task(
            self._server.serve(sockets=[sock])
        )
        while not self._server.started:
            if self._serve_task.done():
                self._serve_task.result()
            await asyncio.sleep(0.005)
        self._unsubscribe = pbx.subscribe(self._on_happening)
        if self._ami_port_wanted is not None:
            await self._start_ami(pbx)

    async def _start_ami(self, pbx: Pbx) -> None:
        from pbxsim.ami.pbx_backend import PbxBackend
        from pbxsim.ami.server import AmiServer

        users = {u: (secret, frozenset({"all"})) for u, secret in self.config.ami_users.items()}
        self._ami = AmiServer(PbxBackend(pbx), users)
        await self._ami.start(self.host, self._ami_port_wanted or 0)
        self.ami_port = self._ami.port

    def _on_happening(self, hap: h.Happening) -> None:
        if isinstance(hap, h.PbxShuttingDown):
            self.drop_ari_connections()

    def drop_ari_connections(self) -> None:
        """Close every ARI connection without a WebSocket close frame (TCP FIN), as a
        restarting Asterisk does (fact 11)."""
        if self._server is None:
            return
        for conn in list(self._server.server_state.connections):
            transport = getattr(conn, "transport", None)
            if transport is not None:
                transport.close()

    async def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        if self._ami is not None:
            await self._ami.stop()
            self._ami = None
        if self.hub is not None:
            for conn in list(self.hub.connections):
                conn.close()
            self.hub.close()
        if self._pbx is not None:
            await self._pbx.close()
        if self._server is not None:
            self._server.should_exit = True
            self.drop_ari_connections()
        if self._serve_task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._serve_task

    async def __aenter__(self) -> Simulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()
