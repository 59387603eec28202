"""AMI messages -> the service's typed events and snapshot items (pure functions, no I/O)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, TypeVar

from pydantic import ValidationError

from callcenter.ami import detail_events as d
from callcenter.ami import queue_events as q
from callcenter.ami.events import (
    AmiEventReceived,
    AsteriskFullyBooted,
    AsteriskShutdown,
    CallDetailRecorded,
    ChannelCreated,
    ChannelHungUp,
    ChannelStateChanged,
    ContactStatusChanged,
    DeviceStateChanged,
    DialEnded,
    DialStarted,
    ExtensionStatusChanged,
    PeerStatusChanged,
)
from callcenter.ami.models import AmiEvent, AmiModel, header_key
from callcenter.ami.snapshot import (
    ChannelSnapshot,
    ContactSnapshot,
    DeviceStateSnapshot,
    EndpointSnapshot,
    QueueEntrySnapshot,
    QueueMemberSnapshot,
    QueueSnapshot,
)
from callcenter.ami.wire import AmiMessage

#: AMI event name -> the service's event type. Any other name becomes AmiEventReceived.
EVENT_TYPES: dict[str, type[AmiEvent]] = {
    "FullyBooted": AsteriskFullyBooted,
    "Shutdown": AsteriskShutdown,
    "ContactStatus": ContactStatusChanged,
    "PeerStatus": PeerStatusChanged,
    "DeviceStateChange": DeviceStateChanged,
    "ExtensionStatus": ExtensionStatusChanged,
    "Newchannel": ChannelCreated,
    "Newstate": ChannelStateChanged,
    "Hangup": ChannelHungUp,
    "DialBegin": DialStarted,
    "DialEnd": DialEnded,
    "Cdr": CallDetailRecorded,
    "QueueCallerJoin": q.QueueCallerJoined,
    "QueueCallerLeave": q.QueueCallerLeft,
    "QueueCallerAbandon": q.QueueCallerAbandoned,
    "AgentCalled": q.AgentCalled,
    "AgentConnect": q.AgentConnected,
    "AgentComplete": q.AgentCompleted,
    "AgentRingNoAnswer": q.AgentNotAnswered,
    "AgentDump": q.AgentDumped,
    "QueueMemberStatus": q.QueueMemberStatusChanged,
    "QueueMemberPause": q.QueueMemberPauseChanged,
    "QueueMemberAdded": q.QueueMemberAdded,
    "QueueMemberRemoved": q.QueueMemberRemoved,
    # detail: typed because the recordings show them; the service rarely needs them
    "VarSet": d.ChannelVariableSet,
    "Newexten": d.DialplanStepped,
    "NewConnectedLine": d.ConnectedLineChanged,
    "NewCallerid": d.CallerIdChanged,
    "HangupRequest": d.HangupRequested,
    "SoftHangupRequest": d.SoftHangupRequested,
    "DialState": d.DialStateChanged,
    "BridgeCreate": d.BridgeCreated,
    "BridgeDestroy": d.BridgeDestroyed,
    "BridgeEnter": d.ChannelEnteredBridge,
    "BridgeLeave": d.ChannelLeftBridge,
    "MusicOnHoldStart": d.MusicOnHoldStarted,
    "MusicOnHoldStop": d.MusicOnHoldStopped,
    "DTMFBegin": d.DtmfStarted,
    "DTMFEnd": d.DtmfEnded,
    "ChanSpyStart": d.SpyStarted,
    "ChanSpyStop": d.SpyStopped,
    "LocalBridge": d.LocalChannelsBridged,
    "SuccessfulAuth": d.AmiLoginSucceeded,
    "RTCPSent": d.RtcpSent,
}

M = TypeVar("M", bound=AmiModel)


class AmiConversionError(ValueError):
    """An AMI message that does not fit the model it must become (kept in the message)."""

    def __init__(self, name: str, detail: str, headers: Mapping[str, Any]) -> None:
        super().__init__(f"AMI {name} message could not be read: {detail}")
        self.name = name
        self.headers = dict(headers)


def normalized(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Headers keyed by :func:`header_key`; the first value wins when a key repeats."""
    out: dict[str, str] = {}
    for key, value in headers:
        out.setdefault(header_key(key), value)
    return out


def build(model: type[M], headers: Iterable[tuple[str, str]], **extra: Any) -> M:
    """Validate ``model`` from AMI headers; raises :class:`AmiConversionError`."""
    data: dict[str, Any] = normalized(headers)
    data.update(extra)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        detail = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise AmiConversionError(model.__name__, detail, data) from exc


def to_event(message: AmiMessage, node: str, received_at: datetime) -> AmiEvent:
    """The typed event for a live AMI event message.

    Raises :class:`AmiConversionError` when a known event lacks a field its type needs (the
    caller logs it, counts it, and delivers :func:`generic_event` instead).
    """
    name = message.event or ""
    model = EVENT_TYPES.get(name)
    if model is None:
        return generic_event(message, node, received_at)
    return build(model, message.headers, node=node, received_at=received_at)


def generic_event(message: AmiMessage, node: str, received_at: datetime) -> AmiEventReceived:
    return AmiEventReceived(
        node=node, received_at=received_at, name=message.event or "", fields=message.as_dict()
    )


def channels_from(items: Iterable[AmiMessage]) -> tuple[ChannelSnapshot, ...]:
    return tuple(build(ChannelSnapshot, m.headers) for m in items if m.event == "CoreShowChannel")


def contacts_from(items: Iterable[AmiMessage]) -> tuple[ContactSnapshot, ...]:
    return tuple(build(ContactSnapshot, m.headers) for m in items if m.event == "ContactList")


def endpoints_from(items: Iterable[AmiMessage]) -> tuple[EndpointSnapshot, ...]:
    return tuple(build(EndpointSnapshot, m.headers) for m in items if m.event == "EndpointList")


def device_states_from(items: Iterable[AmiMessage]) -> tuple[DeviceStateSnapshot, ...]:
    return tuple(
        build(DeviceStateSnapshot, m.headers) for m in items if m.event == "DeviceStateChange"
    )


def queues_from(items: Iterable[AmiMessage]) -> tuple[QueueSnapshot, ...]:
    """Group ``QueueParams`` / ``QueueMember`` / ``QueueEntry`` items by queue, in order."""
    params: dict[str, dict[str, str]] = {}
    members: dict[str, list[QueueMemberSnapshot]] = {}
    entries: dict[str, list[QueueEntrySnapshot]] = {}
    for m in items:
        queue = m.get("Queue") or ""
        if m.event == "QueueParams":
            params[queue] = normalized(m.headers)
        elif m.event == "QueueMember":
            members.setdefault(queue, []).append(build(QueueMemberSnapshot, m.headers))
        elif m.event == "QueueEntry":
            entries.setdefault(queue, []).append(build(QueueEntrySnapshot, m.headers))
    names = list(dict.fromkeys([*params, *members, *entries]))
    return tuple(
        build(
            QueueSnapshot,
            params.get(name, {"queue": name}).items(),
            members=tuple(members.get(name, ())),
            entries=tuple(entries.get(name, ())),
        )
        for name in names
    )
