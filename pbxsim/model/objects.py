"""Mutable state of the simulated PBX: channels, bridges, playbacks, endpoints, phones.

Only :class:`pbxsim.model.Pbx` mutates these; renderers read frozen snapshots from
happenings. Everything here is plain data plus ``snapshot()``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from pbxsim.model.happenings import (
    BridgeSnapshot,
    ChannelSnapshot,
    EndpointSnapshot,
    PlaybackSnapshot,
)

PhoneMode = Literal["answer", "busy", "noanswer", "unreachable", "decline", "manual"]


@dataclass(frozen=True, slots=True)
class PhoneBehaviour:
    """How a counsellor's softphone reacts to an INVITE from the PBX.

    - ``answer``: 180 Ringing, then 200 OK after ``answer_after`` seconds;
    - ``busy``: 486 Busy Here (cause 17); ``decline``: 603 (cause 21);
    - ``noanswer``: 180 Ringing and nothing more (the dialler's timeout ends it: cause 19/480);
    - ``unreachable``: nothing listens (no reply at all; cause 19/480 at the timeout);
    - ``manual``: 180 Ringing and nothing automatic: an actor calls ``Pbx.phone_answer`` /
      ``Pbx.phone_reject`` / ``Pbx.hangup`` after seeing :class:`PhoneInvited`.
    """

    mode: PhoneMode = "answer"
    answer_after: float = 0.0
    ring: bool = True  # send 180 before answering
    # after the PBX REFERs the answered call elsewhere: "complete" = NOTIFY 200 then BYE (fact 46),
    # "ghost" = 202 but no valid NOTIFY, the leg lingers after a DELETE (fact 47), "ignore"
    refer: Literal["complete", "ghost", "ignore"] = "complete"
    sends_rtp: bool = False  # SIPp sent none in the recordings (fact 51)


@dataclass
class Channel:
    id: str
    name: str
    tech: str
    endpoint: str | None  # "hn-01" for PJSIP, None otherwise
    state: str
    caller_name: str
    caller_number: str
    creationtime: float
    linkedid: str
    protocol_id: str = ""
    connected_name: str = ""
    connected_number: str = ""
    accountcode: str = ""
    context: str = "default"
    exten: str = "s"
    priority: int = 1
    app_name: str = ""
    app_data: str = ""
    language: str = "en"
    variables: dict[str, str] = field(default_factory=dict)
    outbound: bool = False
    answered_at: float | None = None
    bridge_id: str | None = None
    stasis_app: str | None = None
    stasis_args: tuple[str, ...] = ()
    moh: bool = False
    hangup_started: bool = False
    destroyed: bool = False
    ghost: bool = False
    dtmf_log: list[str] = field(default_factory=list)
    # an outbound leg still being set up: resolved with "answer"/"busy"/"noanswer"/"cancel"
    dial_result: asyncio.Future[str] | None = None
    # set when a Stasis() or Queue() in the dialplan must stop waiting
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    continue_to: tuple[str | None, str | None, int | None, str | None] | None = None
    hangup_cause: int = 16
    hangup_tech_cause: int | None = None
    snoop_of: str | None = None
    transfer_handling: str = ""
    dialled_by: str | None = None  # the channel whose dial rings this leg (queue, Dial)
    refer_sent: bool = False  # the phone on this leg sent a REFER (fact 50)
    refer_pending: bool = False  # REFER accepted (202) but never completed (fact 47)
    in_dialplan: bool = False  # a dialplan task owns the end of this channel
    queue_name: str | None = None
    # run when the channel goes: just before its Hangup (the partner a basic bridge drops once
    # this channel's own thread is done) and just after it (legs held until then)
    before_destroy: list[Callable[[], None]] = field(default_factory=list)
    # legs that rang while Queue() was still calling members: their DialState RINGING waits
    held_dial_states: list[Channel] | None = None
    hangup_by_app: bool = False  # the dialplan's Hangup() ended it
    seq: int = 0  # creation order (the older channel of a bridged pair is the CDR's party A)
    # CDRs: one record per party B this channel had (legs its Queue()/Dial() rang, younger
    # channels it was bridged with); a leg dialled by a channel has no record of its own
    cdr_peers: list[Channel] = field(default_factory=list)
    cdr_merged: bool = False
    after_destroy: list[Callable[[], None]] = field(default_factory=list)

    def snapshot(self) -> ChannelSnapshot:
        return ChannelSnapshot(
            id=self.id,
            name=self.name,
            state=self.state,
            protocol_id=self.protocol_id,
            caller_name=self.caller_name,
            caller_number=self.caller_number,
            connected_name=self.connected_name,
            connected_number=self.connected_number,
            accountcode=self.accountcode,
            context=self.context,
            exten=self.exten,
            priority=self.priority,
            app_name=self.app_name,
            app_data=self.app_data,
            creationtime=self.creationtime,
            language=self.language,
            linkedid=self.linkedid,
            tech=self.tech,
            endpoint=f"{self.tech}/{self.endpoint}" if self.endpoint else None,
        )


@dataclass
class Bridge:
    id: str
    bridge_type: str
    name: str
    creationtime: float
    bridge_class: str = "stasis"
    creator: str = "Stasis"
    channels: list[str] = field(default_factory=list)
    moh_channel: str | None = None  # Announcer/ARI_MOH-... while bridge MOH plays
    play_announcer: str | None = None  # Announcer/ARI-... while a bridge playback plays
    destroyed: bool = False

    def technology(self, pjsip_count: int) -> str:
        if self.bridge_type == "holding":
            return "holding_bridge"
        if len(self.channels) == 2 and pjsip_count == 2:
            return "native_rtp"
        if len(self.channels) > 2:
            return "softmix"
        return "simple_bridge"

    def snapshot(self, technology: str = "simple_bridge") -> BridgeSnapshot:
        return BridgeSnapshot(
            id=self.id,
            technology=technology,
            bridge_type=self.bridge_type,
            bridge_class=self.bridge_class,
            creator=self.creator,
            name=self.name,
            channels=tuple(self.channels),
            creationtime=self.creationtime,
        )


@dataclass
class Playback:
    id: str
    media: list[str]
    target_uri: str
    language: str = "en"
    index: int = 0
    state: str = "queued"
    stop_requested: bool = False
    task: asyncio.Task[None] | None = None
    wake: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def media_uri(self) -> str:
        return self.media[min(self.index, len(self.media) - 1)]

    def snapshot(self) -> PlaybackSnapshot:
        nxt = self.media[self.index + 1] if self.index + 1 < len(self.media) else None
        if self.state in ("done", "failed"):
            nxt = None
        return PlaybackSnapshot(
            id=self.id,
            media_uri=self.media_uri,
            next_media_uri=nxt,
            target_uri=self.target_uri,
            language=self.language,
            state=self.state,
        )


@dataclass
class Contact:
    uri: str
    expires_at: float | None  # None = static
    status: str = "NonQualified"  # Reachable, Unreachable, NonQualified
    roundtrip_usec: int = 0


@dataclass
class Endpoint:
    """A PJSIP endpoint, its contacts and the behaviour of the phone behind them."""

    name: str
    context: str
    callerid_name: str
    callerid_number: str
    static_contact: str | None
    language: str = "en"
    contacts: list[Contact] = field(default_factory=list)
    phone: PhoneBehaviour = field(default_factory=PhoneBehaviour)
    channel_ids: list[str] = field(default_factory=list)
    has_aor: bool = True
    qualify_frequency: float = 0.0
    qualify_timeout: float = 3.0
    outbound_legs: int = 0  # channels the PBX ever dialled here (0 for a trunk)

    @property
    def online(self) -> bool:
        return any(c.status != "Unreachable" for c in self.contacts)

    @property
    def ari_state(self) -> str:
        return "online" if self.online else "offline"

    def snapshot(self) -> EndpointSnapshot:
        return EndpointSnapshot(
            technology="PJSIP",
            resource=self.name,
            state=self.ari_state,
            channel_ids=tuple(self.channel_ids),
        )
