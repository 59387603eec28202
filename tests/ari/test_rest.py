"""REST behaviour of the client: typed errors, missing_ok, parameters, one reused connection."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

import httpx
import pytest

from ari import AriClient, errors
from tests.ari.replay import CONFIG


def _client(handler: Callable[[httpx.Request], httpx.Response]) -> AriClient:
    return AriClient(CONFIG, transport=httpx.MockTransport(handler))


def _answer(status: int, body: object = None) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        if body is None:
            return httpx.Response(status)
        return httpx.Response(
            status, content=json.dumps(body).encode(), headers={"content-type": "application/json"}
        )

    return handler


@pytest.mark.parametrize(
    ("status", "body", "cls", "message"),
    [
        (
            400,
            {"message": "Invalid reason for hangup provided"},
            errors.AriBadRequest,
            "Invalid reason for hangup provided",
        ),
        (
            401,
            {"message": "Authentication required"},
            errors.AriUnauthorized,
            "Authentication required",
        ),
        (404, {"message": "Channel not found"}, errors.ChannelNotFound, "Channel not found"),
        (
            409,
            {"message": "Channel not in Stasis application"},
            errors.AriConflict,
            "Channel not in Stasis application",
        ),
        (
            422,
            {"message": "Endpoint technology 'SIP' does not match channel technology 'PJSIP'"},
            errors.AriUnprocessable,
            "Endpoint technology 'SIP' does not match channel technology 'PJSIP'",
        ),
        (500, {"error": "Allocation failed"}, errors.AriServerError, "Allocation failed"),
        (503, {"message": "Asterisk not booted"}, errors.AriUnavailable, "Asterisk not booted"),
        (418, None, errors.AriHttpError, "(no message)"),
    ],
)
async def test_error_statuses_become_typed_errors_with_asterisk_message(
    status: int, body: object, cls: type[errors.AriHttpError], message: str
) -> None:
    async with _client(_answer(status, body)) as ari:
        with pytest.raises(errors.AriHttpError) as info:
            await ari.channels.answer("1795383772.4938")
    assert type(info.value) is cls
    assert info.value.message == message
    assert info.value.status == status
    assert "/ari/channels/1795383772.4938/answer" in str(info.value)


async def test_hangup_of_a_channel_that_already_hung_up() -> None:
    async with _client(_answer(404, {"message": "Channel not found"})) as ari:
        await ari.channels.hangup("gone", missing_ok=True)
        assert await ari.channels.get("gone", missing_ok=True) is None
        with pytest.raises(errors.ChannelNotFound):
            await ari.channels.hangup("gone")
    # ChannelNotFound is part of the hierarchy callers catch
    assert issubclass(errors.ChannelNotFound, errors.AriNotFound)
    assert issubclass(errors.AriNotFound, errors.AriError)


async def test_missing_ok_does_not_hide_other_errors() -> None:
    async with _client(_answer(409, {"message": "Channel not in Stasis application"})) as ari:
        with pytest.raises(errors.AriConflict):
            await ari.channels.hangup("x", missing_ok=True)


async def test_not_found_class_from_the_path_when_the_message_is_unusual() -> None:
    async with _client(_answer(404, {"message": "Nope"})) as ari:
        with pytest.raises(errors.PlaybackNotFound):
            await ari.playbacks.stop("pb-1")
        with pytest.raises(errors.BridgeNotFound):
            await ari.bridges.destroy("b-1")


async def test_unreachable_asterisk_is_a_connection_error() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("Connection refused", request=request)

    async with _client(refuse) as ari:
        with pytest.raises(errors.AriConnectionError, match="ConnectError"):
            await ari.asterisk.get_info()


async def test_body_that_is_not_the_resource_is_a_protocol_error() -> None:
    async with _client(_answer(200, {"unexpected": True})) as ari:
        with pytest.raises(errors.AriProtocolError, match="Channel"):
            await ari.channels.get("x")
    async with _client(_answer(200, {"not": "a list"})) as ari:
        with pytest.raises(errors.AriProtocolError):
            await ari.channels.list()


async def test_originate_sends_variables_in_the_body_and_the_rest_as_query() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(500, json={"error": "Allocation failed"})

    async with _client(handler) as ari:
        with pytest.raises(errors.AriServerError):
            await ari.channels.originate(
                "PJSIP/hn-01",
                app="hotline",
                app_args=["agent", "call-1"],
                caller_id="Hotline <1800>",
                timeout=15,
                variables={"CALLERID(name)": "Đường dây nóng", "DANGER": "1"},
                channel_id="agent-1",
                other_channel_id="agent-1b",
            )
    request = seen[0]
    assert dict(request.url.params) == {
        "endpoint": "PJSIP/hn-01",
        "app": "hotline",
        "appArgs": "agent,call-1",
        "callerId": "Hotline <1800>",
        "timeout": "15",
        "channelId": "agent-1",
        "otherChannelId": "agent-1b",
    }
    assert json.loads(request.content) == {
        "variables": {"CALLERID(name)": "Đường dây nóng", "DANGER": "1"}
    }


async def test_booleans_lists_and_quoted_path_segments() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    async with _client(handler) as ari:
        await ari.bridges.add_channel("b 1", ["c1", "c2"], absorb_dtmf=True, mute=False)
        await ari.device_states.update("Stasis:hotline-open", "NOT_INUSE")
        await ari.channels.hangup("c1", reason="busy")
    assert seen[0].url.raw_path == (
        b"/ari/bridges/b%201/addChannel?channel=c1%2Cc2&absorbDTMF=true&mute=false"
    )
    assert seen[1].method == "PUT"
    assert seen[1].url.raw_path == b"/ari/deviceStates/Stasis%3Ahotline-open?deviceState=NOT_INUSE"
    assert seen[2].url.raw_path == b"/ari/channels/c1?reason=busy"


async def test_requests_share_one_keep_alive_connection_with_basic_auth() -> None:
    """A minimal keep-alive HTTP/1.1 server counts TCP connections and reads Authorization."""
    log: list[str] = []
    finished = asyncio.Event()
    body = (
        b'{"ping":"pong","timestamp":"2026-11-22T21:02:07.716+0000",'
        b'"asterisk_id":"02:fc:00:00:00:01"}'
    )

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        log.append("connection")
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                auth = [
                    line.lower()
                    for line in head.decode().split("\r\n")
                    if line.lower().startswith("authorization:")
                ]
                log.append(auth[0] if auth else "no auth")
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()
            finished.set()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        config = CONFIG.model_copy(update={"url": f"http://127.0.0.1:{port}"})
        async with AriClient(config) as ari:
            for _ in range(20):
                ping = await ari.asterisk.ping()
                assert ping.ping == "pong"
        await finished.wait()
    assert log.count("connection") == 1
    assert log.count(f"authorization: {CONFIG.basic_auth_header().lower()}") == 20
