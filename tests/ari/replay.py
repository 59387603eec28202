"""Replaying recorded REST exchanges through the client (panoramisk-style ``testing`` helper).

``ROUTES`` expresses every recorded ARI request as a call of the client's API. ``ReplayTransport``
is an ``httpx.MockTransport`` that checks the request the client sends against the recorded one
(method, raw path, query, basic auth) and answers with the recorded status and body.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl, unquote

import httpx

from ari import AriClient, AriConfig

Call = Callable[[AriClient, re.Match[str], dict[str, str]], Awaitable[Any]]


def _int(q: dict[str, str], key: str) -> int | None:
    return int(q[key]) if key in q else None


ID = r"([^/]+)"
ROUTES: list[tuple[str, str, Call]] = [
    ("GET", "/ari/channels", lambda c, m, q: c.channels.list()),
    (
        "POST",
        "/ari/channels",
        lambda c, m, q: c.channels.originate(
            q["endpoint"],
            app=q.get("app"),
            app_args=q.get("appArgs"),
            caller_id=q.get("callerId"),
            timeout=_int(q, "timeout"),
            channel_id=q.get("channelId"),
        ),
    ),
    (
        "POST",
        "/ari/channels/create",
        lambda c, m, q: c.channels.create(
            q["endpoint"], q["app"], app_args=q.get("appArgs"), channel_id=q.get("channelId")
        ),
    ),
    ("GET", f"/ari/channels/{ID}", lambda c, m, q: c.channels.get(unquote(m[1]))),
    (
        "DELETE",
        f"/ari/channels/{ID}",
        lambda c, m, q: c.channels.hangup(
            unquote(m[1]), reason=q.get("reason"), reason_code=_int(q, "reason_code")
        ),
    ),  # type: ignore[arg-type]
    ("POST", f"/ari/channels/{ID}/answer", lambda c, m, q: c.channels.answer(unquote(m[1]))),
    ("POST", f"/ari/channels/{ID}/ring", lambda c, m, q: c.channels.ring(unquote(m[1]))),
    ("DELETE", f"/ari/channels/{ID}/ring", lambda c, m, q: c.channels.ring_stop(unquote(m[1]))),
    (
        "POST",
        f"/ari/channels/{ID}/moh",
        lambda c, m, q: c.channels.start_moh(unquote(m[1]), moh_class=q.get("mohClass")),
    ),
    ("DELETE", f"/ari/channels/{ID}/moh", lambda c, m, q: c.channels.stop_moh(unquote(m[1]))),
    (
        "POST",
        f"/ari/channels/{ID}/play",
        lambda c, m, q: c.channels.play(
            unquote(m[1]),
            q["media"].split(","),
            lang=q.get("lang"),
            playback_id=q.get("playbackId"),
        ),
    ),
    (
        "POST",
        f"/ari/channels/{ID}/continue",
        lambda c, m, q: c.channels.continue_in_dialplan(
            unquote(m[1]),
            context=q.get("context"),
            extension=q.get("extension"),
            priority=_int(q, "priority"),
        ),
    ),
    (
        "POST",
        f"/ari/channels/{ID}/redirect",
        lambda c, m, q: c.channels.redirect(unquote(m[1]), q["endpoint"]),
    ),
    (
        "POST",
        f"/ari/channels/{ID}/snoop",
        lambda c, m, q: c.channels.snoop_channel(
            unquote(m[1]),
            q["app"],
            spy=q.get("spy"),
            whisper=q.get("whisper"),  # type: ignore[arg-type]
            app_args=q.get("appArgs"),
            snoop_id=q.get("snoopId"),
        ),
    ),
    (
        "POST",
        f"/ari/channels/{ID}/variable",
        lambda c, m, q: c.channels.set_channel_var(unquote(m[1]), q["variable"], q.get("value")),
    ),
    (
        "GET",
        f"/ari/channels/{ID}/variable",
        lambda c, m, q: c.channels.get_channel_var(unquote(m[1]), q["variable"]),
    ),
    (
        "POST",
        f"/ari/channels/{ID}/transfer_progress",
        lambda c, m, q: c.channels.transfer_progress(unquote(m[1]), q["states"]),
    ),
    (
        "POST",
        f"/ari/channels/{ID}/dial",
        lambda c, m, q: c.channels.dial(
            unquote(m[1]), caller=q.get("caller"), timeout=_int(q, "timeout")
        ),
    ),
    ("GET", "/ari/bridges", lambda c, m, q: c.bridges.list()),
    (
        "POST",
        "/ari/bridges",
        lambda c, m, q: c.bridges.create(
            type=q.get("type"), name=q.get("name"), bridge_id=q.get("bridgeId")
        ),
    ),
    ("GET", f"/ari/bridges/{ID}", lambda c, m, q: c.bridges.get(unquote(m[1]))),
    ("DELETE", f"/ari/bridges/{ID}", lambda c, m, q: c.bridges.destroy(unquote(m[1]))),
    (
        "POST",
        f"/ari/bridges/{ID}/addChannel",
        lambda c, m, q: c.bridges.add_channel(unquote(m[1]), q["channel"].split(",")),
    ),
    (
        "POST",
        f"/ari/bridges/{ID}/removeChannel",
        lambda c, m, q: c.bridges.remove_channel(unquote(m[1]), q["channel"]),
    ),
    (
        "POST",
        f"/ari/bridges/{ID}/moh",
        lambda c, m, q: c.bridges.start_moh(unquote(m[1]), moh_class=q.get("mohClass")),
    ),
    ("DELETE", f"/ari/bridges/{ID}/moh", lambda c, m, q: c.bridges.stop_moh(unquote(m[1]))),
    (
        "POST",
        f"/ari/bridges/{ID}/play",
        lambda c, m, q: c.bridges.play(unquote(m[1]), q["media"], playback_id=q.get("playbackId")),
    ),
    ("GET", f"/ari/playbacks/{ID}", lambda c, m, q: c.playbacks.get(unquote(m[1]))),
    ("DELETE", f"/ari/playbacks/{ID}", lambda c, m, q: c.playbacks.stop(unquote(m[1]))),
    ("GET", "/ari/applications", lambda c, m, q: c.applications.list()),
    ("GET", f"/ari/applications/{ID}", lambda c, m, q: c.applications.get(unquote(m[1]))),
    (
        "POST",
        f"/ari/applications/{ID}/subscription",
        lambda c, m, q: c.applications.subscribe(unquote(m[1]), q["eventSource"].split(",")),
    ),
    (
        "DELETE",
        f"/ari/applications/{ID}/subscription",
        lambda c, m, q: c.applications.unsubscribe(unquote(m[1]), q["eventSource"].split(",")),
    ),
    ("GET", "/ari/asterisk/info", lambda c, m, q: c.asterisk.get_info(only=q.get("only"))),
    ("GET", "/ari/asterisk/ping", lambda c, m, q: c.asterisk.ping()),
    ("GET", f"/ari/asterisk/modules/{ID}", lambda c, m, q: c.asterisk.get_module(unquote(m[1]))),
    ("GET", "/ari/asterisk/variable", lambda c, m, q: c.asterisk.get_global_var(q["variable"])),
    ("GET", "/ari/deviceStates", lambda c, m, q: c.device_states.list()),
    ("GET", f"/ari/deviceStates/{ID}", lambda c, m, q: c.device_states.get(unquote(m[1]))),
    (
        "PUT",
        f"/ari/deviceStates/{ID}",
        lambda c, m, q: c.device_states.update(unquote(m[1]), q["deviceState"]),
    ),
    ("DELETE", f"/ari/deviceStates/{ID}", lambda c, m, q: c.device_states.delete(unquote(m[1]))),
    ("GET", "/ari/endpoints", lambda c, m, q: c.endpoints.list()),
    ("GET", f"/ari/endpoints/{ID}", lambda c, m, q: c.endpoints.list_by_tech(unquote(m[1]))),
    (
        "GET",
        f"/ari/endpoints/{ID}/{ID}",
        lambda c, m, q: c.endpoints.get(unquote(m[1]), unquote(m[2])),
    ),
    ("GET", f"/ari/sounds/{ID}", lambda c, m, q: c.sounds.get(unquote(m[1]))),
]


def route(method: str, path: str) -> tuple[Call, re.Match[str]] | None:
    for r_method, pattern, call in ROUTES:
        match = re.fullmatch(pattern, path)
        if r_method == method and match:
            return call, match
    return None


CONFIG = AriConfig(url="http://127.0.0.1:8088", username="lab", password="lab", app="hotline")


class ReplayTransport(httpx.MockTransport):
    """Answers each request with the next expected recorded response, after checking it."""

    def __init__(self) -> None:
        super().__init__(self._handle)
        self.expected: tuple[dict[str, Any], dict[str, Any]] | None = None
        self.seen: list[httpx.Request] = []

    def _handle(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        assert self.expected is not None, f"unexpected request {request.method} {request.url}"
        req, resp = self.expected
        self.expected = None
        raw_path, _, raw_query = request.url.raw_path.decode().partition("?")
        assert (request.method, raw_path) == (req["method"], req["path"])
        assert dict(parse_qsl(raw_query, keep_blank_values=True)) == req["query"]
        assert request.headers["authorization"] == CONFIG.basic_auth_header()
        if resp["body"] is None:
            return httpx.Response(resp["status"])
        return httpx.Response(
            resp["status"],
            content=json.dumps(resp["body"]).encode(),
            headers={"content-type": "application/json"},
        )
