"""ARI handlers: /asterisk, /applications, /endpoints, /bridges, /playbacks, /deviceStates,
/sounds."""

from __future__ import annotations

from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import Response

from pbxsim.ari import render
from pbxsim.ari.common import (
    DEVICE_STATES,
    MODULES,
    Params,
    app_json,
    channel_list,
    error,
    media_list,
    no_content,
    ok,
    req,
)
from pbxsim.model import control, media
from pbxsim.model.errors import BadRequest, NotFound
from pbxsim.model.pbx import Pbx

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


def bridge_add(pbx: Pbx, request: Request, p: Params) -> Response:
    br = pbx.bridge(request.path_params["bridge_id"])
    control.bridge_add(pbx, br, channel_list(p))
    return no_content()


def bridge_remove(pbx: Pbx, request: Request, p: Params) -> Response:
    br = pbx.bridge(request.path_params["bridge_id"])
    control.bridge_remove(pbx, br, channel_list(p))
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
        media_list(p),
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
    state = req(p, "deviceState")
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
