"""The adapter against a real TCP server replaying recorded AMI conversations."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

import pytest

from callcenter import ami
from tests.ami.recordings import by_name
from tests.ami.replay_server import Catalogue, Conversation, ReplayAmiServer

E = TypeVar("E", bound=ami.AmiEvent)


def catalogue() -> Catalogue:
    """Recorded answers for the actions the adapter sends, cut from the lab recordings."""
    actions, contacts = by_name("ami-actions.raw"), by_name("ami-registration.raw")
    devices = by_name("ami-device-busy.raw")
    return (
        Catalogue()
        .add(actions, "login-1", with_events=True)
        .add(actions, "ping-2")
        .add(actions, "coreshowchannels-19")
        .add(contacts, "pjsipshowcontacts-3")
        .add(actions, "pjsipshowendpoints-8")
        .add(devices, "devicestatelist-2")
        .add(actions, "queuestatus-5")
        .add(actions, "queuepause-11")
        .add(actions, "originate-22", Channel="PJSIP/hn-02")
        .add(actions, "originate-18", Channel="PJSIP/hn-01")
        .add(actions, "logoff-25")
    )


class Recorder:
    """Subscribes to every event and lets a test wait for one (no sleeps, no timing)."""

    def __init__(self, adapter: ami.AmiAdapter) -> None:
        self.events: list[ami.AmiEvent] = []
        self._changed = asyncio.Condition()
        adapter.subscribe(ami.AmiEvent, self._on)

    async def _on(self, event: ami.AmiEvent) -> None:
        async with self._changed:
            self.events.append(event)
            self._changed.notify_all()

    def of(self, kind: type[E]) -> list[E]:
        return [e for e in self.events if isinstance(e, kind)]

    async def wait(self, kind: type[E], count: int = 1, *, where: Callable[[E], bool] = bool) -> E:
        def found() -> list[E]:
            return [e for e in self.of(kind) if where(e)]

        async with asyncio.timeout(10), self._changed:
            await self._changed.wait_for(lambda: len(found()) >= count)
        return found()[count - 1]


def config(port: int, **overrides: Any) -> ami.AmiConfig:
    values: dict[str, Any] = {
        "username": "lab",
        "secret": "lab",
        "port": port,
        "node": "lab",
        "reconnect_min": 0.01,
        "reconnect_max": 0.05,
        "ping_interval": 30.0,
        "read_pjsip": True,
    }
    values.update(overrides)
    return ami.AmiConfig(**values)


@asynccontextmanager
async def running(
    conversations: list[Conversation], cat: Catalogue | None = None, **overrides: Any
) -> AsyncIterator[tuple[ReplayAmiServer, ami.AmiAdapter, Recorder]]:
    async with ReplayAmiServer(conversations, cat or catalogue()) as server:
        adapter = ami.AmiAdapter(
            config(server.port, **overrides),
            clock=lambda: datetime(2026, 11, 22, tzinfo=UTC),
            rng=random.Random(7),
        )
        recorder = Recorder(adapter)
        adapter.start()
        try:
            yield server, adapter, recorder
        finally:
            await adapter.close()


def names(actions: list[dict[str, str]]) -> list[str]:
    return [a["Action"] for a in actions]


async def test_rejected_login_is_a_clear_error_and_stops() -> None:
    recording = by_name("ami-login-failure.raw")
    async with running([Conversation(recording, close_when_done=True)]) as (server, adapter, rec):
        with pytest.raises(ami.AmiAuthenticationError) as caught:
            await adapter.wait_synchronized(within=10)
        failed = await rec.wait(ami.AmiAuthenticationFailed)
    assert "Authentication failed" in str(caught.value)
    assert "từ chối" in str(caught.value)  # Vietnamese too
    assert failed.message == "Authentication failed" and failed.node == "lab"
    assert adapter.failure is caught.value
    assert len(server.received) == 1  # no retry with a wrong secret
    assert server.received[0][0] == {
        "Action": "Login", "ActionID": "login-1", "Events": "on", "Secret": "lab",
        "Username": "lab",
    }  # fmt: skip


async def test_restart_reconnects_and_rereads_state_before_new_events() -> None:
    conversations = [
        Conversation(by_name("ami-asterisk-restart.raw"), close_when_done=True),
        Conversation(by_name("ami-asterisk-restart-reconnect.raw")),
    ]
    async with running(conversations) as (server, adapter, rec):
        snapshot = await adapter.wait_synchronized(within=10)
        await rec.wait(ami.AsteriskFullyBooted, 2)
        kinds = [type(e).__name__ for e in rec.events]
    assert kinds == [
        "AsteriskFullyBooted", "AmiLoginSucceeded", "AsteriskShutdown", "AmiConnectionLost",
        "AmiStateSynchronized", "AsteriskFullyBooted", "AmiLoginSucceeded",
    ]  # fmt: skip
    assert rec.of(ami.AsteriskShutdown)[0].restart is True
    assert rec.of(ami.AmiStateSynchronized)[0].reconnect is True
    assert rec.of(ami.AsteriskFullyBooted)[1].uptime == 0
    assert names(server.received[0]) == ["Login"]
    assert names(server.received[1])[:6] == [
        "Login", "CoreShowChannels", "PJSIPShowContacts", "PJSIPShowEndpoints",
        "DeviceStateList", "QueueStatus",
    ]  # fmt: skip
    assert snapshot is adapter.snapshot and snapshot.node == "lab"
    assert [c.channel for c in snapshot.channels] == ["PJSIP/hn-01-00000003"]
    assert snapshot.registered_endpoints() == {"hn-03"}
    assert snapshot.device("PJSIP/hn-03") is ami.DeviceState.UNAVAILABLE
    assert snapshot.device("PJSIP/hn-01") is ami.DeviceState.NOT_INUSE
    hanoi = snapshot.queues[0]
    assert hanoi.queue == "hanoi" and {m.interface for m in hanoi.members} >= {"PJSIP/hn-01"}
    assert adapter.stats.sessions == 2 and adapter.stats.malformed == 0


async def test_actions_ping_queue_pause_and_originate_busy() -> None:
    async with running([]) as (server, adapter, _):
        await adapter.wait_synchronized(within=10)
        assert await adapter.ping() == pytest.approx(1795381196.517364)
        await adapter.queue_pause("PJSIP/hn-01", paused=True, queue="hanoi", reason="lunch")
        busy = await adapter.originate(
            "PJSIP/hn-02", context="lab-local", exten="wait", caller_id="Hotline <111>",
            ring_for=10, variables={"HOTLINE_DANGER": "1"},
        )  # fmt: skip
        answered = await adapter.originate("PJSIP/hn-01", context="lab-local", exten="wait")
        with pytest.raises(ami.AmiActionError, match="Invalid/unknown command"):
            await adapter.call("NoSuchAction")
        sent = server.received[0]
    pause = next(a for a in sent if a["Action"] == "QueuePause")
    assert (pause["Interface"], pause["Paused"], pause["Queue"], pause["Reason"]) == (
        "PJSIP/hn-01", "true", "hanoi", "lunch",
    )  # fmt: skip
    originate = next(a for a in sent if a["Action"] == "Originate")
    assert originate["Async"] == "true" and originate["Timeout"] == "10000"
    assert originate["Variable"] == "HOTLINE_DANGER=1"
    assert (busy.reason, busy.unique_id, busy.answered) == (0, None, False)
    assert answered.answered and answered.channel == "PJSIP/hn-01-00000003"


async def test_malformed_input_is_counted_and_the_stream_goes_on() -> None:
    async with running([]) as (server, adapter, rec):
        await adapter.wait_synchronized(within=10)
        name = "Nguyễn Thị Hoa".encode()
        event = (
            b"Event: Newchannel\r\nPrivilege: call,all\r\nChannel: PJSIP/trunk-00000009\r\n"
            b"CallerIDName: " + name + b"\r\nUniqueid: 1.9\r\n\r\n"
        )
        cut = event.index(name) + 3  # inside the two bytes of "ễ"... or near: any cut works
        await server.push(b"this is not AMI\r\n\r\n")
        await server.push(b"Event: ContactStatus\r\nURI: sip:x@y\r\n\r\n")  # no ContactStatus
        await server.push(event[:cut])
        await server.push(event[cut:])
        created = await rec.wait(ami.ChannelCreated)
    assert created.caller_id_name == "Nguyễn Thị Hoa" and created.unique_id == "1.9"
    generic = [e for e in rec.of(ami.AmiEventReceived) if e.name == "ContactStatus"]
    assert generic and generic[0].fields["URI"] == "sip:x@y"  # kept, as a generic event
    assert adapter.stats.malformed == 1 and adapter.stats.conversion_errors == 1
    assert "not Event or Response" in adapter.stats.malformed_samples[0] or adapter.stats.malformed


async def test_a_peer_that_stops_answering_is_dropped_and_reconnected() -> None:
    cat = catalogue()
    cat.silent.add("ping")
    async with running([], cat, ping_interval=0.05, ping_timeout=0.1) as (server, _, rec):
        lost = await rec.wait(ami.AmiConnectionLost)
        await rec.wait(ami.AmiStateSynchronized, 2)
    assert "Ping" in lost.reason
    assert len(server.received) >= 2


async def test_unanswered_action_fails_on_disconnect_and_is_not_resent() -> None:
    cat = catalogue()
    cat.silent.add("originate")
    async with running([], cat) as (server, adapter, rec):
        await adapter.wait_synchronized(within=10)
        call = asyncio.create_task(adapter.originate("PJSIP/hn-01", application="Wait", data="1"))
        await server.wait_for_action("Originate")
        server.close_current()
        with pytest.raises(ami.AmiDisconnectedError, match="Originate"):
            await call
        await rec.wait(ami.AmiStateSynchronized, 2)
    assert "Originate" not in names(server.received[1])


async def test_a_failing_handler_is_counted_and_others_still_get_events() -> None:
    async with running([]) as (_, adapter, rec):

        def broken(event: ami.AmiStateSynchronized) -> None:
            raise RuntimeError("bug in a handler")

        adapter.subscribe(ami.AmiStateSynchronized, broken)
        await adapter.wait_synchronized(within=10)
        await adapter.drain()
        assert adapter.stats.handler_errors == 1
        assert rec.of(ami.AmiStateSynchronized)  # the recorder still got it


async def test_state_is_read_without_pjsip_rights() -> None:
    """manager.conf of asterisk-conf/ grants no ``system`` write: the PJSIP lists fail, the
    snapshot is still taken (device states tell registered phones)."""
    actions, devices = by_name("ami-actions.raw"), by_name("ami-device-busy.raw")
    cat = (
        Catalogue()
        .add(actions, "login-1", with_events=True)
        .add(actions, "coreshowchannels-7")
        .add(devices, "devicestatelist-2")
        .add(actions, "queuestatus-5")
        .add(actions, "logoff-25")
    )
    async with running([], cat, read_pjsip=True) as (server, adapter, _):
        snapshot = await adapter.wait_synchronized(within=10)
    assert "PJSIPShowContacts" in names(server.received[0])
    assert snapshot.contacts == () and snapshot.channels == ()
    assert snapshot.device("PJSIP/hn-03") is ami.DeviceState.UNAVAILABLE


async def test_late_list_items_are_not_taken_for_live_changes() -> None:
    cat = catalogue()
    async with running([], cat) as (server, adapter, rec):
        await adapter.wait_synchronized(within=10)
        cat.silent.add("devicestatelist")
        with pytest.raises(ami.AmiTimeoutError):
            await adapter.send_action({"Action": "DeviceStateList"}, within=0.2)
        action = await server.wait_for_action("DeviceStateList")
        late = by_name("ami-device-busy.raw").items_of("devicestatelist-2")
        await server.push(
            b"".join(m.raw.replace(b"devicestatelist-2", action["ActionID"].encode()) for m in late)
        )
        events = [m for m in late if m.event]  # the Response line is not an event
        stray = await rec.wait(ami.AmiEventReceived, len(events))
    assert stray.fields["ActionID"] == action["ActionID"]
    assert stray.name == "DeviceStateListComplete"
    assert not rec.of(ami.DeviceStateChanged)
    assert adapter.stats.stray_answers == len(events)
