"""The ARI HTTP + WebSocket application (starlette), with ari.conf authentication."""

from __future__ import annotations

import asyncio
import base64
import contextlib
from collections.abc import Mapping

from starlette.applications import Starlette
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect

from pbxsim.ari import rest
from pbxsim.ari.events import Connection, EventHub
from pbxsim.model.pbx import Pbx

UNAUTHORIZED_HEADERS = {
    "WWW-Authenticate": 'Basic realm="Asterisk REST Interface"',
    "Cache-Control": "no-cache, no-store",
}


def _unauthorized() -> Response:
    return JSONResponse(
        {"message": "Authentication required"}, status_code=401, headers=UNAUTHORIZED_HEADERS
    )


def authorized(conn: HTTPConnection, users: Mapping[str, str]) -> bool:
    """Basic auth or ``api_key=user:password`` as res_ari accepts them."""
    api_key = conn.query_params.get("api_key")
    if api_key is not None:
        user, _, password = api_key.partition(":")
        return users.get(user) == password and user in users
    header = conn.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[6:]).decode()
        except (ValueError, UnicodeDecodeError):
            return False
        user, _, password = decoded.partition(":")
        return user in users and users[user] == password
    return False


class AuthMiddleware:
    def __init__(self, app: ASGIApp, users: Mapping[str, str]) -> None:
        self.app = app
        self.users = users

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not authorized(HTTPConnection(scope), self.users):
            await _unauthorized()(scope, receive, send)
            return
        await self.app(scope, receive, send)


async def _deny(ws: WebSocket, response: Response) -> None:
    try:
        await ws.send_denial_response(response)
    except RuntimeError:
        await ws.close(code=1008)


def events_route(pbx: Pbx, hub: EventHub, users: Mapping[str, str]) -> WebSocketRoute:
    async def events(ws: WebSocket) -> None:
        if not authorized(ws, users):
            await _deny(ws, _unauthorized())
            return
        if not pbx.booted:
            await _deny(ws, JSONResponse({"message": "Asterisk not booted"}, status_code=503))
            return
        apps = [a for a in ws.query_params.get("app", "").split(",") if a]
        if not apps:
            await _deny(ws, JSONResponse({"message": "Missing param 'app'"}, status_code=400))
            return
        subscribe_all = ws.query_params.get("subscribeAll", "false").lower() in ("true", "1", "yes")
        await ws.accept()
        queue: asyncio.Queue[str | None] = asyncio.Queue()
        conns: list[Connection] = []
        for app in apps:
            conn = hub.connect(app, subscribe_all)
            conn.queue = queue
            conns.append(conn)

        async def sender() -> None:
            while True:
                text = await queue.get()
                if text is None:
                    return
                await ws.send_text(text)

        send_task = asyncio.get_running_loop().create_task(sender())
        try:
            while True:
                receive_task = asyncio.get_running_loop().create_task(ws.receive())
                done, _ = await asyncio.wait(
                    {send_task, receive_task}, return_when=asyncio.FIRST_COMPLETED
                )
                if send_task in done:
                    receive_task.cancel()
                    with contextlib.suppress(
                        asyncio.CancelledError, WebSocketDisconnect, RuntimeError
                    ):
                        await receive_task
                    break
                message = receive_task.result()
                if message["type"] == "websocket.disconnect":
                    break
        except (WebSocketDisconnect, RuntimeError, OSError):
            pass
        finally:
            for conn in conns:
                hub.disconnect(conn)
            send_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await send_task

    return WebSocketRoute("/ari/events", events)


def build_app(pbx: Pbx, hub: EventHub, users: Mapping[str, str]) -> ASGIApp:
    routes: list[BaseRoute] = [events_route(pbx, hub, users), *rest.routes(pbx)]
    app = Starlette(routes=routes)

    async def not_found(request: object, exc: Exception) -> Response:
        return JSONResponse({"message": "Resource not found"}, status_code=404)

    app.add_exception_handler(404, not_found)
    return AuthMiddleware(app, users)
