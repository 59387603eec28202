"""Running a channel through the dialplan (extensions.conf), one priority at a time.

Applications simulated: NoOp, Verbose, Log, Answer, Ringing, Progress, Set, GotoIf, Goto,
Stasis, Queue, Dial, Wait, Playback, Background, Echo, MusicOnHold, Hangup. Others are stepped
over (ChannelDialplan / Newexten still appear).
"""

from __future__ import annotations

import asyncio
import contextlib
import re

from pbxsim.model import happenings as h
from pbxsim.model.config import Priority
from pbxsim.model.objects import Channel
from pbxsim.model.pbx import Pbx

_VAR = re.compile(r"\$\{([^{}]+)\}")


def match_exten(pattern: str, exten: str) -> bool:
    if not pattern.startswith("_"):
        return pattern == exten
    rx = ""
    i = 1
    while i < len(pattern):
        c = pattern[i]
        if c == "X":
            rx += "[0-9]"
        elif c == "Z":
            rx += "[1-9]"
        elif c == "N":
            rx += "[2-9]"
        elif c == ".":
            rx += ".+"
        elif c == "!":
            rx += ".*"
        elif c == "[":
            j = pattern.index("]", i)
            rx += "[" + pattern[i + 1 : j] + "]"
            i = j
        else:
            rx += re.escape(c)
        i += 1
    return re.fullmatch(rx, exten) is not None


def find_priorities(pbx: Pbx, context: str, exten: str) -> tuple[Priority, ...]:
    ctx = pbx.config.dialplan.get(context, {})
    if exten in ctx:
        return ctx[exten]
    for pattern, prios in ctx.items():
        if match_exten(pattern, exten):
            return prios
    return ()


def substitute(pbx: Pbx, ch: Channel, text: str) -> str:
    def value(name: str) -> str:
        if name == "CALLERID(all)":
            return f'"{ch.caller_name}" <{ch.caller_number}>'
        if name in ("CALLERID(num)", "CALLERID(number)"):
            return ch.caller_number
        if name == "CALLERID(name)":
            return ch.caller_name
        if name == "CHANNEL":
            return ch.name
        if name == "UNIQUEID":
            return ch.id
        if name == "EXTEN":
            return ch.exten
        if name == "CONTEXT":
            return ch.context
        if name == "HANGUPCAUSE":
            return str(ch.hangup_cause) if ch.hangup_started else ""
        return ch.variables.get(name, "")

    for _ in range(5):
        new = _VAR.sub(lambda m: value(m.group(1)), text)
        if new == text:
            break
        text = new
    return text


def _condition(expr: str) -> bool:
    expr = expr.strip()
    m = re.fullmatch(r"\$\[(.*)\]", expr, re.S)
    inner = m.group(1).strip() if m else expr
    m2 = re.fullmatch(r'"?(.*?)"?\s*(!=|=)\s*"?(.*?)"?', inner, re.S)
    if m2:
        equal = m2.group(1) == m2.group(3)
        return equal if m2.group(2) == "=" else not equal
    return inner not in ("", "0")


async def _pause(pbx: Pbx, ch: Channel, seconds: float) -> None:
    """Sleep, but stop early when the channel is hung up."""
    ch.wake.clear()
    if ch.hangup_started:
        return
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(ch.wake.wait(), seconds / pbx.clock.speed)


async def run_dialplan(pbx: Pbx, ch: Channel, start: int = 1) -> None:
    """Run ``ch`` from ``context,exten,start`` until it hangs up or the dialplan ends."""
    ch.in_dialplan = True
    priority = start
    try:
        while not ch.hangup_started:
            prios = find_priorities(pbx, ch.context, ch.exten)
            current = next((p for p in prios if p.number == priority), None)
            if current is None:
                break
            data = substitute(pbx, ch, current.data)
            pbx.step(ch, current.number, current.app, data)
            jump = await _execute(pbx, ch, current.app, data, prios)
            if jump == "hangup":
                break
            if jump is not None:
                priority = _resolve_jump(pbx, ch, jump, prios)
            else:
                priority = current.number + 1
    finally:
        await _finish(pbx, ch)


def _resolve_jump(pbx: Pbx, ch: Channel, target: str, prios: tuple[Priority, ...]) -> int:
    parts = [p.strip() for p in target.split(",")]
    if len(parts) == 1:
        label = parts[0]
        for p in prios:
            if p.label == label:
                return p.number
        return int(label) if label.isdigit() else 10_000
    if len(parts) == 2:
        ch.exten = parts[0]
    else:
        ch.context, ch.exten = parts[0], parts[1]
    last = parts[-1]
    if last.isdigit():
        return int(last)
    for p in find_priorities(pbx, ch.context, ch.exten):
        if p.label == last:
            return p.number
    return 1


async def _finish(pbx: Pbx, ch: Channel) -> None:
    """The dialplan is done with the channel: hang it up and run the ``h`` extension."""
    ch.in_dialplan = False
    if ch.destroyed:
        return
    if ch.hangup_started:  # hung up while in an application: the soft request comes back
        pbx.publish(
            h.HangupRequested(pbx.now(), ch.snapshot(), 16, ch.hangup_tech_cause, soft=True)
        )
    else:  # Hangup() or the end of the dialplan
        ch.hangup_started = True
        # Hangup() is a soft hang-up with its cause (ami-actions.raw, ami-device-busy.raw)
        pbx.publish(
            h.HangupRequested(
                pbx.now(), ch.snapshot(), ch.hangup_cause, None, soft=ch.hangup_by_app
            )
        )
        pbx.qos_vars(ch)
        pbx.stop_channel_media(ch)
        if ch.bridge_id is not None:
            pbx.leave_bridge(ch)
    hprios = find_priorities(pbx, ch.context, "h")
    if hprios:
        ch.exten = "h"
        for p in hprios:
            pbx.step(ch, p.number, p.app, substitute(pbx, ch, p.data))
        ch.priority = hprios[-1].number + 1
    pbx.destroy(ch, ch.hangup_cause, ch.hangup_tech_cause)


async def _execute(
    pbx: Pbx, ch: Channel, app: str, data: str, prios: tuple[Priority, ...]
) -> str | None:
    name = app.lower()
    args = [a.strip() for a in data.split(",")] if data else []
    if name == "answer":
        if ch.state != "Up":
            ch.answered_at = pbx.now()
            pbx.set_state(ch, "Up")
            pbx.refresh_endpoint(ch)
            await _pause(pbx, ch, pbx.ANSWER_WAIT)
        return None
    if name in ("ringing", "progress"):
        if ch.state != "Up":
            pbx.refresh_endpoint(ch)
        return None
    if name == "set":
        var, _, value = data.partition("=")
        var = var.strip()
        # a dialplan function (CDR(userfield), CALLERID(num)...) is written, not a variable:
        # no VarSet event
        pbx.set_var(ch, var, value.replace("\\;", ";"), publish="(" not in var)
        return None
    if name == "gotoif":
        cond, _, targets = data.partition("?")
        yes, _, no = targets.partition(":")
        target = yes if _condition(cond) else no
        return target.strip() or None
    if name == "goto":
        return data
    if name == "stasis":
        return await _stasis(pbx, ch, args)
    if name == "queue":
        await pbx.queues.run(ch, args)
        return None
    if name == "dial":
        from pbxsim.model.dialapp import dial_app

        await dial_app(pbx, ch, args)
        return None
    if name == "wait":
        await _pause(pbx, ch, float(args[0]) if args and args[0] else 0.0)
        return None
    if name in ("playback", "background"):
        from pbxsim.model.media import media_duration

        await _pause(pbx, ch, media_duration(f"sound:{args[0] if args else ''}"))
        return None
    if name in ("echo", "musiconhold"):
        if name == "musiconhold":
            ch.moh = True
            pbx.publish(
                h.MusicOnHoldStarted(
                    pbx.now(), ch.snapshot(), args[0] if args and args[0] else "default"
                )
            )
        await _pause(
            pbx,
            ch,
            float(args[1]) if name == "musiconhold" and len(args) > 1 and args[1] else 86_400.0,
        )
        return None
    if name == "hangup":
        if args and args[0].isdigit():
            ch.hangup_cause = int(args[0])
        ch.hangup_by_app = True
        return "hangup"
    return None


async def _stasis(pbx: Pbx, ch: Channel, args: list[str]) -> str | None:
    app = args[0] if args else ""
    pbx.set_var(ch, "STASISSTATUS", "")
    if not pbx.apps.can_enter(app):
        pbx.set_var(ch, "STASISSTATUS", "FAILED")
        return None
    ch.variables.pop("STASISSTATUS", None)
    ch.stasis_app = app
    ch.stasis_args = tuple(args[1:])
    ch.wake.clear()
    pbx.apps.add_channel(app, ch.id)
    pbx.publish(h.StasisStarted(pbx.now(), ch.snapshot(), app, ch.stasis_args))
    while ch.stasis_app is not None and not ch.hangup_started:
        ch.wake.clear()
        await ch.wake.wait()
    if ch.hangup_started:
        return "hangup"
    if ch.continue_to is not None:
        context, exten, priority, label = ch.continue_to
        ch.continue_to = None
        if context:
            ch.context = context
        if exten:
            ch.exten = exten
        if label:
            return f"{ch.context},{ch.exten},{label}"
        if priority is not None:
            return f"{ch.context},{ch.exten},{priority}"
        if context or exten:
            return f"{ch.context},{ch.exten},1"
    return None
