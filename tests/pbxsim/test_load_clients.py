"""1,000 concurrent calls through the simulator with the project's real clients connected: the
typed ARI client (REST + event stream) controls them, the AMI adapter watches them."""

from __future__ import annotations

import asyncio

from ari.client import AriClient
from ari.config import AriConfig
from ari.events import ChannelDestroyed, StasisEnd, StasisStart
from callcenter.ami.adapter import AmiAdapter
from callcenter.ami.config import AmiConfig
from callcenter.ami.events import ChannelHungUp
from pbxsim.server import Simulator
from tests.pbxsim.contract import LAB_ETC

CALLS = 1000


async def test_thousand_concurrent_calls_with_the_real_ari_client_and_ami_adapter() -> None:
    async with Simulator(LAB_ETC, speed=50) as sim:
        config = AriConfig(url=sim.ari_base, username="lab", password="lab", app="hotline")
        adapter = AmiAdapter(AmiConfig(username="lab", secret="lab", port=sim.ami_port, node="lab"))
        hung_up: set[str] = set()
        adapter.subscribe(ChannelHungUp, lambda e: hung_up.add(e.unique_id or ""))
        adapter.start()
        started: list[str] = []
        ended: set[str] = set()
        destroyed: set[str] = set()
        all_in, all_gone = asyncio.Event(), asyncio.Event()
        try:
            await adapter.wait_synchronized(within=10)
            async with AriClient(config) as ari, ari.event_stream() as stream:

                async def consume() -> None:
                    async for item in stream:
                        if isinstance(item, StasisStart):
                            started.append(item.channel.id)
                            if len(started) == CALLS:
                                all_in.set()
                        elif isinstance(item, StasisEnd):
                            ended.add(item.channel.id)
                        elif isinstance(item, ChannelDestroyed):
                            destroyed.add(item.channel.id)
                            if len(destroyed) == CALLS:
                                all_gone.set()

                reader = asyncio.get_running_loop().create_task(consume())
                await stream.wait_connected()
                for n in range(CALLS):
                    sim.pbx.originate_inbound("1800", f"09{n:08d}", "caller")
                await asyncio.wait_for(all_in.wait(), 60)
                assert len(await ari.channels.list()) == CALLS
                todo = list(started)

                async def worker() -> None:  # ten concurrent users of the one REST client
                    while todo:
                        await ari.channels.hangup(todo.pop())

                await asyncio.gather(*(worker() for _ in range(10)))
                await asyncio.wait_for(all_gone.wait(), 60)
                assert await ari.channels.list() == []
                reader.cancel()
                await asyncio.gather(reader, return_exceptions=True)
            for _ in range(200):  # the AMI view catches up
                if set(started) <= hung_up:
                    break
                await asyncio.sleep(0.05)
        finally:
            await adapter.close()
    assert len(set(started)) == CALLS
    assert ended == destroyed == set(started), "every call left the app and was destroyed"
    assert set(started) <= hung_up, "the AMI adapter saw every hang-up"
    assert adapter.stats.malformed == adapter.stats.conversion_errors == 0
