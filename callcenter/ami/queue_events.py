"""Events of app_queue: the fallback queue that takes hotline calls when the service cannot.

Seen in the recordings in this order for one answered call (recordings-2 fact 28):
QueueCallerJoined, AgentCalled (one per member rung), QueueCallerLeft, AgentConnected, ...,
AgentCompleted. ``QueueMemberStatusChanged`` comes once per queue the interface is in.
"""

from __future__ import annotations

from callcenter.ami.models import AmiEvent, AmiModel, ChannelFields, OptInt, OptStr


class QueueCallerFields(ChannelFields):
    queue: str
    position: OptInt = None


class QueueCallerJoined(AmiEvent, QueueCallerFields):
    """``QueueCallerJoin``: a caller entered the queue at ``position`` (``count`` waiting)."""

    count: OptInt = None


class QueueCallerLeft(AmiEvent, QueueCallerFields):
    """``QueueCallerLeave``: a caller left the queue (answered, timed out or hung up)."""

    count: OptInt = None


class QueueCallerAbandoned(AmiEvent, QueueCallerFields):
    """``QueueCallerAbandon``: the caller hung up while waiting, after ``hold_time`` s."""

    original_position: OptInt = None
    hold_time: OptInt = None


class AgentFields(ChannelFields):
    """The caller's channel block plus the member leg (``dest_*``) and the member."""

    queue: str
    interface: OptStr = None
    member_name: OptStr = None
    dest_channel: OptStr = None
    dest_unique_id: OptStr = None
    dest_caller_id_num: OptStr = None


class AgentCalled(AmiEvent, AgentFields):
    """``AgentCalled``: a queue member's phone is being rung for this caller."""


class AgentConnected(AmiEvent, AgentFields):
    """``AgentConnect``: the member answered; ``hold_time`` s waited, ``ring_time`` s rung."""

    hold_time: OptInt = None
    ring_time: OptInt = None


class AgentCompleted(AmiEvent, AgentFields):
    """``AgentComplete``: the queue call ended; ``reason`` is ``caller``, ``agent`` or
    ``transfer``."""

    hold_time: OptInt = None
    talk_time: OptInt = None
    reason: OptStr = None


class AgentNotAnswered(AmiEvent, AgentFields):
    """``AgentRingNoAnswer``: the member was rung for ``ring_time`` ms and did not answer."""

    ring_time: OptInt = None


class AgentDumped(AmiEvent, AgentFields):
    """``AgentDump``: the member hung up on the caller before the bridge was made."""


class QueueMemberFields(AmiModel):
    """A member of a queue as app_queue reports it (``status`` is an AST_DEVICE_* number:
    1 not in use, 2 in use, 5 unavailable, 6 ringing, ...)."""

    queue: str
    member_name: OptStr = None
    interface: str
    state_interface: OptStr = None
    membership: OptStr = None
    penalty: OptInt = None
    calls_taken: OptInt = None
    last_call: OptInt = None
    in_call: bool = False
    status: OptInt = None
    paused: bool = False
    paused_reason: OptStr = None


class QueueMemberStatusChanged(AmiEvent, QueueMemberFields):
    """``QueueMemberStatus``: a member's device state seen by the queue. ``in_call`` stayed 0
    during calls in the recordings (fact 38): use DeviceStateChanged for busy."""


class QueueMemberPauseChanged(AmiEvent, QueueMemberFields):
    """``QueueMemberPause``: a member was paused or unpaused (``paused``, ``paused_reason``)."""


class QueueMemberAdded(AmiEvent, QueueMemberFields):
    """``QueueMemberAdded``: a (dynamic) member joined a queue."""


class QueueMemberRemoved(AmiEvent, QueueMemberFields):
    """``QueueMemberRemoved``: a member left a queue."""


__all__ = [
    "AgentCalled",
    "AgentCompleted",
    "AgentConnected",
    "AgentDumped",
    "AgentNotAnswered",
    "QueueCallerAbandoned",
    "QueueCallerJoined",
    "QueueCallerLeft",
    "QueueMemberAdded",
    "QueueMemberPauseChanged",
    "QueueMemberRemoved",
    "QueueMemberStatusChanged",
]
