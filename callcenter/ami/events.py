"""The service's own AMI events: typed, frozen, past tense, one type per thing that happens.

Each carries ``node`` (which Asterisk it came from) and ``received_at``. AMI event names are in
the docstrings; :data:`callcenter.ami.convert.EVENT_TYPES` is the table from one to the other.
Queue events are in :mod:`callcenter.ami.queue_events`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field

from callcenter.ami.models import AmiEvent, ChannelFields, OptInt, OptStr


class AsteriskFullyBooted(AmiEvent):
    """``FullyBooted``: Asterisk is ready. Sent after every Login, not only after a boot."""

    uptime: OptInt = None
    last_reload: OptInt = None
    status: OptStr = None


class AsteriskShutdown(AmiEvent):
    """``Shutdown``: Asterisk is stopping (``restart``: it comes back); the socket closes next."""

    shutdown: OptStr = None
    restart: bool = False


class ContactState(StrEnum):
    """PJSIP contact states seen in ``ContactStatus`` (``Removed``: unregistered or expired)."""

    CREATED = "Created"
    NON_QUALIFIED = "NonQualified"
    REACHABLE = "Reachable"
    UNREACHABLE = "Unreachable"
    REMOVED = "Removed"
    UPDATED = "Updated"
    UNKNOWN = "Unknown"


class ContactStatusChanged(AmiEvent):
    """``ContactStatus``: a softphone registered (NonQualified, then Reachable), stopped
    answering qualify (Unreachable) or unregistered / expired (Removed)."""

    uri: OptStr = None
    contact_status: str
    aor: OptStr = None
    endpoint_name: OptStr = None
    roundtrip_usec: OptInt = None

    @property
    def state(self) -> ContactState:
        try:
            return ContactState(self.contact_status)
        except ValueError:
            return ContactState.UNKNOWN

    @property
    def registered(self) -> bool:
        """True when the contact can take calls (registered and answering, or not qualified)."""
        return self.state in (ContactState.REACHABLE, ContactState.NON_QUALIFIED)


class PeerStatusChanged(AmiEvent):
    """``PeerStatus``: endpoint reachability. ``Unreachable`` means unregistered OR not answering
    qualify (the two read the same here; ``ContactStatusChanged`` tells them apart)."""

    channel_type: OptStr = None
    peer: str
    peer_status: str


class DeviceState(StrEnum):
    NOT_INUSE = "NOT_INUSE"
    INUSE = "INUSE"
    BUSY = "BUSY"
    INVALID = "INVALID"
    UNAVAILABLE = "UNAVAILABLE"
    RINGING = "RINGING"
    RINGINUSE = "RINGINUSE"
    ONHOLD = "ONHOLD"
    UNKNOWN = "UNKNOWN"


#: Device states in which a counsellor's phone must not be offered a call.
BUSY_DEVICE_STATES = frozenset(
    {DeviceState.INUSE, DeviceState.BUSY, DeviceState.RINGING, DeviceState.RINGINUSE,
     DeviceState.ONHOLD}
)  # fmt: skip


def device_state(value: str) -> DeviceState:
    try:
        return DeviceState(value)
    except ValueError:
        return DeviceState.UNKNOWN


class DeviceStateChanged(AmiEvent):
    """``DeviceStateChange`` (live, without ActionID): e.g. ``PJSIP/hn-01`` RINGING -> INUSE ->
    NOT_INUSE, for hotline calls and any other call the phone takes."""

    device: str
    state: str

    @property
    def device_state(self) -> DeviceState:
        return device_state(self.state)

    @property
    def busy(self) -> bool:
        return self.device_state in BUSY_DEVICE_STATES


class ExtensionStatusChanged(AmiEvent):
    """``ExtensionStatus``: a dialplan hint changed (``Status`` 0 idle, 1 in use, 4 unavailable,
    8 ringing, ...)."""

    exten: str
    context: OptStr = None
    hint: OptStr = None
    status: int
    status_text: OptStr = None


class ChannelCreated(AmiEvent, ChannelFields):
    """``Newchannel``: a channel appeared (a caller's leg, a counsellor's leg, a Local channel)."""


class ChannelStateChanged(AmiEvent, ChannelFields):
    """``Newstate``: a channel went Ring / Ringing / Up ..."""


class ChannelHungUp(AmiEvent, ChannelFields):
    """``Hangup``: a channel is gone, with the Q.850 ``cause`` (16 normal, 17 busy, 19 no
    answer, 26 answered elsewhere, ...)."""

    cause: OptInt = None
    cause_txt: OptStr = None


class DialStarted(AmiEvent, ChannelFields):
    """``DialBegin``: a channel (``channel``; empty for an Originate) dials ``dest_channel``."""

    dest_channel: OptStr = None
    dest_unique_id: OptStr = None
    dial_string: OptStr = None


class DialEnded(AmiEvent, ChannelFields):
    """``DialEnd``: ``dial_status`` ANSWER, BUSY, NOANSWER, CANCEL, CHANUNAVAIL, ...
    (CANCEL may come twice for one leg)."""

    dest_channel: OptStr = None
    dest_unique_id: OptStr = None
    dial_status: OptStr = None


class CallDetailRecorded(AmiEvent):
    """``Cdr``: Asterisk's call detail record (also written to CSV by cdr.conf)."""

    account_code: OptStr = None
    source: OptStr = None
    destination: OptStr = None
    destination_context: OptStr = None
    caller_id: OptStr = None
    channel: OptStr = None
    destination_channel: OptStr = None
    last_application: OptStr = None
    last_data: OptStr = None
    start_time: OptStr = None
    answer_time: OptStr = None
    end_time: OptStr = None
    duration: OptInt = None
    billable_seconds: OptInt = None
    disposition: OptStr = None
    ama_flags: OptStr = None
    unique_id: OptStr = None
    user_field: OptStr = None


class AmiEventReceived(AmiEvent):
    """Any other AMI event (``name`` and all its headers), so nothing is ever dropped."""

    name: str
    fields: dict[str, Any] = Field(default_factory=dict)


class AmiConnectionLost(AmiEvent):
    """The AMI connection to ``node`` ended (``reason``); the adapter is reconnecting."""

    reason: str


class AmiAuthenticationFailed(AmiEvent):
    """Asterisk rejected the AMI login (wrong user or secret, or not permitted from here)."""

    message: str
