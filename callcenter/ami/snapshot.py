"""The state of one Asterisk as read by the status actions after every (re)connect.

Items come from list actions and carry the action's ActionID; live events with the same AMI
name (``DeviceStateChange`` of ``DeviceStateList``) are told apart by that ActionID, which
panoramisk uses to route them to the action instead of to the event handlers.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from callcenter.ami.events import DeviceState, device_state
from callcenter.ami.models import AmiEvent, AmiModel, ChannelFields, OptInt, OptStr
from callcenter.ami.queue_events import QueueMemberFields


class ChannelSnapshot(ChannelFields):
    """One ``CoreShowChannel`` item."""

    application: OptStr = None
    application_data: OptStr = None
    duration: OptStr = None
    bridge_id: OptStr = None


class ContactSnapshot(AmiModel):
    """One ``ContactList`` item: a REGISTERED contact (static ones are not listed)."""

    object_name: str
    endpoint: OptStr = None
    uri: OptStr = None
    status: OptStr = None
    roundtrip_usec: OptInt = None
    expiration_time: OptInt = None
    user_agent: OptStr = None


class EndpointSnapshot(AmiModel):
    """One ``EndpointList`` item (``device_state`` is the human text, e.g. ``Not in use``)."""

    object_name: str
    aor: OptStr = None
    contacts: OptStr = None
    device_state: OptStr = None
    active_channels: OptInt = None


class DeviceStateSnapshot(AmiModel):
    """One ``DeviceStateList`` item (AMI names it ``DeviceStateChange`` too)."""

    device: str
    state: str

    @property
    def device_state(self) -> DeviceState:
        return device_state(self.state)


class QueueMemberSnapshot(QueueMemberFields):
    """One ``QueueMember`` item (``Name``/``Location`` there, ``MemberName``/``Interface`` in
    live events)."""

    member_name: OptStr = Field(default=None, alias="name")
    interface: str = Field(alias="location")


class QueueEntrySnapshot(ChannelFields):
    """One ``QueueEntry`` item: a caller waiting in a queue."""

    queue: str
    position: OptInt = None
    wait: OptInt = None


class QueueSnapshot(AmiModel):
    """One queue from ``QueueStatus``: its ``QueueParams``, members and waiting callers."""

    queue: str
    strategy: OptStr = None
    calls: OptInt = None
    completed: OptInt = None
    abandoned: OptInt = None
    members: tuple[QueueMemberSnapshot, ...] = ()
    entries: tuple[QueueEntrySnapshot, ...] = ()


class AsteriskSnapshot(AmiModel):
    """Everything re-read from one Asterisk after a (re)connect, before new events are trusted.

    ``contacts`` lists only registered (dynamic) contacts; an endpoint with a static contact
    appears in ``endpoints`` only.
    """

    node: str
    taken_at: datetime
    channels: tuple[ChannelSnapshot, ...] = ()
    contacts: tuple[ContactSnapshot, ...] = ()
    endpoints: tuple[EndpointSnapshot, ...] = ()
    device_states: tuple[DeviceStateSnapshot, ...] = ()
    queues: tuple[QueueSnapshot, ...] = ()

    def device(self, name: str) -> DeviceState | None:
        """State of a device such as ``PJSIP/hn-01``, or None if Asterisk did not list it."""
        for item in self.device_states:
            if item.device == name:
                return item.device_state
        return None

    def registered_endpoints(self) -> frozenset[str]:
        """Endpoints with at least one registered contact that is not Unreachable."""
        return frozenset(
            c.endpoint for c in self.contacts if c.endpoint and c.status != "Unreachable"
        )


class AmiStateSynchronized(AmiEvent):
    """The state of ``node`` was re-read after a (re)connect; events delivered after this one
    apply on top of ``snapshot``."""

    snapshot: AsteriskSnapshot
    reconnect: bool = False
