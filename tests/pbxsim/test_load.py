"""1,000 concurrent channels in the model, driven and watched through the ARI server."""

from __future__ import annotations

import asyncio
import json
from collections import Counter

import httpx
import websockets

from pbxsim.server import Simulator
from tests.pbxsim.contract import LAB_ETC

CALLS = 1000


async def test_thousand_concurrent_channels_through_ari() -> None:
    async with Simulator(LAB_ETC, speed=50, ami_port=None) as sim:
        url = f"{sim.ari_ws_url}?app=hotline&api_key=lab:lab&subscribeAll=true"
        seen: Counter[str] = Counter()
        started: list[str] = []
        all_in = asyncio.Event()
        all_gone = asyncio.Event()
        async with websockets.connect(url, ping_interval=None, max_queue=None) as ws:

            async def read() -> None:
                async for message in ws:
                    event = json.loads(message)
                    seen[event["type"]] += 1
                    if event["type"] == "StasisStart":
                        started.append(event["channel"]["id"])
                        if len(started) == CALLS:
                            all_in.set()
                    if event["type"] == "ChannelDestroyed" and seen["ChannelDestroyed"] == CALLS:
                        all_gone.set()

            reader = asyncio.get_running_loop().create_task(read())
            for n in range(CALLS):
                sim.pbx.originate_inbound("1800", f"09{n:08d}", "caller")
            await asyncio.wait_for(all_in.wait(), 30)
            limits = httpx.Limits(max_connections=10)
            async with httpx.AsyncClient(auth=("lab", "lab"), limits=limits, timeout=30) as client:
                listed = (await client.get(f"{sim.ari_url}/channels")).json()
                assert len(listed) == CALLS
                todo = list(started)
                statuses: Counter[int] = Counter()

                async def worker() -> None:  # 10 clients hanging calls up
                    while todo:
                        channel_id = todo.pop()
                        response = await client.delete(f"{sim.ari_url}/channels/{channel_id}")
                        statuses[response.status_code] += 1

                await asyncio.gather(*(worker() for _ in range(10)))
                assert statuses == Counter({204: CALLS})
                await asyncio.wait_for(all_gone.wait(), 30)
                assert (await client.get(f"{sim.ari_url}/channels")).json() == []
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)
        assert seen["StasisStart"] == CALLS
        assert seen["StasisEnd"] == CALLS
        assert seen["ChannelDestroyed"] == CALLS
