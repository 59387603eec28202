"""ARI REST resources: /ari/asterisk, applications, endpoints, channels, bridges, playbacks,
deviceStates, sounds. Status codes and bodies as Asterisk 22 answers (see the recordings)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from pbxsim.ari import render
from pbxsim.model import control, dialing, media
from pbxsim.model.errors import AllocationFailed, BadRequest, NotFound, PbxError
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


def _req(params: Params, name: str) -> str:
    value = params.get(name)
    if value is None or value == "":
        raise BadRequest(f"{name}: Missing required field")
    return str(value)


def _float(params: Params, name: str, default: float) -> float:
    value = params.get(name)
    if value is None or value == "":
        return default
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise BadRequest(f"{name}: Invalid number") from exc


def _chan(pbx: Pbx, request: Request) -> Channel:
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


# ---------------------------------------------------------------- asterisk


def asterisk_info(pbx: Pbx, request: Request, p: Params) -> Response:
    clock = pbx.clock
    return ok(
        {
            "build": {
                "os": "Linux",
                "kernel": "6.18.44-pbxsim",
                "machine": "x86_64",
                "options": "OPTIONAL_API",
                "date": "2026-11-22 20:54:26 UTC",
                "user": "root",
            },
            "system": {"version": "22.10.1", "entity_id": pbx.entity_id},
            "config": {
                "name": pbx.system_name,
                "default_language": "en",
                "setid": {"user": "", "group": ""},
            },
            "status": {
                "startup_time": clock.iso(pbx.startup_time),
                "last_reload_time": clock.iso(pbx.reload_time),
            },
        }
    )


def asterisk_ping(pbx: Pbx, request: Request, p: Params) -> Response:
    return ok({"ping": "pong", "timestamp": pbx.clock.iso(), "asterisk_id": pbx.entity_id})


def asterisk_module(pbx: Pbx, request: Request, p: Params) -> Response:
    name = request.path_params["name"]
    if name not in MODULES:
        raise NotFound("Module could not be found in running modules")
    desc, level = MODULES[name]
    return ok(
        {
            "name": name,
            "description": desc,
            "use_count": 0,
            "status": "Running",
            "support_level": level,
        }
    )


# ---------------------------------------------------------------- applications


def applications(pbx: Pbx, request: Request, p: Params) -> Response:
    return ok([app_json(a) for a in pbx.apps.apps.values()])


def application(pbx: Pbx, request: Request, p: Params) -> Response:
    app = pbx.apps.get(request.path_params["app"])
    if app is None:
        raise NotFound("Application not found")
    return ok(app_json(app))


def _sources(p: Params) -> list[str]:
    raw = p.get("eventSource")
    if raw is None or raw == "":
        raise BadRequest("eventSource: Missing required field")
    values = raw if isinstance(raw, list) else [raw]
    out: list[str] = []
    for value in values:
        out.extend(s for s in str(value).split(",") if s)
    return out


def subscribe(pbx: Pbx, request: Request, p: Params) -> Response:
    name = request.path_params["app"]
    if pbx.apps.get(name) is None:
        raise NotFound("Application not found")
    app = pbx.apps.get(name)
    for source in _sources(p):
        kind, _, ident = source.partition(":")
        if kind == "channel" and ident not in pbx.channels:
            return error(422, "Event source does not exist")
        if kind == "bridge" and ident not in pbx.bridges:
            return error(422, "Event source does not exist")
        if kind == "endpoint" and ident.partition("/")[2] not in pbx.endpoints:
            return error(422, "Event source does not exist")
        try:
            app = pbx.apps.subscribe(name, source)
        except ValueError:
            return error(400, "Invalid event source URI scheme")
    assert app is not None
    return ok(app_json(app))


def unsubscribe(pbx: Pbx, request: Request, p: Params) -> Response:
    name = request.path_params["app"]
    app = pbx.apps.get(name)
    if app is None:
        raise NotFound("Application not found")
    for source in _sources(p):
        try:
            app = pbx.apps.unsubscribe(name, source)
        except ValueError:
            return error(400, "Invalid event source URI scheme")
    return ok(app_json(app))


# ---------------------------------------------------------------- endpoints


def endpoints(pbx: Pbx, request: Request, p: Params) -> Response:
    tech = request.path_params.get("tech")
    if tech is not None and tech.upper() != "PJSIP":
        raise NotFound("No Endpoints found - invalid tech " + tech)
    return ok([render.endpoint(e.snapshot()) for e in reversed(list(pbx.endpoints.values()))])


def endpoint(pbx: Pbx, request: Request, p: Params) -> Response:
    tech, res = request.path_params["tech"], request.path_params["resource"]
    ep = pbx.endpoints.get(res)
    if tech.upper() != "PJSIP" or ep is None:
        raise NotFound("Endpoint not found")
    return ok(render.endpoint(ep.snapshot()))


# ---------------------------------------------------------------- channels


def channels(pbx: Pbx, request: Request, p: Params) -> Response:
    live = [c for c in pbx.channels.values() if not c.destroyed]
    return ok([render.channel(pbx.clock, c.snapshot()) for c in reversed(live)])


def channel_get(pbx: Pbx, request: Request, p: Params) -> Response:
    return ok(render.channel(pbx.clock, pbx.channel(request.path_params["channel_id"]).snapshot()))


def _variables(p: Params) -> dict[str, str]:
    raw = p.get("variables")
    if isinstance(raw, dict):
        inner = raw.get("variables", raw)
        return {str(k): str(v) for k, v in inner.items()} if isinstance(inner, dict) else {}
    return {}


def originate(pbx: Pbx, request: Request, p: Params) -> Response:
    channel_id = request.path_params.get("channel_id") or p.get("channelId")
    ch = dialing.originate(
        pbx,
        _req(p, "endpoint"),
        app=p.get("app"),
        app_args=str(p.get("appArgs") or ""),
        caller_id=p.get("callerId"),
        timeout=_float(p, "timeout", 30.0),
        channel_id=str(channel_id) if channel_id else None,
        variables=_variables(p),
        context=p.get("context"),
        extension=p.get("extension"),
        priority=int(p["priority"]) if p.get("priority") else None,
    )
    return ok(render.channel(pbx.clock, ch.snapshot()))


def create(pbx: Pbx, request: Request, p: Params) -> Response:
    ch = dialing.create(
        pbx,
        _req(p, "endpoint"),
        app=_req(p, "app"),
        app_args=str(p.get("appArgs") or ""),
        channel_id=p.get("channelId"),
        other_channel_id=p.get("otherChannelId"),
    )
    return ok(render.channel(pbx.clock, ch.snapshot()))


def hangup(pbx: Pbx, request: Request, p: Params) -> Response:
    ch = pbx.channel(request.path_params["channel_id"])
    if ch.hangup_started or ch.ghost:
        raise NotFound("Channel not found")
    control.hangup(pbx, ch, p.get("reason"), p.get("reason_code"))
    return no_content()


def _in_stasis(ch: Channel) -> Channel:
    if ch.stasis_app is None:
        from pbxsim.model.errors import Conflict

        raise Conflict("Channel not in Stasis application")
    return ch


def answer(pbx: Pbx, request: Request, p: Params) -> Response:
    control.answer(pbx, _in_stasis(_chan(pbx, request)))
    return no_content()


def ring(pbx: Pbx, request: Request, p: Params) -> Response:
    control.ring(pbx, _in_stasis(_chan(pbx, request)))
    return no_content()


def ring_stop(pbx: Pbx, request: Request, p: Params) -> Response:
    control.ring_stop(pbx, _in_stasis(_chan(pbx, request)))
    return no_content()


def moh(pbx: Pbx, request: Request, p: Params) -> Response:
    media.moh_start(pbx, _in_stasis(_chan(pbx, request)), str(p.get("mohClass") or "default"))
    return no_content()


def moh_stop(pbx: Pbx, request: Request, p: Params) -> Response:
    media.moh_stop(pbx, _in_stasis(_chan(pbx, request)))
    return no_content()


def noop_in_stasis(pbx: Pbx, request: Request, p: Params) -> Response:
    _in_stasis(_chan(pbx, request))
    return no_content()


def _media(p: Params) -> list[str]:
    raw = p.get("media")
    if raw is None or raw == "":
        raise BadRequest("media: Missing required field")
    values = raw if isinstance(raw, list) else [raw]
    out: list[str] = []
    for value in values:
        out.extend(m for m in str(value).split(",") if m)
    return out


def play(pbx: Pbx, request: Request, p: Params) -> Response:
    ch = _in_stasis(_chan(pbx, request))
    pb = media.play(
        pbx,
        f"channel:{ch.id}",
        _media(p),
        request.path_params.get("playback_id") or p.get("playbackId"),
        p.get("lang"),
        ch,
    )
    return ok(render.playback(pb.snapshot()), 201)


def continue_(pbx: Pbx, request: Request, p: Params) -> Response:
    ch = _chan(pbx, request)
    prio = p.get("priority")
    control.continue_in_dialplan(
        pbx,
        ch,
        p.get("context"),
        p.get("extension"),
        int(prio) if prio not in (None, "") else None,
        p.get("label"),
    )
    return no_content()


def redirect(pbx: Pbx, request: Request, p: Params) -> Response:
    control.redirect(pbx, _in_stasis(_chan(pbx, request)), _req(p, "endpoint"))
    return no_content()


def dial(pbx: Pbx, request: Request, p: Params) -> Response:
    dialing.dial(
        pbx,
        _in_stasis(_chan(pbx, request)),
        caller_id=p.get("caller"),
        timeout=_float(p, "timeout", 0.0),
    )
    return no_content()


def snoop(pbx: Pbx, request: Request, p: Params) -> Response:
    ch = _chan(pbx, request)
    sn = control.snoop(
        pbx,
        ch,
        spy=str(p.get("spy") or "none"),
        whisper=str(p.get("whisper") or "none"),
        app=_req(p, "app"),
        app_args=str(p.get("appArgs") or ""),
        snoop_id=request.path_params.get("snoop_id") or p.get("snoopId"),
    )
    return ok(render.channel(pbx.clock, sn.snapshot()))


def variable_get(pbx: Pbx, request: Request, p: Params) -> Response:
    ch = _chan(pbx, request)
    return ok({"value": control.get_variable(pbx, ch, _req(p, "variable"))})


def variable_set(pbx: Pbx, request: Request, p: Params) -> Response:
    ch = _chan(pbx, request)
    control.set_variable(pbx, ch, _req(p, "variable"), str(p.get("value") or ""))
    return no_content()


def transfer_progress(pbx: Pbx, request: Request, p: Params) -> Response:
    control.transfer_progress(pbx, _chan(pbx, request), _req(p, "states"))
    return no_content()


def send_dtmf(pbx: Pbx, request: Request, p: Params) -> Response:
    _in_stasis(_chan(pbx, request))
    _req(p, "dtmf")
    return no_content()


# ---------------------------------------------------------------- bridges


def bridges(pbx: Pbx, request: Request, p: Params) -> Response:
    return ok([render.bridge(pbx.clock, pbx.bridge_snapshot(b)) for b in pbx.bridges.values()])


def bridge_create(pbx: Pbx, request: Request, p: Params) -> Response:
    br = pbx.create_bridge(
        str(p.get("type") or "mixing"),
        request.path_params.get("bridge_id") or p.get("bridgeId"),
        str(p.get("name") or ""),
    )
    return ok(render.bridge(pbx.clock, pbx.bridge_snapshot(br)))


def bridge_get(pbx: Pbx, request: Request, p: Params) -> Response:
    return ok(
        render.bridge(pbx.clock, pbx.bridge_snapshot(pbx.bridge(request.path_params["bridge_id"])))
    )


def bridge_destroy(pbx: Pbx, request: Request, p: Params) -> Response:
    pbx.destroy_bridge(pbx.bridge(request.path_params["bridge_id"]))
    return no_content()


def _channel_list(p: Params) -> list[str]:
    raw = p.get("channel")
    if raw is None or raw == "":
        raise BadRequest("channel: Missing required field")
    values = raw if isinstance(raw, list) else [raw]
    return [c for v in values for c in str(v).split(",") if c]


def bridge_add(pbx: Pbx, request: Request, p: Params) -> Response:
    br = pbx.bridge(request.path_params["bridge_id"])
    control.bridge_add(pbx, br, _channel_list(p))
    return no_content()


def bridge_remove(pbx: Pbx, request: Request, p: Params) -> Response:
    br = pbx.bridge(request.path_params["bridge_id"])
    control.bridge_remove(pbx, br, _channel_list(p))
    return no_content()


def bridge_moh(pbx: Pbx, request: Request, p: Params) -> Response:
    control.bridge_moh_start(pbx, pbx.bridge(request.path_params["bridge_id"]))
    return no_content()


def bridge_moh_stop(pbx: Pbx, request: Request, p: Params) -> Response:
    control.bridge_moh_stop(pbx, pbx.bridge(request.path_params["bridge_id"]))
    return no_content()


def bridge_play(pbx: Pbx, request: Request, p: Params) -> Response:
    br = pbx.bridge(request.path_params["bridge_id"])
    pb = media.play(
        pbx,
        f"bridge:{br.id}",
        _media(p),
        request.path_params.get("playback_id") or p.get("playbackId"),
        p.get("lang"),
        None,
    )
    return ok(render.playback(pb.snapshot()), 201)


# ---------------------------------------------------------------- playbacks, devices, sounds


def playback_get(pbx: Pbx, request: Request, p: Params) -> Response:
    pb = pbx.playbacks.get(request.path_params["playback_id"])
    if pb is None:
        raise NotFound("Playback not found")
    return ok(render.playback(pb.snapshot()))


def playback_stop(pbx: Pbx, request: Request, p: Params) -> Response:
    control.stop_playback(pbx, request.path_params["playback_id"])
    return no_content()


def device_states(pbx: Pbx, request: Request, p: Params) -> Response:
    return ok([{"name": f"Stasis:{n}", "state": s} for n, s in pbx.ari_device_states.items()])


def _device_name(request: Request) -> str:
    return unquote(request.path_params["device"])


def device_state_get(pbx: Pbx, request: Request, p: Params) -> Response:
    name = _device_name(request)
    return ok({"name": name, "state": pbx.compute_device_state(name)})


def device_state_put(pbx: Pbx, request: Request, p: Params) -> Response:
    name = _device_name(request)
    if not name.startswith("Stasis:"):
        return error(409, "Cannot modify device state of non-Stasis device")
    state = _req(p, "deviceState")
    if state not in DEVICE_STATES:
        raise BadRequest("Invalid device state")
    pbx.ari_device_states[name[len("Stasis:") :]] = state
    pbx.set_device_state(name, state)
    return no_content()


def device_state_delete(pbx: Pbx, request: Request, p: Params) -> Response:
    name = _device_name(request)
    if not name.startswith("Stasis:"):
        return error(409, "Cannot delete device state of non-Stasis device")
    if pbx.ari_device_states.pop(name[len("Stasis:") :], None) is None:
        raise NotFound("Device not found")
    return no_content()


def sound(pbx: Pbx, request: Request, p: Params) -> Response:
    name = request.path_params["sound"]
    if name not in media.SOUND_SECONDS:
        raise NotFound("Sound not found")
    return ok(
        {
            "id": name,
            "formats": [
                {"language": "en_US_f_Allison", "format": "gsm"},
                {"language": "en_US", "format": "gsm"},
                {"language": "en", "format": "gsm"},
            ],
        }
    )


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
        ("GET", "/ari/asterisk/info", asterisk_info),
        ("GET", "/ari/asterisk/ping", asterisk_ping),
        ("GET", "/ari/asterisk/modules/{name}", asterisk_module),
        ("GET", "/ari/applications", applications),
        ("GET", "/ari/applications/{app}", application),
        ("POST", "/ari/applications/{app}/subscription", subscribe),
        ("DELETE", "/ari/applications/{app}/subscription", unsubscribe),
        ("GET", "/ari/endpoints", endpoints),
        ("GET", "/ari/endpoints/{tech}", endpoints),
        ("GET", "/ari/endpoints/{tech}/{resource}", endpoint),
        ("GET", "/ari/channels", channels),
        ("POST", "/ari/channels", originate),
        ("POST", "/ari/channels/create", create),
        ("GET", "/ari/channels/{channel_id}", channel_get),
        ("POST", "/ari/channels/{channel_id}", originate),
        ("DELETE", "/ari/channels/{channel_id}", hangup),
        ("POST", "/ari/channels/{channel_id}/answer", answer),
        ("POST", "/ari/channels/{channel_id}/ring", ring),
        ("DELETE", "/ari/channels/{channel_id}/ring", ring_stop),
        ("POST", "/ari/channels/{channel_id}/moh", moh),
        ("DELETE", "/ari/channels/{channel_id}/moh", moh_stop),
        ("POST", "/ari/channels/{channel_id}/hold", noop_in_stasis),
        ("DELETE", "/ari/channels/{channel_id}/hold", noop_in_stasis),
        ("POST", "/ari/channels/{channel_id}/silence", noop_in_stasis),
        ("DELETE", "/ari/channels/{channel_id}/silence", noop_in_stasis),
        ("POST", "/ari/channels/{channel_id}/mute", noop_in_stasis),
        ("DELETE", "/ari/channels/{channel_id}/mute", noop_in_stasis),
        ("POST", "/ari/channels/{channel_id}/dtmf", send_dtmf),
        ("POST", "/ari/channels/{channel_id}/play", play),
        ("POST", "/ari/channels/{channel_id}/play/{playback_id}", play),
        ("POST", "/ari/channels/{channel_id}/continue", continue_),
        ("POST", "/ari/channels/{channel_id}/redirect", redirect),
        ("POST", "/ari/channels/{channel_id}/dial", dial),
        ("POST", "/ari/channels/{channel_id}/snoop", snoop),
        ("POST", "/ari/channels/{channel_id}/snoop/{snoop_id}", snoop),
        ("GET", "/ari/channels/{channel_id}/variable", variable_get),
        ("POST", "/ari/channels/{channel_id}/variable", variable_set),
        ("POST", "/ari/channels/{channel_id}/transfer_progress", transfer_progress),
        ("GET", "/ari/bridges", bridges),
        ("POST", "/ari/bridges", bridge_create),
        ("GET", "/ari/bridges/{bridge_id}", bridge_get),
        ("POST", "/ari/bridges/{bridge_id}", bridge_create),
        ("DELETE", "/ari/bridges/{bridge_id}", bridge_destroy),
        ("POST", "/ari/bridges/{bridge_id}/addChannel", bridge_add),
        ("POST", "/ari/bridges/{bridge_id}/removeChannel", bridge_remove),
        ("POST", "/ari/bridges/{bridge_id}/moh", bridge_moh),
        ("DELETE", "/ari/bridges/{bridge_id}/moh", bridge_moh_stop),
        ("POST", "/ari/bridges/{bridge_id}/play", bridge_play),
        ("POST", "/ari/bridges/{bridge_id}/play/{playback_id}", bridge_play),
        ("GET", "/ari/playbacks/{playback_id}", playback_get),
        ("DELETE", "/ari/playbacks/{playback_id}", playback_stop),
        ("GET", "/ari/deviceStates", device_states),
        ("GET", "/ari/deviceStates/{device:path}", device_state_get),
        ("PUT", "/ari/deviceStates/{device:path}", device_state_put),
        ("DELETE", "/ari/deviceStates/{device:path}", device_state_delete),
        ("GET", "/ari/sounds/{sound}", sound),
    ]
    grouped: dict[str, dict[str, Handler]] = {}
    for method, path, handler in table:
        grouped.setdefault(path, {})[method] = handler
    out: list[Route] = []
    for path, methods in grouped.items():
        for method, handler in methods.items():
            out.append(Route(path, wrap(pbx, handler), methods=[method]))
    return out
