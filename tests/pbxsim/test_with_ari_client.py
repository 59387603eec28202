"""The project's own ARI client (ari/) against the simulator: a hotline call end to end, and
what a client sees across a WebSocket drop (facts 1-4)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr

from ari import AriClient, AriConfig, ChannelNotFound
from ari.events import AriEvent, ChannelDestroyed, StasisStart
from ari.lifecycle import StreamConnected
from ari.stream import EventStream
from pbxsim.model import PhoneBehaviour
from pbxsim.server import Simulator
from tests.pbxsim.contract import LAB_ETC


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    async with Simulator(LAB_ETC, speed=20, ami_port=None) as running:
        yield running


def _config(sim: Simulator) -> AriConfig:
    return AriConfig(
        url=sim.ari_base,
        username="lab",
        password=SecretStr("lab"),
        app="hotline",
        ping_interval=None,
        backoff_initial=0.05,
        backoff_max=0.2,
    )


def _channel_id(event: AriEvent) -> str | None:
    channel = getattr(event, "channel", None)
    return getattr(channel, "id", None)


async def _next(
    stream: EventStream, kind: type[AriEvent], channel_id: str | None = None
) -> AriEvent:
    async def find() -> AriEvent:
        async for item in stream:
            if isinstance(item, kind) and channel_id in (None, _channel_id(item)):
                return item
        raise AssertionError("stream ended")

    return await asyncio.wait_for(find(), 10)


async def test_hotline_call_bridged_to_a_counsellor_with_the_real_client(sim: Simulator) -> None:
    sim.pbx.set_phone("hn-01", PhoneBehaviour(mode="answer", answer_after=1.0))
    async with AriClient(_config(sim)) as client, client.event_stream() as stream:
        await stream.wait_connected()
        caller = sim.pbx.originate_inbound("1800", "0912345678", "Nguoi goi")
        start = await _next(stream, StasisStart, caller.id)
        assert isinstance(start, StasisStart) and start.channel.caller.number == "0912345678"
        bridge = await client.bridges.create(type="mixing", name="hotline")
        await client.bridges.add_channel(bridge.id, caller.id)
        agent = await client.channels.originate(
            "PJSIP/hn-01",
            app="hotline",
            app_args=["agent", bridge.id],
            caller_id="Hotline <1800>",
            timeout=15,
        )
        agent_start = await _next(stream, StasisStart, agent.id)
        assert isinstance(agent_start, StasisStart) and agent_start.args == ("agent", bridge.id)
        await client.bridges.add_channel(bridge.id, agent.id)
        in_bridge = await client.bridges.get(bridge.id)
        assert in_bridge is not None and set(in_bridge.channels) == {caller.id, agent.id}
        sim.pbx.hangup(caller.id)  # the caller hangs up
        gone = await _next(stream, ChannelDestroyed, caller.id)
        assert isinstance(gone, ChannelDestroyed) and gone.cause == 16
        await client.channels.hangup(agent.id)
        await _next(stream, ChannelDestroyed, agent.id)
        await client.bridges.destroy(bridge.id)
        assert await client.channels.list() == []
        assert (await client.device_states.get("PJSIP/hn-01")).state == "NOT_INUSE"


async def test_busy_counsellor_ends_with_cause_17(sim: Simulator) -> None:
    sim.pbx.set_phone("hn-02", PhoneBehaviour(mode="busy"))
    async with AriClient(_config(sim)) as client, client.event_stream() as stream:
        await stream.wait_connected()
        leg = await client.channels.originate("PJSIP/hn-02", app="hotline", timeout=5)
        gone = await _next(stream, ChannelDestroyed, leg.id)
        assert isinstance(gone, ChannelDestroyed)
        assert (gone.cause, gone.tech_cause) == (17, 486)


async def test_events_of_a_websocket_gap_are_lost_and_state_is_read_back(sim: Simulator) -> None:
    reconnects: list[StreamConnected] = []

    async def on_reconnect(connected: StreamConnected) -> None:
        reconnects.append(connected)

    async with (
        AriClient(_config(sim)) as client,
        client.event_stream(on_reconnect=on_reconnect) as stream,
    ):
        await stream.wait_connected()
        waiting = sim.pbx.originate_inbound("1800", "0911111111", "A")
        leaving = sim.pbx.originate_inbound("1800", "0922222222", "B")
        await _next(stream, StasisStart, waiting.id)
        await _next(stream, StasisStart, leaving.id)
        sim.drop_ari_connections()  # the socket dies: no close frame
        sim.pbx.hangup(leaving.id)  # during the gap
        for _ in range(200):
            if reconnects:
                break
            await asyncio.sleep(0.02)
        assert reconnects and reconnects[0].reconnect
        still_up = [c.id for c in await client.channels.list()]
        assert still_up == [waiting.id]  # nothing replayed; the list tells what is left
        with pytest.raises(ChannelNotFound):
            await client.channels.hangup(leaving.id)
        await client.channels.hangup(waiting.id)
        await _next(stream, ChannelDestroyed, waiting.id)
