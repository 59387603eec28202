"""ARI REST resources: /ari/asterisk, applications, endpoints, channels, bridges, playbacks,
deviceStates, sounds. Status codes and bodies as Asterisk 22 answers (see the recordings)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from pbxsim.ari import channels, resources
from pbxsim.ari.common import (
    Handler,
    Params,
    error,
)
from pbxsim.model.errors import AllocationFailed, BadRequest, PbxError
from pbxsim.model.pbx import Pbx

# ---------------------------------------------------------------- wiring


async def params_of(request: Request) -> Params:
    params: Params = {}
    for key in request.query_params:
        values = request.query_params.getlist(key)
        params[key] = values if len(values) > 1 else values[0]
    body = await request.body()
    if body:
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise BadRequest("Error parsing request body") from exc
        if isinstance(data, dict):
            for key, value in data.items():
                params.setdefault(key, value)
    return params


def wrap(pbx: Pbx, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        if not pbx.booted:
            return error(503, "Asterisk not booted")
        try:
            params = await params_of(request)
            result = handler(pbx, request, params)
            if not isinstance(result, Response):
                result = await result
            return result
        except AllocationFailed as exc:
            return error(500, exc.message, key="error")
        except PbxError as exc:
            return error(exc.status, exc.message)

    return endpoint


def routes(pbx: Pbx) -> list[Route]:
    table: list[tuple[str, str, Handler]] = [
        ("GET", "/ari/asterisk/info", resources.asterisk_info),
        ("GET", "/ari/asterisk/ping", resources.asterisk_ping),
        ("GET", "/ari/asterisk/modules/{name}", resources.asterisk_module),
        ("GET", "/ari/applications", resources.applications),
        ("GET", "/ari/applications/{app}", resources.application),
        ("POST", "/ari/applications/{app}/subscription", resources.subscribe),
        ("DELETE", "/ari/applications/{app}/subscription", resources.unsubscribe),
        ("GET", "/ari/endpoints", resources.endpoints),
        ("GET", "/ari/endpoints/{tech}", resources.endpoints),
        ("GET", "/ari/endpoints/{tech}/{resource}", resources.endpoint),
        ("GET", "/ari/channels", channels.channels),
        ("POST", "/ari/channels", channels.originate),
        ("POST", "/ari/channels/create", channels.create),
        ("GET", "/ari/channels/{channel_id}", channels.channel_get),
        ("POST", "/ari/channels/{channel_id}", channels.originate),
        ("DELETE", "/ari/channels/{channel_id}", channels.hangup),
        ("POST", "/ari/channels/{channel_id}/answer", channels.answer),
        ("POST", "/ari/channels/{channel_id}/ring", channels.ring),
        ("DELETE", "/ari/channels/{channel_id}/ring", channels.ring_stop),
        ("POST", "/ari/channels/{channel_id}/moh", channels.moh),
        ("DELETE", "/ari/channels/{channel_id}/moh", channels.moh_stop),
        ("POST", "/ari/channels/{channel_id}/hold", channels.noop_in_stasis),
        ("DELETE", "/ari/channels/{channel_id}/hold", channels.noop_in_stasis),
        ("POST", "/ari/channels/{channel_id}/silence", channels.noop_in_stasis),
        ("DELETE", "/ari/channels/{channel_id}/silence", channels.noop_in_stasis),
        ("POST", "/ari/channels/{channel_id}/mute", channels.noop_in_stasis),
        ("DELETE", "/ari/channels/{channel_id}/mute", channels.noop_in_stasis),
        ("POST", "/ari/channels/{channel_id}/dtmf", channels.send_dtmf),
        ("POST", "/ari/channels/{channel_id}/play", channels.play),
        ("POST", "/ari/channels/{channel_id}/play/{playback_id}", channels.play),
        ("POST", "/ari/channels/{channel_id}/continue", channels.continue_),
        ("POST", "/ari/channels/{channel_id}/redirect", channels.redirect),
        ("POST", "/ari/channels/{channel_id}/dial", channels.dial),
        ("POST", "/ari/channels/{channel_id}/snoop", channels.snoop),
        ("POST", "/ari/channels/{channel_id}/snoop/{snoop_id}", channels.snoop),
        ("GET", "/ari/channels/{channel_id}/variable", channels.variable_get),
        ("POST", "/ari/channels/{channel_id}/variable", channels.variable_set),
        ("POST", "/ari/channels/{channel_id}/transfer_progress", channels.transfer_progress),
        ("GET", "/ari/bridges", resources.bridges),
        ("POST", "/ari/bridges", resources.bridge_create),
        ("GET", "/ari/bridges/{bridge_id}", resources.bridge_get),
        ("POST", "/ari/bridges/{bridge_id}", resources.bridge_create),
        ("DELETE", "/ari/bridges/{bridge_id}", resources.bridge_destroy),
        ("POST", "/ari/bridges/{bridge_id}/addChannel", resources.bridge_add),
        ("POST", "/ari/bridges/{bridge_id}/removeChannel", resources.bridge_remove),
        ("POST", "/ari/bridges/{bridge_id}/moh", resources.bridge_moh),
        ("DELETE", "/ari/bridges/{bridge_id}/moh", resources.bridge_moh_stop),
        ("POST", "/ari/bridges/{bridge_id}/play", resources.bridge_play),
        ("POST", "/ari/bridges/{bridge_id}/play/{playback_id}", resources.bridge_play),
        ("GET", "/ari/playbacks/{playback_id}", resources.playback_get),
        ("DELETE", "/ari/playbacks/{playback_id}", resources.playback_stop),
        ("GET", "/ari/deviceStates", resources.device_states),
        ("GET", "/ari/deviceStates/{device:path}", resources.device_state_get),
        ("PUT", "/ari/deviceStates/{device:path}", resources.device_state_put),
        ("DELETE", "/ari/deviceStates/{device:path}", resources.device_state_delete),
        ("GET", "/ari/sounds/{sound}", resources.sound),
    ]
    grouped: dict[str, dict[str, Handler]] = {}
    for method, path, handler in table:
        grouped.setdefault(path, {})[method] = handler
    out: list[Route] = []
    for path, methods in grouped.items():
        for method, handler in methods.items():
            out.append(Route(path, wrap(pbx, handler), methods=[method]))
    return out
