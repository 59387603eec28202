"""AMI adapter: watches whole Asterisk nodes (phones, devices, fallback queue, CDR) through
panoramisk, and turns what it sees into the service's own typed events.

Usage::

    adapter = AmiAdapter(AmiConfig(username="callcenter", secret=..., node="ast-hn"))
    adapter.subscribe(DeviceStateChanged, on_device)      # sync or async handler
    adapter.subscribe(AmiStateSynchronized, on_snapshot)  # after every (re)connect
    adapter.start()
    snapshot = await adapter.wait_synchronized(timeout=10)
    ...
    await adapter.close()
"""

from callcenter.ami.actions import AmiResponse, OriginateResult
from callcenter.ami.adapter import AmiAdapter, AmiStats
from callcenter.ami.config import AmiConfig
from callcenter.ami.convert import EVENT_TYPES, AmiConversionError, to_event
from callcenter.ami.errors import (
    AmiActionError,
    AmiAuthenticationError,
    AmiDisconnectedError,
    AmiError,
    AmiNotConnectedError,
    AmiTimeoutError,
)
from callcenter.ami.events import (
    BUSY_DEVICE_STATES,
    AmiAuthenticationFailed,
    AmiConnectionLost,
    AmiEventReceived,
    AsteriskFullyBooted,
    AsteriskShutdown,
    CallDetailRecorded,
    ChannelCreated,
    ChannelHungUp,
    ChannelStateChanged,
    ContactState,
    ContactStatusChanged,
    DeviceState,
    DeviceStateChanged,
    DialEnded,
    DialStarted,
    ExtensionStatusChanged,
    PeerStatusChanged,
)
from callcenter.ami.models import AmiEvent
from callcenter.ami.queue_events import (
    AgentCalled,
    AgentCompleted,
    AgentConnected,
    AgentDumped,
    AgentNotAnswered,
    QueueCallerAbandoned,
    QueueCallerJoined,
    QueueCallerLeft,
    QueueMemberAdded,
    QueueMemberPauseChanged,
    QueueMemberRemoved,
    QueueMemberStatusChanged,
)
from callcenter.ami.snapshot import (
    AmiStateSynchronized,
    AsteriskSnapshot,
    ChannelSnapshot,
    ContactSnapshot,
    DeviceStateSnapshot,
    EndpointSnapshot,
    QueueEntrySnapshot,
    QueueMemberSnapshot,
    QueueSnapshot,
)
from callcenter.ami.wire import AmiFramer, AmiMessage, MalformedMessage

__all__ = [
    "BUSY_DEVICE_STATES",
    "EVENT_TYPES",
    "AgentCalled",
    "AgentCompleted",
    "AgentConnected",
    "AgentDumped",
    "AgentNotAnswered",
    "AmiActionError",
    "AmiAdapter",
    "AmiAuthenticationError",
    "AmiAuthenticationFailed",
    "AmiConfig",
    "AmiConnectionLost",
    "AmiConversionError",
    "AmiDisconnectedError",
    "AmiError",
    "AmiEvent",
    "AmiEventReceived",
    "AmiFramer",
    "AmiMessage",
    "AmiNotConnectedError",
    "AmiResponse",
    "AmiStateSynchronized",
    "AmiStats",
    "AmiTimeoutError",
    "AsteriskFullyBooted",
    "AsteriskShutdown",
    "AsteriskSnapshot",
    "CallDetailRecorded",
    "ChannelCreated",
    "ChannelHungUp",
    "ChannelSnapshot",
    "ChannelStateChanged",
    "ContactSnapshot",
    "ContactState",
    "ContactStatusChanged",
    "DeviceState",
    "DeviceStateChanged",
    "DeviceStateSnapshot",
    "DialEnded",
    "DialStarted",
    "EndpointSnapshot",
    "ExtensionStatusChanged",
    "MalformedMessage",
    "OriginateResult",
    "PeerStatusChanged",
    "QueueCallerAbandoned",
    "QueueCallerJoined",
    "QueueCallerLeft",
    "QueueEntrySnapshot",
    "QueueMemberAdded",
    "QueueMemberPauseChanged",
    "QueueMemberRemoved",
    "QueueMemberSnapshot",
    "QueueMemberStatusChanged",
    "QueueSnapshot",
    "to_event",
]
