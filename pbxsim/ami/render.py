"""The model's happenings as AMI events, with the header sets and order of Asterisk 22.

Every layout here was read off tests/fixtures/asterisk/recordings*/ami-*.raw. ``render``
returns ``(class, headers)`` pairs: the class (``call``, ``agent``, ...) decides which sessions
may read the event (manager.conf ``read =``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from pbxsim.ami.protocol import Headers
from pbxsim.model import happenings as h

Rendered = list[tuple[str, Headers]]

STATE_NUMBERS = {
    "Down": 0,
    "Rsrvd": 1,
    "OffHook": 2,
    "Dialing": 3,
    "Ring": 4,
    "Ringing": 5,
    "Up": 6,
    "Busy": 7,
    "Dialing Offhook": 8,
    "Pre-ring": 9,
}

# AMI ExtensionStatus numbers for a hint's device state (ast_extension_state).
EXTENSION_STATUS = {
    "NOT_INUSE": (0, "Idle"),
    "INUSE": (1, "InUse"),
    "BUSY": (2, "Busy"),
    "INVALID": (4, "Unavailable"),
    "UNAVAILABLE": (4, "Unavailable"),
    "UNKNOWN": (4, "Unavailable"),
    "RINGING": (8, "Ringing"),
    "RINGINUSE": (9, "InUse&Ringing"),
    "ONHOLD": (16, "Hold"),
}


def _or_unknown(value: str) -> str:
    return value if value else "<unknown>"


def channel_headers(ch: h.ChannelSnapshot, prefix: str = "") -> Headers:
    """The channel block every channel event carries (``Dest`` prefix for the called side)."""
    return [
        (f"{prefix}Channel", ch.name),
        (f"{prefix}ChannelState", str(STATE_NUMBERS.get(ch.state, 0))),
        (f"{prefix}ChannelStateDesc", ch.state),
        (f"{prefix}CallerIDNum", _or_unknown(ch.caller_number)),
        (f"{prefix}CallerIDName", _or_unknown(ch.caller_name)),
        (f"{prefix}ConnectedLineNum", _or_unknown(ch.connected_number)),
        (f"{prefix}ConnectedLineName", _or_unknown(ch.connected_name)),
        (f"{prefix}Language", ch.language),
        (f"{prefix}AccountCode", ch.accountcode),
        (f"{prefix}Context", ch.context),
        (f"{prefix}Exten", ch.exten),
        (f"{prefix}Priority", str(ch.priority)),
        (f"{prefix}Uniqueid", ch.id),
        (f"{prefix}Linkedid", ch.linkedid),
    ]


def bridge_headers(b: h.BridgeSnapshot) -> Headers:
    return [
        ("BridgeUniqueid", b.id),
        ("BridgeType", b.bridge_class),
        ("BridgeTechnology", b.technology),
        ("BridgeCreator", _or_unknown(b.creator)),
        ("BridgeName", _or_unknown(b.name)),
        ("BridgeNumChannels", str(len(b.channels))),
        ("BridgeVideoSourceMode", b.video_mode),
    ]


def member_headers(m: h.MemberSnapshot) -> Headers:
    return [
        ("Queue", m.queue),
        ("MemberName", m.membername),
        ("Interface", m.interface),
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
        ("Ringinuse", "1" if m.ringinuse else "0"),
        ("Wrapuptime", str(m.wrapuptime)),
    ]


def _event(name: str, cls: str, *blocks: Headers) -> tuple[str, Headers]:
    headers: Headers = [("Event", name), ("Privilege", f"{cls},all")]
    for block in blocks:
        headers.extend(block)
    return cls, headers


def _cdr_time(at: float | None) -> str:
    if at is None:
        return ""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(at))


def _hangup_request(x: h.HangupRequested) -> Rendered:
    extra: Headers = []
    if x.cause is not None or x.soft:
        extra.append(("Cause", str(x.cause or 0)))
    if x.tech_cause is not None:
        extra.append(("TechCause", str(x.tech_cause)))
    name = "SoftHangupRequest" if x.soft else "HangupRequest"
    return [_event(name, "call", channel_headers(x.channel), extra)]


def _hangup(x: h.ChannelHungUp) -> Rendered:
    extra: Headers = [("Cause", str(x.cause)), ("Cause-txt", x.cause_txt)]
    if x.tech_cause is not None:
        extra.append(("TechCause", str(x.tech_cause)))
    return [_event("Hangup", "call", channel_headers(x.channel), extra)]


def _dial(
    name: str, caller: h.ChannelSnapshot | None, peer: h.ChannelSnapshot, tail: Headers
) -> Rendered:
    blocks = [channel_headers(caller)] if caller is not None else []
    return [_event(name, "call", *blocks, channel_headers(peer, "Dest"), tail)]


def _agent(name: str, x: Any, tail: Headers) -> Rendered:
    member: h.MemberSnapshot = x.member
    return [
        _event(
            name,
            "agent",
            channel_headers(x.channel),
            channel_headers(x.dest, "Dest"),
            [
                ("Queue", x.queue),
                ("Interface", member.interface),
                ("MemberName", member.membername),
            ],
            tail,
        )
    ]


def _cdr(x: h.CdrWritten) -> Rendered:
    c = x.cdr
    return [
        _event(
            "Cdr",
            "cdr",
            [
                ("AccountCode", c.accountcode),
                ("Source", c.source),
                ("Destination", c.destination),
                ("DestinationContext", c.destination_context),
                ("CallerID", c.caller_id),
                ("Channel", c.channel),
                ("DestinationChannel", c.destination_channel),
                ("LastApplication", c.last_application),
                ("LastData", c.last_data),
                ("StartTime", _cdr_time(c.start)),
                ("AnswerTime", _cdr_time(c.answer)),
                ("EndTime", _cdr_time(c.end)),
                ("Duration", str(c.duration)),
                ("BillableSeconds", str(c.billable_seconds)),
                ("Disposition", c.disposition),
                ("AMAFlags", c.amaflags),
                ("UniqueID", c.uniqueid),
                ("UserField", c.userfield),
            ],
        )
    ]


def _ch(
    name: str, cls: str, tail: Callable[[Any], Headers] | None = None
) -> Callable[[Any], Rendered]:
    def build(x: Any) -> Rendered:
        return [_event(name, cls, channel_headers(x.channel), tail(x) if tail else [])]

    return build


_RENDERERS: dict[type[h.Happening], Callable[[Any], Rendered]] = {
    h.ChannelCreated: _ch("Newchannel", "call"),
    h.ChannelStateChanged: _ch("Newstate", "call"),
    h.VarSet: _ch("VarSet", "dialplan", lambda x: [("Variable", x.variable), ("Value", x.value)]),
    h.DialplanStepped: _ch(
        "Newexten",
        "dialplan",
        lambda x: [("Extension", x.channel.exten), ("Application", x.app), ("AppData", x.app_data)],
    ),
    h.CallerIdChanged: _ch(
        "NewCallerid",
        "call",
        lambda x: [("CID-CallingPres", f"{x.caller_presentation} ({x.caller_presentation_txt})")],
    ),
    h.ConnectedLineChanged: _ch("NewConnectedLine", "call"),
    h.HangupRequested: _hangup_request,
    h.ChannelHungUp: _hangup,
    h.DtmfBegan: _ch(
        "DTMFBegin", "dtmf", lambda x: [("Digit", x.digit), ("Direction", x.direction)]
    ),
    h.DtmfEnded: _ch(
        "DTMFEnd",
        "dtmf",
        lambda x: [
            ("Digit", x.digit),
            ("DurationMs", str(x.duration_ms)),
            ("Direction", x.direction),
        ],
    ),
    h.MusicOnHoldStarted: _ch("MusicOnHoldStart", "call", lambda x: [("Class", x.moh_class)]),
    h.MusicOnHoldStopped: _ch("MusicOnHoldStop", "call"),
    h.DialBegan: lambda x: _dial("DialBegin", x.caller, x.peer, [("DialString", x.dialstring)]),
    h.DialProgressed: lambda x: _dial(
        "DialState", x.caller, x.peer, [("DialStatus", x.dialstatus)]
    ),
    h.DialEnded: lambda x: _dial("DialEnd", x.caller, x.peer, [("DialStatus", x.dialstatus)]),
    h.BridgeCreated: lambda x: [_event("BridgeCreate", "call", bridge_headers(x.bridge))],
    h.BridgeDestroyed: lambda x: [_event("BridgeDestroy", "call", bridge_headers(x.bridge))],
    h.ChannelEnteredBridge: lambda x: [
        _event("BridgeEnter", "call", bridge_headers(x.bridge), channel_headers(x.channel))
    ],
    h.ChannelLeftBridge: lambda x: [
        _event("BridgeLeave", "call", bridge_headers(x.bridge), channel_headers(x.channel))
    ],
    h.DeviceStateChanged: lambda x: [
        _event("DeviceStateChange", "call", [("Device", x.device), ("State", x.state)])
    ],
    h.ContactStatusChanged: lambda x: [
        _event(
            "ContactStatus",
            "system",
            [
                ("URI", x.uri),
                ("ContactStatus", x.status),
                ("AOR", x.aor),
                ("EndpointName", x.endpoint),
                ("RoundtripUsec", x.roundtrip_usec),
            ],
        )
    ],
    h.PeerStatusChanged: lambda x: [
        _event(
            "PeerStatus",
            "system",
            [
                ("ChannelType", "PJSIP"),
                ("Peer", f"PJSIP/{x.endpoint}"),
                ("PeerStatus", x.peer_status),
            ],
        )
    ],
    h.QueueCallerJoined: _ch(
        "QueueCallerJoin",
        "agent",
        lambda x: [("Queue", x.queue), ("Position", str(x.position)), ("Count", str(x.count))],
    ),
    h.QueueCallerLeft: _ch(
        "QueueCallerLeave",
        "agent",
        lambda x: [("Queue", x.queue), ("Position", str(x.position)), ("Count", str(x.count))],
    ),
    h.QueueCallerAbandoned: _ch(
        "QueueCallerAbandon",
        "agent",
        lambda x: [
            ("Queue", x.queue),
            ("Position", str(x.position)),
            ("OriginalPosition", str(x.original_position)),
            ("HoldTime", str(x.hold_time)),
        ],
    ),
    h.AgentCalled: lambda x: _agent("AgentCalled", x, []),
    h.AgentConnected: lambda x: _agent(
        "AgentConnect", x, [("HoldTime", str(x.hold_time)), ("RingTime", str(x.ring_time))]
    ),
    h.AgentCompleted: lambda x: _agent(
        "AgentComplete",
        x,
        [("HoldTime", str(x.hold_time)), ("TalkTime", str(x.talk_time)), ("Reason", x.reason)],
    ),
    h.AgentRingNoAnswered: lambda x: _agent(
        "AgentRingNoAnswer", x, [("RingTime", str(x.ring_time))]
    ),
    h.QueueMemberStatusChanged: lambda x: [
        _event("QueueMemberStatus", "agent", member_headers(x.member))
    ],
    h.QueueMemberAdded: lambda x: [_event("QueueMemberAdded", "agent", member_headers(x.member))],
    h.QueueMemberRemoved: lambda x: [
        _event("QueueMemberRemoved", "agent", member_headers(x.member))
    ],
    h.QueueMemberPaused: lambda x: [_event("QueueMemberPause", "agent", member_headers(x.member))],
    h.CdrWritten: _cdr,
    h.PbxShuttingDown: lambda x: [
        _event(
            "Shutdown",
            "system",
            [("Shutdown", "Cleanly"), ("Restart", "True" if x.restart else "False")],
        )
    ],
}


def _local_bridge(x: Any) -> Rendered:
    return [
        _event(
            "LocalBridge",
            "call",
            channel_headers(x.one, "LocalOne"),
            channel_headers(x.two, "LocalTwo"),
            [
                ("Context", x.context),
                ("Exten", x.exten),
                ("LocalOptimization", "Yes" if x.optimization else "No"),
            ],
        )
    ]


def render(happening: h.Happening) -> Rendered:
    """The AMI events for one happening; [] for those AMI does not show (Stasis, playbacks)."""
    builder = _RENDERERS.get(type(happening))
    if builder is None and type(happening).__name__ == "LocalBridged":
        return _local_bridge(happening)  # pbxsim.ami.local's own happening
    return builder(happening) if builder is not None else []


def extension_status(exten: str, context: str, hint: str, device_state: str) -> Headers:
    status, text = EXTENSION_STATUS.get(device_state, (4, "Unavailable"))
    return [
        ("Exten", exten),
        ("Context", context),
        ("Hint", hint),
        ("Status", str(status)),
        ("StatusText", text),
    ]


class Spies:
    """ChanSpyStart / ChanSpyStop for snoop channels (ARI snoop), which need to remember the spied
    channel: Start right after the snoop's Newchannel, Stop right before its Hangup
    (ami-snoop.raw). The spied channel is the one named in ``Snoop/<its id>-<n>``."""

    def __init__(self) -> None:
        self._last: dict[str, h.ChannelSnapshot] = {}  # live channels (and spied ones gone)
        self._spying: dict[str, str] = {}  # snoop id -> spied id
        self._gone: set[str] = set()

    def before(self, x: h.Happening) -> Rendered:
        if isinstance(x, h.ChannelHungUp) and x.channel.id in self._spying:
            spyee_id = self._spying.pop(x.channel.id)
            spyee = self._last.get(spyee_id)
            if spyee_id in self._gone and spyee_id not in self._spying.values():
                self._last.pop(spyee_id, None)
                self._gone.discard(spyee_id)
            if spyee is not None:
                return [self._spy("ChanSpyStop", x.channel, spyee)]
        return []

    def after(self, x: h.Happening) -> Rendered:
        if not isinstance(x, h.ChannelHappening):
            return []
        ch = x.channel
        if isinstance(x, h.ChannelHungUp):
            if ch.id in self._spying.values():
                self._last[ch.id] = ch
                self._gone.add(ch.id)
            else:
                self._last.pop(ch.id, None)
            return []
        self._last[ch.id] = ch
        if isinstance(x, h.ChannelCreated) and ch.tech == "Snoop":
            spyee_id = ch.name.removeprefix("Snoop/").rsplit("-", 1)[0]
            spyee = self._last.get(spyee_id)
            if spyee is not None:
                self._spying[ch.id] = spyee_id
                return [self._spy("ChanSpyStart", ch, spyee)]
        return []

    @staticmethod
    def _spy(name: str, spyer: h.ChannelSnapshot, spyee: h.ChannelSnapshot) -> tuple[str, Headers]:
        return _event(
            name, "call", channel_headers(spyer, "Spyer"), channel_headers(spyee, "Spyee")
        )
