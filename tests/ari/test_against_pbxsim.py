"""The client against the project's PBX simulator (itself checked against the recordings):
a call through Stasis, typed errors, an Asterisk restart, and an app taken over."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Literal

import pytest

from ari import (
    AriClient,
    AriConfig,
    AriConnectionError,
    ChannelNotFound,
    EventStream,
    StreamConnected,
    StreamDisconnected,
    StreamItem,
    StreamStopped,
)
from ari import events as ev
from pbxsim.server import Simulator
from tests.ari.recorded import FIXTURES

SAFETY = 10.0
RestTransport = Literal["aiohttp", "httpcore"]


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    async with Simulator(FIXTURES / "lab-etc", speed=20, ami_port=None) as simulator:
        yield simulator


def _config(sim: Simulator, rest_transport: RestTransport = "aiohttp") -> AriConfig:
    return AriConfig(
        url=sim.ari_base,
        username="lab",
        password="lab",
        app="hotline",
        backoff_initial=0.02,
        backoff_max=0.1,
        rest_transport=rest_transport,
    )


async def next_of(stream: EventStream, kind: type[StreamItem]) -> StreamItem:
    async with asyncio.timeout(SAFETY):
        async for item in stream:
            if isinstance(item, kind):
                return item
    raise AssertionError(f"stream ended before a {kind.__name__}")


@pytest.mark.parametrize("rest_transport", ["aiohttp", "httpcore"])
async def test_a_call_through_stasis_is_typed_end_to_end(
    sim: Simulator, rest_transport: RestTransport
) -> None:
    async with AriClient(_config(sim, rest_transport)) as ari, ari.event_stream() as stream:
        await next_of(stream, StreamConnected)
        sim.pbx.originate_inbound("1800", "0912345678")
        start = await next_of(stream, ev.StasisStart)
        assert isinstance(start, ev.StasisStart)
        caller = start.channel
        assert caller.caller.number == "0912345678"
        assert (caller.dialplan.context, caller.dialplan.exten) == ("from-trunk", "1800")
        playback = await ari.channels.play(caller.id, ["sound:hello-world"], playback_id="pb-1")
        assert playback.id == "pb-1"
        finished = await next_of(stream, ev.PlaybackFinished)
        assert isinstance(finished, ev.PlaybackFinished)
        assert finished.playback.id == "pb-1" and finished.playback.state == "done"
        await ari.channels.hangup(caller.id, reason="normal")
        destroyed = await next_of(stream, ev.ChannelDestroyed)
        assert isinstance(destroyed, ev.ChannelDestroyed)
        assert destroyed.channel.id == caller.id and destroyed.cause == 16
        with pytest.raises(ChannelNotFound):
            await ari.channels.hangup(caller.id)
        await ari.channels.hangup(caller.id, missing_ok=True)
        assert stream.stats.fallback == 0 and stream.stats.malformed == 0


@pytest.mark.parametrize("rest_transport", ["aiohttp", "httpcore"])
async def test_a_quoted_device_name_and_a_json_body_reach_asterisk(
    sim: Simulator, rest_transport: RestTransport
) -> None:
    async with AriClient(_config(sim, rest_transport)) as ari, ari.event_stream() as stream:
        await next_of(stream, StreamConnected)
        # a "/" in a device name stays inside its one path segment (Stasis:hn%2F01)
        await ari.device_states.update("Stasis:hn/01", "BUSY")
        assert (await ari.device_states.get("Stasis:hn/01")).state == "BUSY"
        sim.pbx.originate_inbound("1800", "0912345678")
        start = await next_of(stream, ev.StasisStart)
        assert isinstance(start, ev.StasisStart)
        await ari.channels.set_channel_var(start.channel.id, "HOTLINE_CENTRE", "HN")
        variable = await ari.channels.get_channel_var(start.channel.id, "HOTLINE_CENTRE")
        assert variable.value == "HN"


async def test_asterisk_restart_reconnects_and_reconciles(sim: Simulator) -> None:
    reconnects: list[StreamConnected] = []

    async def reconcile(info: StreamConnected) -> None:
        reconnects.append(info)

    async with AriClient(_config(sim)) as ari, ari.event_stream(on_reconnect=reconcile) as stream:
        await next_of(stream, StreamConnected)
        restart = asyncio.create_task(sim.pbx.restart(0.6))
        dropped = await next_of(stream, StreamDisconnected)
        assert isinstance(dropped, StreamDisconnected) and dropped.close_code == 1006
        again = await next_of(stream, StreamConnected)
        await restart
        assert isinstance(again, StreamConnected) and again.reconnect
        assert reconnects == [again]
        assert (await ari.asterisk.ping()).ping == "pong"


async def test_a_second_client_takes_the_app_and_the_first_stops(sim: Simulator) -> None:
    async with AriClient(_config(sim)) as ari:
        first = ari.event_stream()
        second = ari.event_stream()
        async with first:
            await next_of(first, StreamConnected)
            async with second:
                await next_of(second, StreamConnected)
                replaced = await next_of(first, ev.ApplicationReplaced)
                assert isinstance(replaced, ev.ApplicationReplaced)
                stopped = await next_of(first, StreamStopped)
                assert isinstance(stopped, StreamStopped)
                assert stopped.reason == "application_replaced"
                sim.pbx.originate_inbound("1800", "0987654321")
                start = await next_of(second, ev.StasisStart)
                assert isinstance(start, ev.StasisStart)
                assert start.channel.caller.number == "0987654321"


async def test_a_stream_limited_to_some_types_drops_the_others_unparsed(sim: Simulator) -> None:
    config = _config(sim).model_copy(update={"event_types": frozenset({"StasisStart"})})
    async with AriClient(config) as ari, ari.event_stream() as stream:
        await next_of(stream, StreamConnected)
        sim.pbx.originate_inbound("1800", "0912345678")
        start = await next_of(stream, ev.StasisStart)
        assert isinstance(start, ev.StasisStart)
        await ari.channels.hangup(start.channel.id)
        sim.pbx.originate_inbound("1800", "0987654321")
        delivered: list[StreamItem] = []
        async with asyncio.timeout(SAFETY):
            async for item in stream:
                delivered.append(item)
                if isinstance(item, ev.StasisStart):
                    break
        # nothing of the first call's hang-up came through, though it was received
        assert [type(item) for item in delivered] == [ev.StasisStart]
        assert delivered[0].channel.caller.number == "0987654321"  # type: ignore[union-attr]
        assert stream.stats.skipped > 0 and stream.stats.fallback == 0


@pytest.mark.parametrize("rest_transport", ["aiohttp", "httpcore"])
async def test_a_closed_port_and_a_dropped_request_are_connection_errors(
    rest_transport: RestTransport,
) -> None:
    """Through real sockets: nothing listening, and a server that closes the connection without
    answering, are both ``AriConnectionError`` (the call flow retries those), never a raw
    aiohttp or httpx exception."""

    async def drop(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.close()

    server = await asyncio.start_server(drop, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    free_port = closed.getsockname()[1]
    closed.close()
    try:
        for url in (f"http://127.0.0.1:{free_port}", f"http://127.0.0.1:{port}"):
            config = AriConfig(
                url=url, username="lab", password="lab", app="hotline",
                rest_transport=rest_transport, connect_timeout=2, request_timeout=2,
            )  # fmt: skip
            async with AriClient(config) as ari:
                with pytest.raises(AriConnectionError, match="GET /asterisk/info"):
                    await ari.asterisk.get_info()
    finally:
        server.close()
        await server.wait_closed()
