"""A real ``websockets`` server that plays the ``/ari/events`` side of Asterisk for the tests.

Each accepted connection runs the next *script* (send frames, then drop the connection with a TCP
RST, a bare FIN, or a close frame - the three ways real Asterisk was seen to go away); handshakes
can be refused with a status and body first (``503 Asterisk not booted``, ``401``).
"""

from __future__ import annotations

import asyncio
import socket
import struct
from collections.abc import Awaitable, Callable

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

Script = Callable[[ServerConnection], Awaitable[None]]


async def rst(conn: ServerConnection) -> None:
    """Kill the connection like the lab did: SO_LINGER(1, 0) then abort -> TCP RST."""
    sock = conn.transport.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.transport.abort()


async def fin(conn: ServerConnection) -> None:
    """Close TCP without a WebSocket close frame (what Asterisk does on restart, fact 11)."""
    conn.transport.close()


def frames_then(frames: list[str], end: Script | None = None) -> Script:
    async def script(conn: ServerConnection) -> None:
        for frame in frames:
            await conn.send(frame)
        if end is not None:
            await end(conn)

    return script


def close_with(code: int, reason: str = "") -> Script:
    async def script(conn: ServerConnection) -> None:
        await conn.close(code, reason)

    return script


class FakeAriEvents:
    def __init__(self, *, username: str = "lab", password: str = "lab") -> None:
        self.scripts: list[Script] = []
        self.reject: list[tuple[int, str]] = []
        self.requests: list[Request] = []
        self.accepted = 0
        self.client_close_codes: list[int | None] = []
        self.connected = asyncio.Event()
        self._server: Server | None = None
        self._credentials = (username, password)

    async def start(self, port: int = 0) -> int:
        self._server = await serve(
            self._handler, "127.0.0.1", port, process_request=self._process_request
        )
        return self.port

    @property
    def port(self) -> int:
        assert self._server is not None
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def _authorised(self, request: Request) -> bool:
        import base64
        from urllib.parse import parse_qs, urlsplit

        user, password = self._credentials
        basic = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        api_key = parse_qs(urlsplit(request.path).query).get("api_key", [""])[0]
        return request.headers.get("Authorization") == basic or api_key == f"{user}:{password}"

    def _process_request(self, conn: ServerConnection, request: Request) -> Response | None:
        self.requests.append(request)
        if self.reject:
            status, body = self.reject.pop(0)
        elif not self._authorised(request):
            status, body = 401, '{"message":"Authentication required"}'
        else:
            return None
        return Response(
            status, "Rejected", Headers({"Content-Type": "application/json"}), body.encode()
        )

    async def _handler(self, conn: ServerConnection) -> None:
        self.accepted += 1
        self.connected.set()
        script = self.scripts.pop(0) if self.scripts else None
        if script is not None:
            await script(conn)
        await conn.wait_closed()
        self.client_close_codes.append(conn.close_code)
