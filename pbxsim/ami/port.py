"""What the AMI server needs from the PBX model: a small port, so the protocol layer does not
depend on how the model is built. :mod:`pbxsim.ami.pbx_backend` implements it on the real
simulator model; tests of the protocol layer may use a small in-memory one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from pbxsim.model.happenings import ChannelSnapshot, Happening, MemberSnapshot


class ActionFailed(Exception):
    """An action the PBX refused; the message goes to the client as ``Message:``."""


@dataclass(frozen=True)
class ChannelRow:
    """A live channel for CoreShowChannels / Status."""

    channel: ChannelSnapshot
    bridge_id: str
    application: str
    application_data: str
    seconds: int


@dataclass(frozen=True)
class EndpointRow:
    """PJSIPShowEndpoints: one endpoint with its AORs and static/registered contacts."""

    name: str
    transport: str
    aors: str
    contacts: tuple[str, ...]  # "hn-01/sip:hn-01@127.0.0.1:5071"
    device_state: str  # "Not in use", "Unavailable", "In use", "Ringing", "Busy"
    active_channels: int


@dataclass(frozen=True)
class ContactRow:
    """PJSIPShowContacts: a REGISTERed contact (static contacts are not listed)."""

    aor: str
    endpoint: str
    uri: str
    contact_id: str  # "hn-03;@6fb14fd6f2c6b9729b8b3fadb9cce113"
    status: str  # Reachable, Unreachable, NonQualified, Unknown
    roundtrip_usec: str  # "520" or "N/A"
    expiration_time: int  # epoch seconds
    qualify_frequency: int
    qualify_timeout: float
    user_agent: str
    call_id: str
    via_addr: str
    via_port: int


@dataclass(frozen=True)
class QueueRow:
    """QueueStatus: a queue's parameters and members."""

    name: str
    strategy: str
    maxlen: int
    calls: int
    holdtime: int
    talktime: int
    completed: int
    abandoned: int
    service_level: int
    service_level_perf: float
    weight: int
    members: tuple[MemberSnapshot, ...]
    callers: tuple[tuple[ChannelSnapshot, int], ...]  # (caller, seconds waiting) in order


@dataclass(frozen=True)
class OriginateRequest:
    """An AMI Originate. ``channel`` is a dial string (``PJSIP/hn-01``, ``Local/wait@ctx``);
    either (context, exten, priority) or (application, data) says where the answered channel
    goes."""

    channel: str
    context: str | None
    exten: str | None
    priority: int | None
    application: str | None
    data: str
    caller_id: str
    timeout_s: float
    variables: tuple[tuple[str, str], ...]
    channel_id: str | None
    other_channel_id: str | None


@dataclass(frozen=True)
class OriginateResult:
    """How an originate ended. ``reason``: AMI's Reason (4 answered, 0 failed/busy, 3 no
    answer, 5 busy, 8 congestion); ``channel`` and ``uniqueid`` None when no channel stayed."""

    success: bool
    reason: int
    channel: str | None
    uniqueid: str | None
    caller_num: str
    caller_name: str


class AmiBackend(Protocol):
    """The PBX as the AMI server sees it."""

    def subscribe(self, callback: Callable[[Happening], None]) -> Callable[[], None]:
        """Call ``callback`` for every happening, synchronously and in order; returns an
        unsubscribe function."""
        ...

    def now(self) -> float: ...

    def uptime(self) -> int: ...

    def hints(self) -> list[tuple[str, str, str]]:
        """(exten, context, device) for every dialplan hint."""
        ...

    def device_states(self) -> list[tuple[str, str]]:
        """(device, state) for every known device, in Asterisk's listing order."""
        ...

    def channels(self) -> list[ChannelRow]: ...

    def endpoints(self) -> list[EndpointRow]: ...

    def contacts(self) -> list[ContactRow]: ...

    def queues(self) -> list[QueueRow]: ...

    def queue_pause(self, queue: str | None, interface: str, paused: bool, reason: str) -> None:
        """Raises ActionFailed when the interface is in no (such) queue."""
        ...

    def queue_add(
        self, queue: str, interface: str, membername: str, penalty: int, paused: bool
    ) -> None: ...

    def queue_remove(self, queue: str, interface: str) -> None: ...

    def originate(
        self, request: OriginateRequest, on_result: Callable[[OriginateResult], None]
    ) -> None:
        """Start an originate; ``on_result`` is called once, in the happening stream at the
        moment Asterisk would send OriginateResponse. Raises ActionFailed on a bad request."""
        ...

    def hangup(self, channel: str, cause: int) -> int:
        """Hang up channels whose name is ``channel`` (or matches ``/regex/``); returns how many."""
        ...

    def redirect(self, channel: str, context: str, exten: str, priority: int) -> None: ...
