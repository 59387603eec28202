"""ARI /channels handlers."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from pbxsim.ari import render
from pbxsim.ari.common import (
    Params,
    channel_of,
    in_stasis,
    media_list,
    no_content,
    number,
    ok,
    req,
)
from pbxsim.model import control, dialing, media
from pbxsim.model.errors import NotFound
from pbxsim.model.pbx import Pbx

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
        req(p, "endpoint"),
        app=p.get("app"),
        app_args=str(p.get("appArgs") or ""),
        caller_id=p.get("callerId"),
        timeout=number(p, "timeout", 30.0),
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
        req(p, "endpoint"),
        app=req(p, "app"),
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


def answer(pbx: Pbx, request: Request, p: Params) -> Response:
    control.answer(pbx, in_stasis(channel_of(pbx, request)))
    return no_content()


def ring(pbx: Pbx, request: Request, p: Params) -> Response:
    control.ring(pbx, in_stasis(channel_of(pbx, request)))
    return no_content()


def ring_stop(pbx: Pbx, request: Request, p: Params) -> Response:
    control.ring_stop(pbx, in_stasis(channel_of(pbx, request)))
    return no_content()


def moh(pbx: Pbx, request: Request, p: Params) -> Response:
    media.moh_start(pbx, in_stasis(channel_of(pbx, request)), str(p.get("mohClass") or "default"))
    return no_content()


def moh_stop(pbx: Pbx, request: Request, p: Params) -> Response:
    media.moh_stop(pbx, in_stasis(channel_of(pbx, request)))
    return no_content()


def noop_in_stasis(pbx: Pbx, request: Request, p: Params) -> Response:
    in_stasis(channel_of(pbx, request))
    return no_content()


def play(pbx: Pbx, request: Request, p: Params) -> Response:
    ch = in_stasis(channel_of(pbx, request))
    pb = media.play(
        pbx,
        f"channel:{ch.id}",
        media_list(p),
        request.path_params.get("playback_id") or p.get("playbackId"),
        p.get("lang"),
        ch,
    )
    return ok(render.playback(pb.snapshot()), 201)


def continue_(pbx: Pbx, request: Request, p: Params) -> Response:
    ch = channel_of(pbx, request)
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
    control.redirect(pbx, in_stasis(channel_of(pbx, request)), req(p, "endpoint"))
    return no_content()


def dial(pbx: Pbx, request: Request, p: Params) -> Response:
    dialing.dial(
        pbx,
        in_stasis(channel_of(pbx, request)),
        caller_id=p.get("caller"),
        timeout=number(p, "timeout", 0.0),
    )
    return no_content()


def snoop(pbx: Pbx, request: Request, p: Params) -> Response:
    ch = channel_of(pbx, request)
    sn = control.snoop(
        pbx,
        ch,
        spy=str(p.get("spy") or "none"),
        whisper=str(p.get("whisper") or "none"),
        app=req(p, "app"),
        app_args=str(p.get("appArgs") or ""),
        snoop_id=request.path_params.get("snoop_id") or p.get("snoopId"),
    )
    return ok(render.channel(pbx.clock, sn.snapshot()))


def variable_get(pbx: Pbx, request: Request, p: Params) -> Response:
    ch = channel_of(pbx, request)
    return ok({"value": control.get_variable(pbx, ch, req(p, "variable"))})


def variable_set(pbx: Pbx, request: Request, p: Params) -> Response:
    ch = channel_of(pbx, request)
    control.set_variable(pbx, ch, req(p, "variable"), str(p.get("value") or ""))
    return no_content()


def transfer_progress(pbx: Pbx, request: Request, p: Params) -> Response:
    control.transfer_progress(pbx, channel_of(pbx, request), req(p, "states"))
    return no_content()


def send_dtmf(pbx: Pbx, request: Request, p: Params) -> Response:
    in_stasis(channel_of(pbx, request))
    req(p, "dtmf")
    return no_content()
