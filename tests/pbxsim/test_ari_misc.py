"""ari-misc-curl.txt replayed: 401 bodies, api_key auth, Stasis: device states, the 500 and 404
error bodies, and the 401 before a WebSocket upgrade."""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass

import httpx
import pytest
import websockets

from pbxsim.server import Simulator
from tests.pbxsim.contract import FIXTURES, LAB_ETC


@dataclass(frozen=True)
class Exchange:
    method: str
    path: str
    auth: tuple[str, str] | None
    websocket: bool
    status: int
    body: object


def _exchanges() -> list[Exchange]:
    text = (FIXTURES / "recordings" / "ari-misc-curl.txt").read_text()
    out = []
    for block in text.split("\n$ ")[1:]:
        command, _, rest = block.partition("\n")
        args = shlex.split(command)
        method = args[args.index("-X") + 1] if "-X" in args else "GET"
        auth = tuple(args[args.index("-u") + 1].split(":", 1)) if "-u" in args else None
        url = next(a for a in args if a.startswith("http"))
        status = int(re.search(r"HTTP/1\.1 (\d+)", rest).group(1))  # type: ignore[union-attr]
        body_text = rest.split("\n\n", 1)[1].strip() if "\n\n" in rest else ""
        out.append(
            Exchange(
                method=method,
                path=url.split("8088", 1)[1],
                auth=(auth[0], auth[1]) if auth else None,
                websocket="Upgrade: websocket" in command,
                status=status,
                body=json.loads(body_text) if body_text else None,
            )
        )
    return out


EXCHANGES = _exchanges()


def test_the_transcript_was_read() -> None:
    assert len(EXCHANGES) >= 8


async def test_misc_exchanges_answer_as_recorded() -> None:
    async with Simulator(LAB_ETC, ami_port=None) as sim, httpx.AsyncClient() as client:
        for ex in EXCHANGES:
            if ex.websocket:
                with pytest.raises(websockets.InvalidStatus) as denied:
                    await websockets.connect(f"ws://127.0.0.1:{sim.ari_port}{ex.path}")
                assert denied.value.response.status_code == ex.status
                assert json.loads(denied.value.response.body or b"null") == ex.body
                continue
            response = await client.request(ex.method, f"{sim.ari_base}{ex.path}", auth=ex.auth)
            assert response.status_code == ex.status, ex
            if ex.status == 401:
                assert (
                    response.headers["www-authenticate"] == 'Basic realm="Asterisk REST Interface"'
                )
            body = response.json() if response.content else None
            if isinstance(ex.body, dict) and "timestamp" in ex.body:
                assert isinstance(body, dict) and set(body) == set(ex.body)
            else:
                assert body == ex.body, ex
