"""Contract: every recorded REST exchange can be made through the client's API, byte for byte,
and every recorded answer parses into the resource model (or the typed error) completely."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from ari import AriClient, errors
from ari.errors import error_from_response
from ari.models import AsteriskInfo, AsteriskPing, DeviceState
from tests.ari import recorded
from tests.ari.replay import CONFIG, ReplayTransport, route
from tests.ari.test_contract_events import undeclared_fields

JSONL = [p for p in recorded.jsonl_files() if recorded.load(p).rest_pairs()]

EXPECTED_ERRORS: dict[tuple[int, str], type[errors.AriHttpError]] = {
    (404, "Channel not found"): errors.ChannelNotFound,
    (404, "Playback not found"): errors.PlaybackNotFound,
    (404, "Application not found"): errors.ApplicationNotFound,
    (404, "Bridge not found"): errors.BridgeNotFound,
    (
        422,
        "Endpoint technology 'SIP' does not match channel technology 'PJSIP'",
    ): errors.AriUnprocessable,
}


def _dump(value: Any) -> Any:
    if isinstance(value, list):
        return [_dump(v) for v in value]
    if isinstance(value, BaseModel):
        assert undeclared_fields(value) == [], type(value).__name__
        return value.model_dump(mode="json", exclude_unset=True)
    return value


def test_every_recorded_request_has_a_client_call() -> None:
    unmapped = set()
    for path in recorded.jsonl_files():
        for req, _ in recorded.load(path).rest_pairs():
            if route(req["method"], req["path"]) is None:
                unmapped.add((req["method"], req["path"]))
    assert not unmapped, f"recorded ARI requests the client cannot make: {sorted(unmapped)}"


@pytest.mark.parametrize("path", JSONL, ids=recorded.file_id)
async def test_replay_rest_exchanges(path: Path) -> None:
    transport = ReplayTransport()
    async with AriClient(CONFIG, transport=transport) as client:
        for req, resp in recorded.load(path).rest_pairs():
            found = route(req["method"], req["path"])
            assert found is not None
            call, match = found
            transport.expected = (req, resp)
            if resp["status"] >= 400:
                with pytest.raises(errors.AriHttpError) as info:
                    await call(client, match, req["query"])
                key = (resp["status"], resp["body"].get("message") or resp["body"].get("error"))
                assert key in EXPECTED_ERRORS, f"recorded error not in EXPECTED_ERRORS: {key}"
                assert type(info.value) is EXPECTED_ERRORS[key]
                assert info.value.message == key[1]
                assert info.value.status == resp["status"]
            else:
                result = await call(client, match, req["query"])
                assert _dump(result) == resp["body"]
            assert transport.expected is None, "the client sent no request"


def test_rest_snapshots_parse() -> None:
    snapshots = json.loads(
        (recorded.FIXTURES / "recordings" / "ari-rest-snapshots-bridged-call.json").read_text(
            "utf-8"
        )
    )
    checked = 0
    for phase in snapshots.values():
        for url, _answer in phase.items():
            found = route("GET", url)
            assert found is not None, url
            checked += 1
    assert checked >= 10
    info = AsteriskInfo.model_validate(
        snapshots["during bridged call"]["/ari/asterisk/info"]["body"]
    )
    assert info.system is not None and info.system.entity_id == "02:fc:00:00:00:01"
    assert info.status is not None and info.status.startup_time.year == 2026


async def test_rest_snapshot_bodies_through_the_client() -> None:
    snapshots = json.loads(
        (recorded.FIXTURES / "recordings" / "ari-rest-snapshots-bridged-call.json").read_text(
            "utf-8"
        )
    )
    transport = ReplayTransport()
    async with AriClient(CONFIG, transport=transport) as client:
        for phase in snapshots.values():
            for url, answer in phase.items():
                found = route("GET", url)
                assert found is not None
                call, match = found
                transport.expected = ({"method": "GET", "path": url, "query": {}}, answer)
                assert _dump(await call(client, match, {})) == answer["body"]


def _curl_exchanges() -> list[tuple[str, int, str]]:
    """(command, status, body) of each exchange in ari-misc-curl.txt."""
    text = (recorded.FIXTURES / "recordings" / "ari-misc-curl.txt").read_text("utf-8")
    out = []
    for block in text.split("$ curl")[1:]:
        command = block.splitlines()[0]
        status = int(re.search(r"HTTP/1.1 (\d+)", block).group(1))  # type: ignore[union-attr]
        body = block.split("\n\n", 1)[1].strip() if "\n\n" in block else ""
        out.append((command, status, body))
    return out


def test_curl_error_bodies_become_typed_errors() -> None:
    exchanges = _curl_exchanges()
    assert len(exchanges) == 9
    seen: dict[type[errors.AriHttpError], str] = {}
    for command, status, body in exchanges:
        if status < 400:
            continue
        path = re.search(r"8088(/ari/[^?' ]*)", command).group(1)  # type: ignore[union-attr]
        error = error_from_response(status, body, method="GET", path=path)
        seen[type(error)] = error.message
    assert seen == {
        errors.AriUnauthorized: "Authentication required",
        errors.AriServerError: "Allocation failed",
        errors.BridgeNotFound: "Bridge not found",
    }


def test_curl_success_bodies_parse() -> None:
    bodies = [body for _, status, body in _curl_exchanges() if status == 200]
    ping = AsteriskPing.model_validate_json(bodies[0])
    assert ping.asterisk_id == "02:fc:00:00:00:01"
    assert ping.model_dump(mode="json") == json.loads(bodies[0])
    states = [DeviceState.model_validate(d) for d in json.loads(bodies[1])]
    assert states == [DeviceState(name="Stasis:hotline-open", state="NOT_INUSE")]
