"""The event WebSocket against a real local ``websockets`` server that misbehaves like Asterisk:
drops with RST / FIN / close frame, 503 "Asterisk not booted", refused connections, 401,
ApplicationReplaced, malformed frames. No timed assertions: every wait is bounded only as a
safety net."""

from __future__ import annotations

import asyncio
import json
import random
import socket
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest

from ari import (
    AriClient,
    AriConfig,
    AriEvent,
    EventStream,
    StreamConnected,
    StreamDisconnected,
    StreamItem,
    StreamStopped,
    UnknownEvent,
)
from ari import events as ev
from tests.ari import recorded
from tests.ari.fake_asterisk import FakeAriEvents, close_with, fin, frames_then, rst

SAFETY = 10.0


def _frames(name: str) -> list[str]:
    paths = [p for p in recorded.ws_raw_files() if p.name == name]
    return recorded.ws_raw_frames(paths[0])


IVR = _frames("ari-ivr-dtmf.ws.raw")
REPLACED = _frames("ari-app-replaced.ws.raw")


def _config(port: int, **extra: object) -> AriConfig:
    values: dict[str, object] = {
        "url": f"http://127.0.0.1:{port}",
        "username": "lab",
        "password": "lab",
        "app": "hotline",
        "node": "lab",
        "backoff_initial": 0.01,
        "backoff_max": 0.05,
        "open_timeout": 2.0,
        "repair_stale_subscriptions": False,
    }
    values.update(extra)
    return AriConfig.model_validate(values)


@pytest.fixture
async def server() -> AsyncIterator[FakeAriEvents]:
    fake = FakeAriEvents()
    await fake.start()
    yield fake
    await fake.stop()


async def until(predicate: Callable[[], bool]) -> None:
    """Poll a condition (bounded by SAFETY); for states that have no event to wait on."""
    async with asyncio.timeout(SAFETY):
        while True:
            if predicate():
                return
            await asyncio.sleep(0.005)


async def take(stream: EventStream, count: int) -> list[StreamItem]:
    items: list[StreamItem] = []
    async with asyncio.timeout(SAFETY):
        while len(items) < count:
            items.append(await anext(stream))
    return items


async def take_until(stream: EventStream, kind: type[object]) -> list[StreamItem]:
    items: list[StreamItem] = []
    async with asyncio.timeout(SAFETY):
        async for item in stream:
            items.append(item)
            if isinstance(item, kind):
                break
    return items


async def test_events_arrive_typed_and_in_order(server: FakeAriEvents) -> None:
    server.scripts.append(frames_then(IVR))
    async with EventStream(_config(server.port)) as stream:
        items = await take(stream, 1 + len(IVR))
    assert isinstance(items[0], StreamConnected)
    assert items[0].connection == 1 and not items[0].reconnect
    events = items[1:]
    assert [e.type for e in events] == [json.loads(f)["type"] for f in IVR]  # type: ignore[union-attr]
    assert any(isinstance(e, ev.ChannelDtmfReceived) for e in events)
    assert not any(isinstance(e, UnknownEvent) for e in events)
    request = server.requests[0]
    assert request.path.startswith("/ari/events?")
    assert "app=hotline" in request.path and "subscribeAll=true" in request.path


async def test_malformed_and_unknown_frames_are_counted_not_fatal(server: FakeAriEvents) -> None:
    novel = json.dumps({"type": "ChannelSomethingNew", "application": "hotline", "x": 1})
    server.scripts.append(frames_then(["{not json", IVR[0], "[]", novel, IVR[1]]))
    async with EventStream(_config(server.port)) as stream:
        items = await take(stream, 4)
        assert [type(i).__name__ for i in items] == [
            "StreamConnected",
            "ChannelCreated",
            "UnknownEvent",
            "ChannelVarset",
        ]
        assert stream.stats.malformed == 2
        assert stream.stats.fallback == 1
        assert stream.stats.unknown_types == {"ChannelSomethingNew": 1}
        assert stream.connected


@pytest.mark.parametrize(
    ("drop", "code"), [(rst, 1006), (fin, 1006), (close_with(1011, "bye"), 1011)]
)
async def test_reconnects_after_a_drop_and_reconciles_before_new_events(
    server: FakeAriEvents, drop: object, code: int
) -> None:
    server.scripts.append(frames_then(IVR[:2], drop))  # type: ignore[arg-type]
    server.scripts.append(frames_then(IVR[2:3]))
    log: list[str] = []

    async def on_connect(info: StreamConnected) -> None:
        log.append(f"connect {info.connection}")

    async def on_reconnect(info: StreamConnected) -> None:
        assert info.reconnect and info.connection == 2
        await asyncio.sleep(0.05)  # a slow reconcile: events must wait for it, not get lost
        log.append("reconciled")

    items: list[StreamItem] = []
    async with EventStream(
        _config(server.port), on_connect=on_connect, on_reconnect=on_reconnect
    ) as stream:
        async with asyncio.timeout(SAFETY):
            async for item in stream:
                items.append(item)
                log.append(type(item).__name__)
                if len(items) == 6:
                    break
    assert [type(i).__name__ for i in items] == [
        "StreamConnected",
        "ChannelCreated",
        "ChannelVarset",
        "StreamDisconnected",
        "StreamConnected",
        "ChannelDialplan",
    ]
    assert log.count("connect 1") == 1 and log.count("connect 2") == 1
    # the reconcile hook finished before any event of the new connection was delivered
    assert log.index("reconciled") < log.index("ChannelDialplan")
    disconnected = items[3]
    assert isinstance(disconnected, StreamDisconnected)
    assert disconnected.close_code == code
    assert isinstance(items[4], StreamConnected) and items[4].reconnect
    assert server.accepted == 2


async def test_asterisk_not_booted_503_is_retried(server: FakeAriEvents) -> None:
    server.reject += [(503, '{"message":"Asterisk not booted"}')] * 2
    server.scripts.append(frames_then(IVR[:1]))
    async with EventStream(_config(server.port)) as stream:
        items = await take(stream, 2)
        assert stream.stats.failed_attempts == 2
        assert stream.stats.last_error == 'HTTP 503 {"message":"Asterisk not booted"}'
    connected = items[0]
    assert isinstance(connected, StreamConnected)
    assert connected.failed_attempts == 2 and not connected.reconnect
    assert isinstance(items[1], ev.ChannelCreated)


async def test_connection_refused_until_asterisk_listens() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    stream = EventStream(_config(port))
    stream.start()
    fake = FakeAriEvents()
    try:
        await until(lambda: stream.stats.failed_attempts >= 3)
        assert "Connect" in (stream.stats.last_error or "") or "refused" in (
            stream.stats.last_error or ""
        )
        await fake.start(port)
        fake.scripts.append(frames_then(IVR[:1]))
        items = await take(stream, 2)
        assert isinstance(items[0], StreamConnected) and items[0].failed_attempts >= 3
        assert items[0].downtime_s is not None and items[0].downtime_s > 0
    finally:
        await stream.aclose()
        await fake.stop()


async def test_application_replaced_stops_without_fighting(server: FakeAriEvents) -> None:
    replaced_frame = REPLACED[-1]
    assert json.loads(replaced_frame)["type"] == "ApplicationReplaced"
    server.scripts.append(frames_then(REPLACED))  # socket stays open and silent (fact 9)
    server.scripts.append(frames_then([]))
    async with EventStream(_config(server.port)) as stream:
        items = [item async for item in stream]
    assert isinstance(items[-3], ev.ApplicationReplaced)
    assert isinstance(items[-2], StreamDisconnected)
    assert isinstance(items[-1], StreamStopped) and items[-1].reason == "application_replaced"
    assert server.accepted == 1
    assert await _closed_soon(server)


async def test_credentials_basic_and_api_key(server: FakeAriEvents) -> None:
    for mode in ("basic", "api_key"):
        server.scripts.append(frames_then(IVR[:1]))
        async with EventStream(_config(server.port, ws_auth=mode)) as stream:
            items = await take(stream, 2)
            assert isinstance(items[1], ev.ChannelCreated)
    assert "Authorization" in server.requests[0].headers
    assert "api_key=lab:lab" in server.requests[1].path
    assert "Authorization" not in server.requests[1].headers


async def test_wrong_password_keeps_retrying_and_says_why(server: FakeAriEvents) -> None:
    async with EventStream(_config(server.port, password="wrong")) as stream:
        await until(lambda: stream.stats.failed_attempts >= 2)
        assert stream.stats.last_error == 'HTTP 401 {"message":"Authentication required"}'
        assert not stream.connected
    assert server.accepted == 0


async def test_clean_shutdown_sends_close_frame_and_ends_iteration(
    server: FakeAriEvents,
) -> None:
    stream = EventStream(_config(server.port))
    async with stream:
        await take(stream, 1)
    assert await _closed_soon(server)
    rest = [item async for item in stream]
    assert [type(i).__name__ for i in rest] == ["StreamDisconnected", "StreamStopped"]
    assert stream._task is not None and stream._task.done()


async def _closed_soon(server: FakeAriEvents) -> bool:
    await until(lambda: bool(server.client_close_codes))
    return server.client_close_codes == [1000]


async def test_shutdown_while_waiting_to_reconnect() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    stream = EventStream(_config(port, backoff_initial=5.0, backoff_max=5.0))
    stream.start()
    await until(lambda: stream.stats.failed_attempts >= 1)
    async with asyncio.timeout(SAFETY):
        await stream.aclose()
        items = [item async for item in stream]
    assert [type(i).__name__ for i in items] == ["StreamStopped"]
    assert stream._task is not None and stream._task.done()


async def test_failing_reconnect_hook_does_not_stop_events(server: FakeAriEvents) -> None:
    server.scripts.append(frames_then(IVR[:1], rst))
    server.scripts.append(frames_then(IVR[1:2]))

    async def broken(info: StreamConnected) -> None:
        raise RuntimeError("database down")

    async with EventStream(_config(server.port), on_reconnect=broken) as stream:
        items = await take(stream, 5)
        assert stream.stats.hook_errors == 1
    assert isinstance(items[-1], ev.ChannelVarset)


async def test_duplicate_frames_dropped_when_asked(server: FakeAriEvents) -> None:
    frames = _frames("ari-snoop.ws.raw")
    duplicates = len(frames) - len(set(frames))
    assert duplicates > 0
    server.scripts.append(frames_then(frames))
    async with EventStream(_config(server.port, dedupe_window=64)) as stream:
        items = await take(stream, 1 + len(frames) - duplicates)
        assert stream.stats.duplicates_dropped == duplicates
    events = [i for i in items if isinstance(i, AriEvent)]
    assert len({e.model_dump_json() for e in events}) == len(events)


async def test_stale_explicit_subscriptions_are_removed_then_reconnected(
    server: FakeAriEvents,
) -> None:
    """Facts 7-8, replaying ari-stale-app.jsonl's REST answers."""
    stale = recorded.load(
        next(p for p in recorded.jsonl_files() if p.name == "ari-stale-app.jsonl")
    )
    pairs = stale.rest_pairs()
    explicit, deleted, global_ = pairs[0][1]["body"], pairs[1][1]["body"], pairs[3][1]["body"]
    assert "__AST_CHANNEL_ALL_TOPIC" in global_["channel_ids"]
    answers = [explicit, global_]
    rest_log: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        rest_log.append(f"{request.method} {request.url.raw_path.decode()}")
        if request.method == "DELETE":
            return httpx.Response(200, json=deleted)
        return httpx.Response(200, json=answers.pop(0))

    server.scripts.append(frames_then([]))
    server.scripts.append(frames_then(IVR[:1]))
    config = _config(server.port, repair_stale_subscriptions=True)
    ari = AriClient(config, transport=httpx.MockTransport(handler))
    async with ari, ari.event_stream(rng=random.Random(1)) as stream:
        items = await take(stream, 2)
        assert stream.stats.stale_repairs == 1
    assert rest_log == [
        "GET /ari/applications/hotline",
        "DELETE /ari/applications/hotline/subscription"
        "?eventSource=endpoint%3APJSIP%2Fhn-03%2CdeviceState%3APJSIP%2Fhn-03",
        "GET /ari/applications/hotline",
    ]
    assert server.accepted == 2
    assert isinstance(items[0], StreamConnected) and items[0].connection == 1
    assert isinstance(items[1], ev.ChannelCreated)


async def test_one_function_as_both_hooks_runs_once_per_connection(
    server: FakeAriEvents,
) -> None:
    server.scripts.append(frames_then(IVR[:1], rst))
    server.scripts.append(frames_then(IVR[1:2]))
    calls: list[int] = []

    async def reconcile(info: StreamConnected) -> None:
        calls.append(info.connection)

    async with EventStream(
        _config(server.port), on_connect=reconcile, on_reconnect=reconcile
    ) as stream:
        await take(stream, 5)
    assert calls == [1, 2]


async def test_a_flapping_server_does_not_get_a_tight_reconnect_loop(
    server: FakeAriEvents,
) -> None:
    server.scripts += [close_with(1011)] * 4 + [frames_then(IVR[:1])]
    config = _config(server.port, backoff_initial=0.01, backoff_max=1.0, backoff_jitter=0.0)
    async with EventStream(config) as stream:
        await take_until(stream, ev.ChannelCreated)
        # accepted then closed at once, four times: the delay kept doubling (0.01 -> 0.08)
        assert stream.stats.last_delay_s == pytest.approx(0.08)
        assert stream.stats.connections == 5


WS_RAW_WITH_FRAMES = [p for p in recorded.ws_raw_files() if recorded.ws_raw_frames(p)]


@pytest.mark.parametrize("path", WS_RAW_WITH_FRAMES, ids=recorded.file_id)
async def test_every_recorded_connection_arrives_complete_over_a_real_socket(
    server: FakeAriEvents, path: Path
) -> None:
    """Each recorded connection's frames, sent verbatim over a WebSocket, come out of the
    stream as typed events equal to the transcript, in order, none dropped."""
    frames = recorded.ws_raw_frames(path)
    replaced = json.loads(frames[-1])["type"] == "ApplicationReplaced"
    server.scripts.append(frames_then(frames))
    async with EventStream(_config(server.port)) as stream:
        items = await take(stream, 1 + len(frames))
        assert stream.stats.fallback == 0 and stream.stats.malformed == 0
    events = [i for i in items if isinstance(i, AriEvent)]
    dumped = [e.model_dump(mode="json", exclude_unset=True) for e in events]
    transcript = recorded.load(recorded.jsonl_for_ws_raw(path))
    assert dumped in list(transcript.events_by_conn.values())
    assert replaced == isinstance(events[-1], ev.ApplicationReplaced)
