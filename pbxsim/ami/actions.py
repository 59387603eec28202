"""AMI actions that query or change the PBX (everything except Login/Logoff/Events/Ping,
which belong to the session). Each handler returns the messages to send, response first;
texts and layouts are those of the recordings (tests/fixtures/asterisk/recordings*/ami-*.raw).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from pbxsim.ami import protocol as p
from pbxsim.ami.port import ActionFailed, AmiBackend, OriginateRequest
from pbxsim.ami.render import channel_headers, extension_status
from pbxsim.conf.objects import parse_callerid

Handler = Callable[[p.Action, AmiBackend], list[p.Headers]]


def _bool(value: str) -> bool:
    return value.strip().lower() in ("yes", "true", "y", "t", "1", "on")


def core_show_channels(action: p.Action, pbx: AmiBackend) -> list[p.Headers]:
    rows = pbx.channels()
    out = [p.list_start(action, "Channels will follow")]
    for row in rows:
        secs = row.seconds
        duration = f"{secs // 3600:02d}:{secs // 60 % 60:02d}:{secs % 60:02d}"
        out.append(
            p.list_item("CoreShowChannel", action)
            + channel_headers(row.channel)
            + [
                ("Application", row.application),
                ("ApplicationData", row.application_data),
                ("Duration", duration),
                ("BridgeId", row.bridge_id),
            ]
        )
    out.append(p.list_complete("CoreShowChannelsComplete", action, len(rows)))
    return out


def status(action: p.Action, pbx: AmiBackend) -> list[p.Headers]:
    wanted = action.get("Channel")
    rows = [r for r in pbx.channels() if not wanted or r.channel.name == wanted]
    if wanted and not rows:
        return [p.error(action, "No such channel")]
    out = [p.list_start(action, "Channel status will follow")]
    for row in rows:
        ch = row.channel
        item: p.Headers = [("Event", "Status"), ("Privilege", "Call"), *channel_headers(ch)]
        item += [
            ("Type", ch.tech),
            ("DNID", ""),
            ("EffectiveConnectedLineNum", ch.connected_number or "<unknown>"),
            ("EffectiveConnectedLineName", ch.connected_name or "<unknown>"),
            ("TimeToHangup", "0"),
            ("BridgeID", row.bridge_id),
            ("Application", row.application),
            ("Data", row.application_data),
            ("Nativeformats", "(ulaw)"),
            ("Readformat", "ulaw"),
            ("Readtrans", ""),
            ("Writeformat", "ulaw"),
            ("Writetrans", ""),
            ("Callgroup", "0"),
            ("Pickupgroup", "0"),
            ("Seconds", str(row.seconds)),
        ]
        if action.action_id is not None:
            item.append(("ActionID", action.action_id))
        out.append(item)
    out.append([*p.list_complete("StatusComplete", action, len(rows)), ("Items", str(len(rows)))])
    return out


def pjsip_show_endpoints(action: p.Action, pbx: AmiBackend) -> list[p.Headers]:
    rows = sorted(pbx.endpoints(), key=lambda r: r.name)
    out = [p.list_start(action, "A listing of Endpoints follows, presented as EndpointList events")]
    for row in rows:
        item = p.list_item(
            "EndpointList",
            action,
            ("ObjectType", "endpoint"),
            ("ObjectName", row.name),
            ("Transport", row.transport),
            ("Aor", row.aors),
            ("Auths", ""),
            ("OutboundAuths", ""),
        )
        if row.contacts:
            item.append(("Contacts", "".join(f"{c}," for c in row.contacts)))
        item += [("DeviceState", row.device_state), ("ActiveChannels", str(row.active_channels))]
        out.append(item)
    out.append(p.list_complete("EndpointListComplete", action, len(rows)))
    return out


def pjsip_show_contacts(action: p.Action, pbx: AmiBackend) -> list[p.Headers]:
    rows = pbx.contacts()
    if not rows:
        return [p.error(action, "No Contacts found\n")]  # sic: Asterisk sends the newline
    out = [p.list_start(action, "A listing of Contacts follows, presented as ContactList events")]
    for c in rows:
        out.append(
            p.list_item(
                "ContactList",
                action,
                ("ObjectType", "contact"),
                ("ObjectName", c.contact_id),
                ("ViaAddr", c.via_addr),
                ("QualifyTimeout", f"{c.qualify_timeout:.6f}"),
                ("Qualify2xxOnly", "false"),
                ("CallId", c.call_id),
                ("RegServer", ""),
                ("PruneOnBoot", "no"),
                ("Path", ""),
                ("Endpoint", c.endpoint),
                ("ViaPort", str(c.via_port)),
                ("AuthenticateQualify", "no"),
                ("Uri", c.uri),
                ("QualifyFrequency", str(c.qualify_frequency)),
                ("UserAgent", c.user_agent),
                ("ExpirationTime", str(c.expiration_time)),
                ("OutboundProxy", ""),
                ("Status", c.status),
                ("RoundtripUsec", c.roundtrip_usec),
            )
        )
    out.append(p.list_complete("ContactListComplete", action, len(rows)))
    return out


def device_state_list(action: p.Action, pbx: AmiBackend) -> list[p.Headers]:
    rows = pbx.device_states()
    out = [p.list_start(action, "Device State Changes will follow")]
    for device, state in rows:
        out.append(p.list_item("DeviceStateChange", action, ("Device", device), ("State", state)))
    out.append(p.list_complete("DeviceStateListComplete", action, len(rows)))
    return out


def extension_state_list(action: p.Action, pbx: AmiBackend) -> list[p.Headers]:
    states = dict(pbx.device_states())
    hints = pbx.hints()
    out = [p.list_start(action, "Extension Statuses will follow")]
    for exten, context, device in hints:
        state = states.get(device, "UNAVAILABLE")
        out.append(
            p.list_item("ExtensionStatus", action) + extension_status(exten, context, device, state)
        )
    out.append(p.list_complete("ExtensionStateListComplete", action, len(hints)))
    return out


def queue_status(action: p.Action, pbx: AmiBackend) -> list[p.Headers]:
    wanted, member = action.get("Queue"), action.get("Member")
    out = [p.list_start(action, "Queue status will follow")]
    count = 0
    aid = [("ActionID", action.action_id)] if action.action_id is not None else []
    for q in pbx.queues():
        if wanted and q.name != wanted:
            continue
        out.append(
            [
                ("Event", "QueueParams"),
                ("Queue", q.name),
                ("Max", str(q.maxlen)),
                ("Strategy", q.strategy),
                ("Calls", str(q.calls)),
                ("Holdtime", str(q.holdtime)),
                ("TalkTime", str(q.talktime)),
                ("Completed", str(q.completed)),
                ("Abandoned", str(q.abandoned)),
                ("ServiceLevel", str(q.service_level)),
                ("ServicelevelPerf", f"{q.service_level_perf:.1f}"),
                ("ServicelevelPerf2", f"{q.service_level_perf:.1f}"),
                ("Weight", str(q.weight)),
                *aid,
            ]
        )
        count += 1
        for m in q.members:
            if member and m.interface != member and m.membername != member:
                continue
            out.append(
                [
                    ("Event", "QueueMember"),
                    ("Queue", q.name),
                    ("Name", m.membername),
                    ("Location", m.interface),
                    ("StateInterface", m.state_interface),
                    ("Membership", "dynamic" if m.dynamic else "static"),
                    ("Penalty", str(m.penalty)),
                    ("CallsTaken", str(m.calls_taken)),
                    ("LastCall", str(m.last_call)),
                    ("LastPause", str(m.last_pause)),
                    ("LoginTime", str(m.login_time)),
                    ("InCall", "1" if m.in_call else "0"),
                    ("Status", str(m.status)),
                    ("Paused", "1" if m.paused else "0"),
                    ("PausedReason", m.paused_reason),
                    ("Wrapuptime", str(m.wrapuptime)),
                    *aid,
                ]
            )
            count += 1
        for position, (caller, wait) in enumerate(q.callers, start=1):
            out.append(
                [
                    ("Event", "QueueEntry"),
                    ("Queue", q.name),
                    ("Position", str(position)),
                    ("Channel", caller.name),
                    ("Uniqueid", caller.id),
                    ("CallerIDNum", caller.caller_number or "unknown"),
                    ("CallerIDName", caller.caller_name or "unknown"),
                    ("ConnectedLineNum", caller.connected_number or "unknown"),
                    ("ConnectedLineName", caller.connected_name or "unknown"),
                    ("Wait", str(wait)),
                    ("Priority", "0"),
                    *aid,
                ]
            )
            count += 1
    out.append(p.list_complete("QueueStatusComplete", action, count))
    return out


def queue_summary(action: p.Action, pbx: AmiBackend) -> list[p.Headers]:
    wanted = action.get("Queue")
    rows = [q for q in pbx.queues() if not wanted or q.name == wanted]
    aid = [("ActionID", action.action_id)] if action.action_id is not None else []
    out = [p.list_start(action, "Queue summary will follow")]
    for q in rows:
        logged_in = len(q.members)
        available = sum(1 for m in q.members if not m.paused and m.status == 1)
        longest = max((w for _, w in q.callers), default=0)
        out.append(
            [
                ("Event", "QueueSummary"),
                ("Queue", q.name),
                ("LoggedIn", str(logged_in)),
                ("Available", str(available)),
                ("Callers", str(len(q.callers))),
                ("HoldTime", str(q.holdtime)),
                ("TalkTime", str(q.talktime)),
                ("LongestHoldTime", str(longest)),
                *aid,
            ]
        )
    out.append(p.list_complete("QueueSummaryComplete", action, len(rows)))
    return out


def queue_pause(action: p.Action, pbx: AmiBackend) -> list[p.Headers]:
    interface = action.get("Interface")
    if not interface:
        return [p.error(action, "Need 'Interface' and 'Paused' parameters.")]
    paused = _bool(action.get("Paused"))
    pbx.queue_pause(action.get("Queue") or None, interface, paused, action.get("Reason"))
    text = "Interface paused successfully" if paused else "Interface unpaused successfully"
    return [p.response(action, "Success", ("Message", text))]


def queue_add(action: p.Action, pbx: AmiBackend) -> list[p.Headers]:
    queue, interface = action.get("Queue"), action.get("Interface")
    if not queue or not interface:
        return [p.error(action, "'Queue' and 'Interface' not specified.")]
    penalty = action.get("Penalty") or "0"
    if not penalty.lstrip("-").isdigit():
        return [p.error(action, f"Penalty must be an integer, got {penalty!r}")]
    pbx.queue_add(
        queue,
        interface,
        action.get("MemberName") or interface,
        int(penalty),
        _bool(action.get("Paused")),
    )
    return [p.response(action, "Success", ("Message", "Added interface to queue"))]


def queue_remove(action: p.Action, pbx: AmiBackend) -> list[p.Headers]:
    queue, interface = action.get("Queue"), action.get("Interface")
    if not queue or not interface:
        return [p.error(action, "Need 'Queue' and 'Interface' parameters.")]
    pbx.queue_remove(queue, interface)
    return [p.response(action, "Success", ("Message", "Removed interface from queue"))]


def hangup(action: p.Action, pbx: AmiBackend) -> list[p.Headers]:
    channel = action.get("Channel")
    if not channel:
        return [p.error(action, "No channel specified")]
    cause = action.get("Cause") or "16"
    if not cause.isdigit():
        return [p.error(action, f"Invalid cause {cause!r}")]
    if pbx.hangup(channel, int(cause)) == 0:
        return [p.error(action, "No such channel")]
    return [p.response(action, "Success", ("Message", "Channel Hungup"))]


def redirect(action: p.Action, pbx: AmiBackend) -> list[p.Headers]:
    channel, exten = action.get("Channel"), action.get("Exten")
    if not channel:
        return [p.error(action, "Channel not specified")]
    priority = action.get("Priority") or "1"
    if not priority.isdigit():
        return [p.error(action, f"Invalid priority {priority!r}")]
    pbx.redirect(channel, action.get("Context"), exten, int(priority))
    return [p.response(action, "Success", ("Message", "Redirect successful"))]


def parse_originate(action: p.Action) -> OriginateRequest:
    channel = action.get("Channel")
    if not channel or "/" not in channel:
        raise ActionFailed("Channel not specified" if not channel else "Invalid channel")
    timeout = action.get("Timeout") or "30000"
    if not timeout.isdigit():
        raise ActionFailed("Invalid timeout")
    priority_text = action.get("Priority")
    application = action.get("Application") or None
    exten = action.get("Exten") or None
    if application is None and exten is None:
        raise ActionFailed("Exten or Application not specified")  # simulator's own wording
    if priority_text and not priority_text.isdigit():
        raise ActionFailed("Invalid priority")
    variables: list[tuple[str, str]] = []
    for value in action.get_all("Variable"):
        for pair in value.split(","):
            name, sep, val = pair.partition("=")
            if sep:
                variables.append((name.strip(), val))
    return OriginateRequest(
        channel=channel,
        context=action.get("Context") or None,
        exten=exten,
        priority=int(priority_text) if priority_text else (1 if exten else None),
        application=application,
        data=action.get("Data"),
        caller_id=action.get("CallerID"),
        timeout_s=int(timeout) / 1000.0,
        variables=tuple(variables),
        channel_id=action.get("ChannelId") or None,
        other_channel_id=action.get("OtherChannelId") or None,
    )


def caller_parts(caller_id: str) -> tuple[str, str]:
    """(number, name) of an Originate ``CallerID`` header."""
    name, number = parse_callerid(caller_id) if caller_id else ("", "")
    return number, name


def core_settings(action: p.Action, pbx: AmiBackend) -> list[p.Headers]:
    return [
        p.response(
            action,
            "Success",
            ("AMIversion", "11.0.0"),
            ("AsteriskVersion", "22.10.1"),
            ("SystemName", ""),
            ("CoreMaxCalls", "0"),
            ("CoreMaxLoadAvg", "0.000000"),
            ("CoreRunUser", ""),
            ("CoreRunGroup", ""),
            ("CoreMaxFilehandles", "0"),
            ("CoreRealTimeEnabled", "No"),
            ("CoreCDRenabled", "Yes"),
            ("CoreHTTPenabled", "No"),
            ("SoundsSearchCustomDir", "No"),
        )
    ]


def core_status(action: p.Action, pbx: AmiBackend) -> list[p.Headers]:
    started = pbx.now() - pbx.uptime()
    day = time.strftime("%Y-%m-%d", time.gmtime(started))
    clock = time.strftime("%H:%M:%S", time.gmtime(started))
    return [
        p.response(
            action,
            "Success",
            ("CoreStartupDate", day),
            ("CoreStartupTime", clock),
            ("CoreReloadDate", day),
            ("CoreReloadTime", clock),
            ("CoreCurrentCalls", str(len(pbx.channels()))),
            ("CoreProcessedCalls", "0"),
        )
    ]


HANDLERS: dict[str, Handler] = {
    "coreshowchannels": core_show_channels,
    "status": status,
    "pjsipshowendpoints": pjsip_show_endpoints,
    "pjsipshowcontacts": pjsip_show_contacts,
    "devicestatelist": device_state_list,
    "extensionstatelist": extension_state_list,
    "queuestatus": queue_status,
    "queuesummary": queue_summary,
    "queuepause": queue_pause,
    "queueadd": queue_add,
    "queueremove": queue_remove,
    "hangup": hangup,
    "redirect": redirect,
    "coresettings": core_settings,
    "corestatus": core_status,
}
