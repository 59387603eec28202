"""Every recorded AMI conversation, read through the adapter's parser and converters.

For each ``ami-*.raw`` under recordings*/ (the committed copy and any newer one in
../shared): every byte belongs to the banner or to a whole message; every message is an
answer to a recorded action, an item of a recorded action's list, or a live event; every live
event becomes the type the table below says, and its fields read back as the recorded text.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path

import pytest

from callcenter import ami
from callcenter.ami import convert
from callcenter.ami.actions import OriginateResult
from callcenter.ami.models import NO_VALUE, AmiEvent, AmiModel, header_key
from callcenter.ami.wire import AmiFramer, AmiMessage
from tests.ami.recordings import ami_recording_paths, load, recording_id

T0 = datetime(2026, 11, 22, tzinfo=UTC)

#: Every AMI event name seen live in a recording -> the type the service gets. Each has its
#: own type (AmiEventReceived is for names in no recording). A name missing here fails the
#: test: a new recording with a new event needs a decision.
EXPECTED: dict[str, type[AmiEvent]] = dict(convert.EVENT_TYPES)

#: List actions the service uses -> how their items are read.
LIST_ITEMS = {
    "CoreShowChannels": convert.channels_from,
    "PJSIPShowContacts": convert.contacts_from,
    "PJSIPShowEndpoints": convert.endpoints_from,
    "DeviceStateList": convert.device_states_from,
    "QueueStatus": convert.queues_from,
}

PATHS = ami_recording_paths()


def test_recordings_are_found() -> None:
    names = {p.name for p in PATHS}
    assert {"ami-actions.raw", "ami-registration.raw", "ami-asterisk-restart.raw"} <= names
    assert len(PATHS) >= 29


def assert_fields_read(model: AmiModel, message: AmiMessage) -> None:
    """Each model field present in the message reads back as the recorded text."""
    headers = convert.normalized(message.headers)
    for name, info in type(model).model_fields.items():
        raw = headers.get(info.alias or header_key(name))
        if raw is None:
            continue
        value = getattr(model, name)
        if value is None:
            assert raw.strip() in NO_VALUE, (name, raw)
        elif isinstance(value, bool):
            assert raw.lower() in (("1", "true", "yes") if value else ("0", "false", "no"))
        elif isinstance(value, Enum):
            assert value.value == raw
        elif isinstance(value, str | int):
            assert str(value) == raw, (name, raw, value)


@pytest.mark.parametrize("path", PATHS, ids=recording_id)
def test_every_byte_is_in_a_whole_message(path: Path) -> None:
    rec = load(path)
    assert rec.banner.startswith("Asterisk Call Manager/")
    assert not rec.malformed, rec.malformed[:1]
    assert rec.pending == b""
    total = len(rec.banner) + 2 + sum(len(m.raw) for m in rec.messages)
    assert total == len(rec.data)
    # Any chunking of the stream gives the same messages (TCP may cut anywhere).
    rng = random.Random(path.name)
    framer, chunked = AmiFramer(), []
    pos = 0
    while pos < len(rec.data):
        size = rng.choice((1, 2, 3, 7, 64, 1500, 4096))
        chunked += framer.feed(rec.data[pos : pos + size])
        pos += size
    assert chunked == list(rec.messages)


@pytest.mark.parametrize("path", PATHS, ids=recording_id)
def test_every_message_is_accounted_for(path: Path) -> None:
    rec = load(path)
    answers = items = live = 0
    for message in rec.messages:
        if message.event is None:
            assert message.action_id in rec.sent, message.raw
            answers += 1
        elif message.action_id in rec.sent:
            items += 1
        else:
            live += 1
            name = message.event
            assert name in EXPECTED, f"{name} in {path.name}: add it to EXPECTED"
            event = convert.to_event(message, "lab", T0)
            assert type(event) is EXPECTED[name]
            assert not isinstance(event, ami.AmiEventReceived)
            assert event.node == "lab"
            assert_fields_read(event, message)
    assert answers + items + live == len(rec.messages)


@pytest.mark.parametrize("path", PATHS, ids=recording_id)
def test_list_items_become_snapshot_items(path: Path) -> None:
    rec = load(path)
    for action_id, action in rec.sent.items():
        name = action["Action"]
        messages = rec.items_of(action_id)
        if name in LIST_ITEMS and messages and messages[0].response == "Success":
            read = LIST_ITEMS[name](messages[1:])
            listed = messages[-1].get("ListItems")
            if name != "QueueStatus":
                assert len(read) == int(listed or 0)
            for model, message in zip(read, messages[1:], strict=False):
                assert_fields_read(model, message)
        if name == "Originate":
            final = [m for m in messages if m.event == "OriginateResponse"]
            for message in final:
                assert_fields_read(convert.build(OriginateResult, message.headers), message)


def test_unknown_events_are_kept_whole() -> None:
    (message,) = AmiFramer(expect_banner=False).feed(
        b"Event: FutureThing\r\nPrivilege: call,all\r\nA: 1\r\nA: 2\r\n\r\n"
    )
    assert isinstance(message, AmiMessage)
    event = convert.to_event(message, "lab", T0)
    assert isinstance(event, ami.AmiEventReceived) and event.name == "FutureThing"
    assert event.fields == {"Event": "FutureThing", "Privilege": "call,all", "A": ["1", "2"]}


def test_originate_to_a_busy_target() -> None:
    rec = load(next(p for p in PATHS if p.name == "ami-actions.raw"))
    final = {
        m.action_id: convert.build(OriginateResult, m.headers)
        for m in rec.messages
        if m.event == "OriginateResponse"
    }
    answered, busy = final["originate-18"], final["originate-22"]
    assert answered.answered and answered.unique_id == "1795381204.3"
    assert (busy.response, busy.reason, busy.unique_id) == ("Failure", 0, None)
    assert busy.channel == "PJSIP/hn-02" and not busy.answered


def live(name: str) -> list[AmiEvent]:
    rec = load(next(p for p in PATHS if p.name == name))
    return [convert.to_event(m, "lab", T0) for m in rec.live_events()]


def test_registration_unregistration_and_qualify_failure() -> None:
    events = [e for e in live("ami-registration.raw") if not isinstance(e, ami.AmiEventReceived)]
    contacts = [e.state for e in events if isinstance(e, ami.ContactStatusChanged)]
    assert contacts[:2] == [ami.ContactState.NON_QUALIFIED, ami.ContactState.REACHABLE]
    assert ami.ContactState.REMOVED in contacts and ami.ContactState.UNREACHABLE in contacts
    peers = [e.peer_status for e in events if isinstance(e, ami.PeerStatusChanged)]
    assert peers.count("Unreachable") >= 2  # unregistered and unreachable read the same
    hn03 = [e.state for e in events if isinstance(e, ami.DeviceStateChanged)]
    assert "NOT_INUSE" in hn03 and "UNAVAILABLE" in hn03


def test_device_state_list_items_are_not_live_events() -> None:
    rec = load(next(p for p in PATHS if p.name == "ami-device-busy.raw"))
    listed = [m for m in rec.messages if m.event == "DeviceStateChange" and m.action_id]
    assert listed and all(m.action_id in rec.sent for m in listed)
    hn01 = [
        e.device_state
        for e in live("ami-device-busy.raw")
        if isinstance(e, ami.DeviceStateChanged) and e.device == "PJSIP/hn-01"
    ]
    states = ami.DeviceState
    assert hn01[:3] == [states.RINGING, states.INUSE, states.NOT_INUSE]
    snapshot = convert.device_states_from(rec.items_of("devicestatelist-2"))
    assert {s.device: s.state for s in snapshot}["PJSIP/hn-03"] == "UNAVAILABLE"


def test_fallback_queue_call_in_order() -> None:
    kinds = [
        type(e)
        for e in live("ami-continue-to-fallback.raw")
        if type(e).__module__.endswith("queue_events")
        and not isinstance(e, ami.QueueMemberStatusChanged)
    ]
    first = kinds.index(ami.QueueCallerJoined)
    assert kinds[first : first + 5] == [
        ami.QueueCallerJoined,
        ami.AgentCalled,
        ami.AgentCalled,
        ami.QueueCallerLeft,
        ami.AgentConnected,
    ]
    complete = [
        e for e in live("ami-continue-to-fallback.raw") if isinstance(e, ami.AgentCompleted)
    ]
    assert (complete[0].reason, complete[0].talk_time, complete[0].queue) == ("caller", 7, "hanoi")
    assert complete[0].interface == "PJSIP/hn-01"


def test_restart_and_hangup_causes() -> None:
    shutdown = [e for e in live("ami-asterisk-restart.raw") if isinstance(e, ami.AsteriskShutdown)]
    assert shutdown and shutdown[0].restart is True
    booted = [e for e in live("ami-asterisk-restart-reconnect.raw")]
    assert isinstance(booted[0], ami.AsteriskFullyBooted) and booted[0].uptime == 0
    causes = {
        e.cause
        for e in live("ami-ari-failed-originate.raw")
        if isinstance(e, ami.ChannelHungUp) and e.channel.startswith("PJSIP/hn-02")
    }
    assert 17 in causes  # busy


def test_cdr_fields() -> None:
    cdrs = [e for e in live("ami-queue-call.raw") if isinstance(e, ami.CallDetailRecorded)]
    assert cdrs and all(c.unique_id for c in cdrs)
    # One CDR per member rung, all with the caller's uniqueid: an importer must group them.
    by_member = {c.destination_channel.rsplit("-", 1)[0]: c for c in cdrs if c.destination_channel}
    assert by_member["PJSIP/hn-01"].disposition == "ANSWERED"
    assert by_member["PJSIP/hn-02"].disposition == "NO ANSWER"
    assert len({c.unique_id for c in by_member.values()}) == 1
    assert all(c.last_application == "Queue" for c in by_member.values())
    assert cdrs[0].user_field is None  # "UserField: " (empty, last line) is read, not lost
