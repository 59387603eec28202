"""AMI Originate of a Local channel (``Local/<exten>@<context>``), built on the model's public
operations. What it reproduces (ami-actions.raw, originate-21 and -23):

Newchannel ``;1`` (Down) and ``;2`` (Ring), Newexten ``;1`` AppDial2, caller id and connected
line on both, LocalBridge, DialBegin ``;1``; ``;2`` runs the dialplan at exten@context; when it
answers, ``;1`` is Up (DeviceStateChange ``Local/<exten>@<context>`` INUSE for each), DialEnd
ANSWER, then ``;1`` runs the Application (``Wait(n)``: n seconds) or the dialplan at
Context/Exten/Priority. When one side ends the other is hung up: HangupRequest ``;2`` (cause 0),
Hangup ``;1`` (cause 0), SoftHangupRequest ``;2`` (16), Hangup ``;2`` (0), then NOT_INUSE.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

from pbxsim.conf.objects import parse_callerid
from pbxsim.model import happenings as h
from pbxsim.model.errors import BadRequest
from pbxsim.model.objects import Channel
from pbxsim.model.pbx import Pbx

_SEQ = itertools.count(0)


@dataclass(frozen=True, slots=True)
class LocalBridged(h.Happening):
    """The two halves of a Local channel were joined (AMI LocalBridge)."""

    one: h.ChannelSnapshot
    two: h.ChannelSnapshot
    context: str
    exten: str
    optimization: bool = True


Watch = Callable[[Callable[[h.Happening], bool]], None]


def originate_local(
    pbx: Pbx,
    target: str,
    *,
    caller_id: str,
    application: str | None,
    data: str,
    context: str | None,
    exten: str | None,
    priority: int | None,
    variables: dict[str, str],
    watch: Watch,
) -> Channel:
    """Start the originate; returns the ``;1`` half (the one OriginateResponse names)."""
    from pbxsim.model.dialplan import run_dialplan

    resource = target.partition("/")[2].split("/")[0]
    to_exten, sep, to_context = resource.partition("@")
    if not sep or not to_exten or not to_context:
        raise BadRequest(f"Invalid Local channel {target!r} (expected Local/exten@context)")
    if not pbx.config.dialplan.get(to_context):
        raise BadRequest(f"Context {to_context!r} of {target!r} does not exist")
    device = f"Local/{to_exten}@{to_context}"
    name = f"{device}-{next(_SEQ):08x}"
    one = pbx.new_channel(tech="Local", resource=resource, endpoint=None, state="Down",
                          caller_name="", caller_number="", context=to_context, exten=to_exten,
                          name=f"{name};1")  # fmt: skip
    two = pbx.new_channel(tech="Local", resource=resource, endpoint=None, state="Ring",
                          caller_name="", caller_number="", context=to_context, exten=to_exten,
                          name=f"{name};2", linkedid=one.linkedid)  # fmt: skip
    pbx.publish(h.ChannelCreated(pbx.now(), one.snapshot()))
    pbx.publish(h.ChannelCreated(pbx.now(), two.snapshot()))
    pbx.step(one, 1, "AppDial2", "(Outgoing Line)")
    for key, value in variables.items():
        pbx.set_var(one, key, value)
    if caller_id:  # without one Asterisk sends no caller id / connected line events here
        cid_name, cid_num = parse_callerid(caller_id)
        one.caller_name, one.caller_number = cid_name, cid_num
        pbx.publish(h.CallerIdChanged(pbx.now(), one.snapshot()))
        one.connected_name, one.connected_number = cid_name, cid_num
        pbx.publish(h.ConnectedLineChanged(pbx.now(), one.snapshot()))
        two.caller_name, two.caller_number = cid_name, cid_num
        two.connected_name, two.connected_number = cid_name, cid_num
        pbx.publish(h.CallerIdChanged(pbx.now(), two.snapshot()))
        pbx.publish(h.ConnectedLineChanged(pbx.now(), two.snapshot()))
    pbx.publish(LocalBridged(pbx.now(), one.snapshot(), two.snapshot(), to_context, to_exten))
    pbx.publish(h.DialBegan(pbx.now(), None, one.snapshot(), resource))

    async def run_one() -> None:
        if application is not None:
            one.app_name, one.app_data = application, data
            seconds = float(data) if application.lower() == "wait" and _number(data) else 0.0
            await pbx.clock.sleep(seconds)
            if not one.destroyed:
                _end_pair(pbx, one, two)
        else:
            one.context = context or to_context
            one.exten = exten or "s"
            await run_dialplan(pbx, one, start=priority or 1)

    def on(x: h.Happening) -> bool:
        if (
            isinstance(x, h.ChannelStateChanged)
            and x.channel.id == two.id
            and x.channel.state == "Up"
        ):
            pbx.publish(h.DeviceStateChanged(pbx.now(), device, "INUSE"))
            one.answered_at = pbx.now()
            pbx.set_state(one, "Up")
            pbx.publish(h.DeviceStateChanged(pbx.now(), device, "INUSE"))
            pbx.publish(h.DialEnded(pbx.now(), None, one.snapshot(), "ANSWER"))
            pbx.spawn(run_one())
            return False
        if isinstance(x, h.ChannelHungUp) and x.channel.id in (one.id, two.id):
            _cdr(pbx, one if x.channel.id == one.id else two)
            pbx.publish(h.DeviceStateChanged(pbx.now(), device, "NOT_INUSE"))
            other = two if x.channel.id == one.id else one
            if not other.destroyed and not other.hangup_started:
                _end_pair(pbx, other, one if other is two else two)
            return one.destroyed and two.destroyed
        return False

    watch(on)
    pbx.spawn(run_dialplan(pbx, two))
    return one


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _end_pair(pbx: Pbx, ending: Channel, peer: Channel) -> None:
    """``ending`` is done: its peer gets a hang-up request (cause 0), ``ending`` goes."""
    if not peer.destroyed and not peer.hangup_started:
        pbx.do_hangup(peer, request_cause=0, final_cause=0, soft=False)
    if not ending.destroyed:
        ending.hangup_started = True
        pbx.destroy(ending, 0)


def _cdr(pbx: Pbx, ch: Channel) -> None:
    """cdr_manager's record of a Local half (the model writes those of PJSIP channels)."""
    end = pbx.now()
    answered = ch.answered_at
    name = ch.caller_name
    record = h.CdrRecord(
        accountcode=ch.accountcode,
        source=ch.caller_number,
        destination=ch.exten,
        destination_context=ch.context,
        caller_id=f'"{name}" <{ch.caller_number}>' if ch.caller_number else "",
        channel=ch.name,
        destination_channel="",
        last_application=ch.app_name,
        last_data=ch.app_data,
        start=ch.creationtime,
        answer=answered,
        end=end,
        duration=int(end - ch.creationtime),
        billable_seconds=int(end - answered) if answered is not None else 0,
        disposition="ANSWERED" if answered is not None else "NO ANSWER",
        amaflags="DOCUMENTATION",
        uniqueid=ch.id,
        userfield="",
    )
    pbx.publish(h.CdrWritten(end, record))
