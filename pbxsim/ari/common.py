"""Shared pieces of the ARI REST handlers: responses, parameters, app JSON."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from pbxsim.model.errors import BadRequest
from pbxsim.model.objects import Channel
from pbxsim.model.pbx import Pbx
from pbxsim.model.stasis import StasisApp

Params = dict[str, Any]
Handler = Callable[[Pbx, Request, Params], Awaitable[Response] | Response]

MODULES = {
    "app_queue.so": ("True Call Queueing", "core"),
    "res_ari.so": ("Asterisk RESTful Interface", "core"),
    "res_stasis.so": ("Stasis application support", "core"),
    "res_pjsip.so": ("Basic SIP resource", "core"),
    "chan_pjsip.so": ("PJSIP Channel Driver", "core"),
}
DEVICE_STATES = (
    "UNKNOWN",
    "NOT_INUSE",
    "INUSE",
    "BUSY",
    "INVALID",
    "UNAVAILABLE",
    "RINGING",
    "RINGINUSE",
    "ONHOLD",
)


def ok(body: Any, status: int = 200) -> Response:
    return JSONResponse(body, status_code=status)


def no_content() -> Response:
    return Response(status_code=204)


def error(status: int, message: str, key: str = "message") -> Response:
    return JSONResponse({key: message}, status_code=status)


def req(params: Params, name: str) -> str:
    value = params.get(name)
    if value is None or value == "":
        raise BadRequest(f"{name}: Missing required field")
    return str(value)


def number(params: Params, name: str, default: float) -> float:
    value = params.get(name)
    if value is None or value == "":
        return default
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise BadRequest(f"{name}: Invalid number") from exc


def channel_of(pbx: Pbx, request: Request) -> Channel:
    return pbx.live_channel(request.path_params["channel_id"])


def app_json(app: StasisApp) -> dict[str, Any]:
    if app.subscribe_all:
        return {
            "name": app.name,
            "channel_ids": ["__AST_CHANNEL_ALL_TOPIC"],
            "bridge_ids": ["__AST_BRIDGE_ALL_TOPIC"],
            "endpoint_ids": ["__AST_ENDPOINT_ALL_TOPIC"],
            "device_names": ["__AST_DEVICE_STATE_ALL_TOPIC"],
            "events_allowed": [],
            "events_disallowed": [],
        }
    return {
        "name": app.name,
        "channel_ids": sorted(app.channel_ids),
        "bridge_ids": sorted(app.bridge_ids),
        "endpoint_ids": sorted(app.endpoint_ids),
        "device_names": sorted(app.device_names),
        "events_allowed": [],
        "events_disallowed": [],
    }


def in_stasis(ch: Channel) -> Channel:
    if ch.stasis_app is None:
        from pbxsim.model.errors import Conflict

        raise Conflict("Channel not in Stasis application")
    return ch


def media_list(p: Params) -> list[str]:
    raw = p.get("media")
    if raw is None or raw == "":
        raise BadRequest("media: Missing required field")
    values = raw if isinstance(raw, list) else [raw]
    out: list[str] = []
    for value in values:
        out.extend(m for m in str(value).split(",") if m)
    return out


def channel_list(p: Params) -> list[str]:
    raw = p.get("channel")
    if raw is None or raw == "":
        raise BadRequest("channel: Missing required field")
    values = raw if isinstance(raw, list) else [raw]
    return [c for v in values for c in str(v).split(",") if c]
