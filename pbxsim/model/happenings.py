"""What happens inside the simulated PBX: typed, frozen, past-tense records on one bus.

Every renderer (ARI WebSocket events, AMI events) is built from these and nothing else. Each
record carries frozen snapshots taken at the moment it happened, so a renderer never reads the
mutable model. ``at`` is the simulator clock's epoch time in seconds.

Naming: one record per thing that happens; the AMI / ARI names they usually become are given in
each docstring.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# ---------------------------------------------------------------- snapshots


@dataclass(frozen=True, slots=True)
class ChannelSnapshot:
    """A channel as it was at one moment (ARI ``Channel``, AMI channel headers)."""

    id: str  # Uniqueid / ARI channel id
    name: str  # PJSIP/hn-01-00000006
    state: str  # ARI spelling: Down, Rsrvd, OffHook, Dialing, Ring, Ringing, Up, Busy
    protocol_id: str
    caller_name: str
    caller_number: str
    connected_name: str
    connected_number: str
    accountcode: str
    context: str
    exten: str
    priority: int
    app_name: str
    app_data: str
    creationtime: float  # epoch seconds
    language: str
    linkedid: str
    tech: str  # PJSIP, Snoop, Local, Announcer
    endpoint: str | None  # "PJSIP/hn-01"; None for Snoop/Announcer
    variables: tuple[tuple[str, str], ...] = ()  # only those asked to be shown (unused yet)


@dataclass(frozen=True, slots=True)
class BridgeSnapshot:
    """A bridge as it was at one moment (ARI ``Bridge``, AMI Bridge* headers)."""

    id: str
    technology: str  # simple_bridge (empty or one channel) / native_rtp / softmix
    bridge_type: str  # mixing / holding
    bridge_class: str  # stasis / basic
    creator: str  # Stasis / BasicBridge
    name: str
    channels: tuple[str, ...]
    creationtime: float
    video_mode: str = "talker"


@dataclass(frozen=True, slots=True)
class PlaybackSnapshot:
    """A playback (ARI ``Playback``); a media list is one playback with several items."""

    id: str
    media_uri: str
    next_media_uri: str | None
    target_uri: str  # channel:<id> / bridge:<id>
    language: str
    state: str  # queued, playing, continuing, done, failed


@dataclass(frozen=True, slots=True)
class EndpointSnapshot:
    """ARI ``Endpoint``: state online/offline/unknown, the channels on it."""

    technology: str
    resource: str
    state: str
    channel_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MemberSnapshot:
    """A queue member as app_queue reports it (AMI QueueMember / QueueMemberStatus)."""

    queue: str
    interface: str  # PJSIP/hn-01
    membername: str  # HN-01
    state_interface: str
    penalty: int
    paused: bool
    paused_reason: str
    calls_taken: int
    last_call: int  # epoch seconds, 0 = never
    last_pause: int
    login_time: int
    in_call: bool
    status: int  # AST_DEVICE_* number: 1 not in use, 2 in use, 6 ringing, 5 unavailable...
    dynamic: bool
    wrapuptime: int
    ringinuse: bool


@dataclass(frozen=True, slots=True)
class CdrRecord:
    """One call detail record (AMI ``Cdr`` from cdr_manager)."""

    accountcode: str
    source: str
    destination: str
    destination_context: str
    caller_id: str
    channel: str
    destination_channel: str
    last_application: str
    last_data: str
    start: float
    answer: float | None
    end: float
    duration: int
    billable_seconds: int
    disposition: str  # ANSWERED, NO ANSWER, BUSY, FAILED
    amaflags: str
    uniqueid: str
    userfield: str


# ---------------------------------------------------------------- base


@dataclass(frozen=True, slots=True)
class Happening:
    """Base of everything on the bus."""

    at: float


@dataclass(frozen=True, slots=True)
class ChannelHappening(Happening):
    channel: ChannelSnapshot


# ---------------------------------------------------------------- channels


@dataclass(frozen=True, slots=True)
class ChannelCreated(ChannelHappening):
    """A channel came to be (ARI ChannelCreated, AMI Newchannel)."""


@dataclass(frozen=True, slots=True)
class ChannelStateChanged(ChannelHappening):
    """Channel state changed, e.g. Ringing, Up (ARI ChannelStateChange, AMI Newstate)."""


@dataclass(frozen=True, slots=True)
class VarSet(ChannelHappening):
    """A channel variable was set (ARI ChannelVarset, AMI VarSet)."""

    variable: str
    value: str


@dataclass(frozen=True, slots=True)
class DialplanStepped(ChannelHappening):
    """The dialplan ran a priority (ARI ChannelDialplan, AMI Newexten).

    ``channel`` already holds the new context/exten/priority/app."""

    app: str
    app_data: str


@dataclass(frozen=True, slots=True)
class CallerIdChanged(ChannelHappening):
    """Caller id changed (ARI ChannelCallerId, AMI NewCallerid)."""

    caller_presentation: int = 0
    caller_presentation_txt: str = "Presentation Allowed, Not Screened"


@dataclass(frozen=True, slots=True)
class ConnectedLineChanged(ChannelHappening):
    """Connected line changed (ARI ChannelConnectedLine, AMI NewConnectedLine)."""


@dataclass(frozen=True, slots=True)
class HangupRequested(ChannelHappening):
    """Someone asked to hang the channel up (ARI ChannelHangupRequest; AMI HangupRequest when
    ``soft`` is False, SoftHangupRequest when True). ``cause`` None = a remote BYE (no cause)."""

    cause: int | None
    tech_cause: int | None = None
    soft: bool = False


@dataclass(frozen=True, slots=True)
class ChannelHungUp(ChannelHappening):
    """The channel is gone (ARI ChannelDestroyed, AMI Hangup)."""

    cause: int
    cause_txt: str
    tech_cause: int | None = None


@dataclass(frozen=True, slots=True)
class DtmfBegan(ChannelHappening):
    """A DTMF digit started (AMI DTMFBegin; none for SIP INFO)."""

    digit: str
    direction: str = "Received"


@dataclass(frozen=True, slots=True)
class DtmfEnded(ChannelHappening):
    """A DTMF digit ended (ARI ChannelDtmfReceived, AMI DTMFEnd)."""

    digit: str
    duration_ms: int
    direction: str = "Received"


@dataclass(frozen=True, slots=True)
class MusicOnHoldStarted(ChannelHappening):
    """MOH started on a channel (AMI MusicOnHoldStart; ARI has no event, fact 25)."""

    moh_class: str = "default"


@dataclass(frozen=True, slots=True)
class MusicOnHoldStopped(ChannelHappening):
    """MOH stopped on a channel (AMI MusicOnHoldStop)."""


@dataclass(frozen=True, slots=True)
class ChannelTransferRequested(ChannelHappening):
    """A phone's REFER reached ARI (PJSIP_TRANSFER_HANDLING=ari-only) or its progress was
    posted (ARI ChannelTransfer). ``channel`` = the phone's leg."""

    destination: str
    connected: ChannelSnapshot | None
    bridge: BridgeSnapshot | None
    state: str | None = None  # None for the REFER itself, else channel_progress, ...


# ---------------------------------------------------------------- dial


@dataclass(frozen=True, slots=True)
class DialBegan(Happening):
    """A dial attempt started (ARI Dial dialstatus "", AMI DialBegin).

    ``caller`` is the dialling channel (None for an ARI originate)."""

    caller: ChannelSnapshot | None
    peer: ChannelSnapshot
    dialstring: str


@dataclass(frozen=True, slots=True)
class DialProgressed(Happening):
    """The dialled side reported progress (ARI Dial RINGING, AMI DialState)."""

    caller: ChannelSnapshot | None
    peer: ChannelSnapshot
    dialstatus: str  # RINGING / PROCEEDING / PROGRESS


@dataclass(frozen=True, slots=True)
class DialEnded(Happening):
    """A dial attempt ended (ARI Dial ANSWER/BUSY/CANCEL/..., AMI DialEnd)."""

    caller: ChannelSnapshot | None
    peer: ChannelSnapshot
    dialstatus: str  # ANSWER, BUSY, NOANSWER, CANCEL, CONGESTION, CHANUNAVAIL


# ---------------------------------------------------------------- bridges


@dataclass(frozen=True, slots=True)
class BridgeCreated(Happening):
    """(ARI BridgeCreated, AMI BridgeCreate)."""

    bridge: BridgeSnapshot


@dataclass(frozen=True, slots=True)
class BridgeDestroyed(Happening):
    """(ARI BridgeDestroyed, AMI BridgeDestroy)."""

    bridge: BridgeSnapshot


@dataclass(frozen=True, slots=True)
class ChannelEnteredBridge(ChannelHappening):
    """(ARI ChannelEnteredBridge, AMI BridgeEnter)."""

    bridge: BridgeSnapshot


@dataclass(frozen=True, slots=True)
class ChannelLeftBridge(ChannelHappening):
    """(ARI ChannelLeftBridge, AMI BridgeLeave)."""

    bridge: BridgeSnapshot


# ---------------------------------------------------------------- stasis / playback


@dataclass(frozen=True, slots=True)
class StasisStarted(ChannelHappening):
    """A channel entered an ARI application (ARI StasisStart)."""

    app: str
    args: tuple[str, ...]
    replace_channel: ChannelSnapshot | None = None


@dataclass(frozen=True, slots=True)
class StasisEnded(ChannelHappening):
    """A channel left an ARI application (ARI StasisEnd)."""

    app: str


@dataclass(frozen=True, slots=True)
class PlaybackStarted(Happening):
    """A playback item started (ARI PlaybackStarted, once per media-list item)."""

    playback: PlaybackSnapshot


@dataclass(frozen=True, slots=True)
class PlaybackContinued(Happening):
    """A media-list item ended and the next follows (ARI PlaybackContinuing)."""

    playback: PlaybackSnapshot


@dataclass(frozen=True, slots=True)
class PlaybackFinished(Happening):
    """The playback ended (ARI PlaybackFinished, state done / failed)."""

    playback: PlaybackSnapshot


# ---------------------------------------------------------------- devices / endpoints


@dataclass(frozen=True, slots=True)
class DeviceStateChanged(Happening):
    """A device's aggregate state changed (ARI DeviceStateChanged, AMI DeviceStateChange).

    ``device`` e.g. PJSIP/hn-01, Queue:hanoi, Queue:hanoi_avail, Announcer/ARI_MOH;
    ``state`` NOT_INUSE, INUSE, BUSY, INVALID, UNAVAILABLE, RINGING, RINGINUSE, ONHOLD, UNKNOWN."""

    device: str
    state: str


@dataclass(frozen=True, slots=True)
class ContactStatusChanged(Happening):
    """A PJSIP contact changed status (AMI ContactStatus, ARI ContactStatusChange).

    ``status``: Created, NonQualified, Reachable, Unreachable, Removed, Updated."""

    endpoint: str  # hn-03
    aor: str
    uri: str
    status: str
    roundtrip_usec: str  # "0", "765", "N/A"
    endpoint_snapshot: EndpointSnapshot


@dataclass(frozen=True, slots=True)
class PeerStatusChanged(Happening):
    """(AMI PeerStatus, ARI PeerStatusChange): Reachable / Unreachable."""

    endpoint: str
    peer_status: str
    endpoint_snapshot: EndpointSnapshot


@dataclass(frozen=True, slots=True)
class EndpointStateChanged(Happening):
    """(ARI EndpointStateChange): online / offline."""

    endpoint: EndpointSnapshot


# ---------------------------------------------------------------- queues (app_queue)


@dataclass(frozen=True, slots=True)
class QueueCallerJoined(ChannelHappening):
    """(AMI QueueCallerJoin)."""

    queue: str
    position: int
    count: int


@dataclass(frozen=True, slots=True)
class QueueCallerLeft(ChannelHappening):
    """(AMI QueueCallerLeave)."""

    queue: str
    position: int
    count: int


@dataclass(frozen=True, slots=True)
class QueueCallerAbandoned(ChannelHappening):
    """The caller hung up while waiting (AMI QueueCallerAbandon)."""

    queue: str
    position: int
    original_position: int
    hold_time: int


@dataclass(frozen=True, slots=True)
class AgentCalled(ChannelHappening):
    """app_queue rings a member (AMI AgentCalled). ``channel`` = the caller."""

    queue: str
    member: MemberSnapshot
    dest: ChannelSnapshot


@dataclass(frozen=True, slots=True)
class AgentConnected(ChannelHappening):
    """(AMI AgentConnect)."""

    queue: str
    member: MemberSnapshot
    dest: ChannelSnapshot
    hold_time: int
    ring_time: int


@dataclass(frozen=True, slots=True)
class AgentCompleted(ChannelHappening):
    """(AMI AgentComplete). ``reason`` caller / agent / transfer."""

    queue: str
    member: MemberSnapshot
    dest: ChannelSnapshot
    hold_time: int
    talk_time: int
    reason: str


@dataclass(frozen=True, slots=True)
class AgentRingNoAnswered(ChannelHappening):
    """A ringing member did not answer in time (AMI AgentRingNoAnswer)."""

    queue: str
    member: MemberSnapshot
    dest: ChannelSnapshot
    ring_time: int


@dataclass(frozen=True, slots=True)
class QueueMemberStatusChanged(Happening):
    """(AMI QueueMemberStatus), once per queue the interface belongs to."""

    member: MemberSnapshot


@dataclass(frozen=True, slots=True)
class QueueMemberAdded(Happening):
    """(AMI QueueMemberAdded)."""

    member: MemberSnapshot


@dataclass(frozen=True, slots=True)
class QueueMemberRemoved(Happening):
    """(AMI QueueMemberRemoved)."""

    member: MemberSnapshot


@dataclass(frozen=True, slots=True)
class QueueMemberPaused(Happening):
    """(AMI QueueMemberPause)."""

    member: MemberSnapshot


# ---------------------------------------------------------------- records / system


@dataclass(frozen=True, slots=True)
class CdrWritten(Happening):
    """A CDR was posted (AMI Cdr)."""

    cdr: CdrRecord


@dataclass(frozen=True, slots=True)
class QueueLogWritten(Happening):
    """A queue_log line: time|callid|queue|agent|event|data..."""

    callid: str
    queue: str
    agent: str
    event: str
    data: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class PbxShuttingDown(Happening):
    """``core restart now`` began (AMI Shutdown; ARI sockets close without a close frame)."""

    restart: bool = True


@dataclass(frozen=True, slots=True)
class PbxBooted(Happening):
    """The PBX is (again) fully booted (AMI FullyBooted for sessions logged in after)."""


@dataclass(frozen=True, slots=True)
class PhoneInvited(ChannelHappening):
    """The PBX sent an INVITE to a phone (no wire event; actors answer/reject through
    :meth:`pbxsim.model.Pbx.phone_answer` and friends when the phone is in ``manual`` mode)."""

    contact: str
