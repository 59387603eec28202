"""transfer-redirect-ghost-watch, compared without its order.

Its AMI session (login ``lab``, ``Events: on``) stayed connected from 21:55 to 22:04 while the
lab recorded transfer-redirect, app-replaced, transfer-phone-refer-ari-only and redirect-ringing
(recordings-2/README.md), and saw the ghost leg that transfer-redirect-no-notify had left
(agent-hn01-1795384442) destroyed when its REFER subscription's refresh timed out (fact 47).
Its ARI side is the app ``ghostwatch`` (subscribeAll: every channel's events, fact 18) polling
``GET /channels`` until the ghost was gone. The runs overlap the watch in time, so the issue
exempts it from the order check: here the same runs are replayed one after the other on one
simulator while one AMI client and one ``ghostwatch`` WebSocket watch, and what they get must
be the recorded messages as a multiset: AMI names and header keys, ARI event types with their
JSON keys and value types (values aside); the polls answer with the recorded status codes and
body shapes.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from typing import Any

import httpx
import websockets

from pbxsim.ami.protocol import ActionReader
from pbxsim.model.hangup import destroy
from pbxsim.server import Simulator
from tests.pbxsim.ami.amiclient import AmiClient, Message, name_of, parse_messages
from tests.pbxsim.ami.conftest import FIXTURES, LAB
from tests.pbxsim.ami.test_contract_ari import SPEED, AmiReplay
from tests.pbxsim.contract import leave_ghost, shape

NAME = "transfer-redirect-ghost-watch"
RUNS = ("transfer-redirect", "app-replaced", "transfer-phone-refer-ari-only", "redirect-ringing")
GHOST = "agent-hn01-1795384442"


def multiset(messages: list[Message]) -> Counter[str]:
    """Names and header keys; RTCPSent left out (the simulator sends no RTP)."""
    return Counter(
        f"{name_of(m)}  {' '.join(k for k, _ in m[1:])}"
        for m in messages
        if name_of(m) != "Event:RTCPSent"
    )


def _poll(path: str, status: int, body: Any) -> tuple[str, int, str]:
    """A GET's path (the ghost's id aside), status code and body shape."""
    return (path.replace(GHOST, "<ghost>"), status, json.dumps(shape(body), sort_keys=True))


def _ari_shapes(events: list[dict[str, Any]]) -> Counter[str]:
    return Counter(json.dumps([e["type"], shape(e)], sort_keys=True) for e in events)


async def _run_with_its_recorder(sim: Simulator, run: str, records: list[dict[str, Any]]) -> None:
    """One run with its own AMI recorder logged in as in the lab (the watcher sees its
    SuccessfulAuth)."""
    sent = (FIXTURES / "recordings-2" / f"ami-{run}.sent.raw").read_bytes()
    actions = [a.headers for a in ActionReader().feed(sent)]
    recorder = await AmiClient.connect(sim.ami_port)
    recorder.send(actions[0])
    replay = AmiReplay(sim, records, run, recorder, actions[1:], setup=False)
    await replay.run()
    for action in replay.pending.values():  # Logoff
        recorder.send(action)
    await recorder.close()


async def test_the_ghost_watch_sees_the_recorded_messages() -> None:
    folder = FIXTURES / "recordings-2"
    raw = (folder / f"ami-{NAME}.raw").read_bytes()
    recorded = parse_messages(raw.partition(b"\r\n")[2])
    login, logoff = (
        a.headers for a in ActionReader().feed((folder / f"ami-{NAME}.sent.raw").read_bytes())
    )
    records = [
        json.loads(line)
        for line in (folder / f"ari-{NAME}.jsonl").read_text().splitlines()
        if line.strip()
    ]
    ws_recorded = [r["event"] for r in records if r["kind"] == "ws_event"]
    polls_recorded = {
        _poll(r["path"], r["status"], r["body"]) for r in records if r["kind"] == "rest_response"
    }
    seen: list[Message] = []
    ws_seen: list[dict[str, Any]] = []
    polls: set[tuple[str, int, str]] = set()
    async with Simulator(LAB, speed=SPEED) as sim, httpx.AsyncClient(auth=("lab", "lab")) as http:

        async def poll(path: str) -> None:
            answer = await http.get(f"{sim.ari_url}{path}")
            polls.add(_poll(f"/ari{path}", answer.status_code, answer.json()))

        ghost = leave_ghost(sim.pbx)  # before the watch started
        ws = await websockets.connect(
            f"{sim.ari_ws_url}?app=ghostwatch&api_key=lab:lab&subscribeAll=true", ping_interval=None
        )

        async def listen() -> None:
            async for frame in ws:
                ws_seen.append(json.loads(frame))

        listener = asyncio.create_task(listen())
        await poll(f"/channels/{GHOST}")
        client = await AmiClient.connect(sim.ami_port)

        async def pump() -> None:
            while True:
                seen.append(await client.read_message(wait=3600))

        reader = asyncio.create_task(pump())
        client.send(login)
        for run in RUNS:
            records = [
                json.loads(line)
                for line in (folder / f"ari-{run}.jsonl").read_text().splitlines()
                if line.strip()
            ]
            await _run_with_its_recorder(sim, run, records)
            await poll("/channels")
        destroy(sim.pbx, ghost, 16)  # the REFER subscription's refresh timed out
        for _ in range(200):
            if any(
                e["type"] == "ChannelDestroyed" and e["channel"]["id"] == GHOST for e in ws_seen
            ):
                break
            await asyncio.sleep(0.01)
        await poll("/channels")
        await ws.close()
        await asyncio.gather(listener, return_exceptions=True)
        client.send(logoff)
        for _ in range(200):
            if any(name_of(m) == "Response:Goodbye" for m in seen):
                break
            await asyncio.sleep(0.01)
        reader.cancel()
        await asyncio.gather(reader, return_exceptions=True)
        await client.close()
    assert any(dict(m).get("Uniqueid") == GHOST and name_of(m) == "Event:Hangup" for m in seen)
    expected, got = multiset(recorded), multiset(seen)
    assert got == expected, f"AMI: missing {expected - got}, extra {got - expected}"
    ari_expected, ari_got = _ari_shapes(ws_recorded), _ari_shapes(ws_seen)
    assert ari_got == ari_expected, (
        f"ARI: missing {ari_expected - ari_got}, extra {ari_got - ari_expected}"
    )
    assert polls == polls_recorded
