"""The other AMI events seen in the recordings: channel detail, bridges, media, spying.

The service steers hotline calls through ARI and needs few of these from AMI, but every event
type that occurs in a recording has its own type (the generic ``AmiEventReceived`` is for the
rest), so nothing the lab showed is read as an untyped bag of strings. Most of them belong to
the ``dialplan``, ``reporting``, ``security`` or ``dtmf`` classes, which asterisk-conf's
manager.conf does not grant: a production adapter does not receive them.
"""

from __future__ import annotations

from pydantic import Field

from callcenter.ami.models import AmiEvent, ChannelFields, OptInt, OptStr


class ChannelVariableSet(AmiEvent, ChannelFields):
    """``VarSet``: a channel variable was set (``dialplan`` class)."""

    variable: str
    value: str = ""


class DialplanStepped(AmiEvent, ChannelFields):
    """``Newexten``: a channel ran a dialplan step (``dialplan`` class)."""

    extension: OptStr = None
    application: OptStr = None
    app_data: OptStr = None


class ConnectedLineChanged(AmiEvent, ChannelFields):
    """``NewConnectedLine``: the party a channel is connected to changed."""


class CallerIdChanged(AmiEvent, ChannelFields):
    """``NewCallerid``: a channel's caller id changed."""

    cid_calling_pres: OptStr = None


class HangupRequested(AmiEvent, ChannelFields):
    """``HangupRequest``: a hang-up was asked for (``cause`` when given)."""

    cause: OptInt = None


class SoftHangupRequested(AmiEvent, ChannelFields):
    """``SoftHangupRequest``: Asterisk asked a channel to hang up (e.g. after an ARI DELETE)."""

    cause: OptInt = None


class DialStateChanged(AmiEvent, ChannelFields):
    """``DialState``: a dialled leg progressed (``dial_status`` RINGING, PROCEEDING, ...)."""

    dest_channel: OptStr = None
    dest_unique_id: OptStr = None
    dial_status: OptStr = None


class BridgeFields(AmiEvent):
    bridge_unique_id: str
    bridge_type: OptStr = None
    bridge_technology: OptStr = None
    bridge_creator: OptStr = None
    bridge_name: OptStr = None
    bridge_num_channels: OptInt = None


class BridgeCreated(BridgeFields):
    """``BridgeCreate``."""


class BridgeDestroyed(BridgeFields):
    """``BridgeDestroy``."""


class ChannelEnteredBridge(BridgeFields, ChannelFields):
    """``BridgeEnter``: ``channel`` joined the bridge."""


class ChannelLeftBridge(BridgeFields, ChannelFields):
    """``BridgeLeave``: ``channel`` left the bridge."""


class MusicOnHoldStarted(AmiEvent, ChannelFields):
    """``MusicOnHoldStart``: a channel hears music on hold (of class ``class_``). Channel MOH
    started through ARI has no ARI event; this is the only trace (recordings-2 fact 25)."""

    class_: OptStr = Field(default=None, alias="class")


class MusicOnHoldStopped(AmiEvent, ChannelFields):
    """``MusicOnHoldStop``."""


class DtmfStarted(AmiEvent, ChannelFields):
    """``DTMFBegin``: a key went down (not sent for SIP INFO DTMF, fact 19)."""

    digit: str
    direction: OptStr = None


class DtmfEnded(AmiEvent, ChannelFields):
    """``DTMFEnd``: a key was pressed (``duration_ms``; SIP INFO gives 250)."""

    digit: str
    duration_ms: OptInt = None
    direction: OptStr = None


class SpyFields(AmiEvent):
    spyer_channel: OptStr = None
    spyer_unique_id: OptStr = None
    spyee_channel: OptStr = None
    spyee_unique_id: OptStr = None


class SpyStarted(SpyFields):
    """``ChanSpyStart``: a supervisor started listening to a channel."""


class SpyStopped(SpyFields):
    """``ChanSpyStop``."""


class LocalChannelsBridged(AmiEvent):
    """``LocalBridge``: the two halves of a Local channel were connected."""

    local_one_channel: OptStr = None
    local_one_unique_id: OptStr = None
    local_two_channel: OptStr = None
    local_two_unique_id: OptStr = None
    local_optimization: OptStr = None


class AmiLoginSucceeded(AmiEvent):
    """``SuccessfulAuth`` (``security`` class): someone logged in to AMI or another service."""

    service: OptStr = None
    account_id: OptStr = None
    remote_address: OptStr = None
    session_id: OptStr = None


class RtcpSent(AmiEvent, ChannelFields):
    """``RTCPSent`` (``reporting`` class): an RTCP report was sent for a channel's media."""

    to: OptStr = None
    from_: OptStr = Field(default=None, alias="from")
    ssrc: OptStr = None
    sent_packets: OptInt = None
