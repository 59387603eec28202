"""AMI sessions against the simulator: the byte formats of the recordings."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.pbxsim.ami.amiclient import AmiClient, name_of
from tests.pbxsim.ami.conftest import Sim

RECORDINGS = Path(__file__).resolve().parents[2] / "fixtures" / "asterisk" / "recordings"


async def test_banner_login_fullybooted_and_successfulauth(sim: Sim) -> None:
    client = await AmiClient.connect(sim.ami.port)
    assert client.banner == b"Asterisk Call Manager/11.0.0\r\n"
    response, booted = await client.login()
    assert response == [
        ("Response", "Success"),
        ("ActionID", "login-1"),
        ("Message", "Authentication accepted"),
    ]
    assert [k for k, _ in booted] == ["Event", "Privilege", "Uptime", "LastReload", "Status"]
    assert booted[-1] == ("Status", "Fully Booted")
    auth = await client.read_message()
    assert name_of(auth) == "Event:SuccessfulAuth"
    assert dict(auth)["AccountID"] == "lab"
    await client.close()


async def test_wrong_secret_is_refused_exactly_as_asterisk_and_the_socket_closes(sim: Sim) -> None:
    client = await AmiClient.connect(sim.ami.port)
    client.send(
        [
            ("Action", "Login"),
            ("ActionID", "login-1"),
            ("Username", "lab"),
            ("Secret", "wrong"),
            ("Events", "on"),
        ]
    )
    client.send([("Action", "Ping"), ("ActionID", "ping-2")])
    rest = await asyncio.wait_for(client.reader.read(), 5)
    recorded = (RECORDINGS / "ami-login-failure.raw").read_bytes()
    assert client.banner + rest == recorded  # the Ping is never answered
    await client.close()


async def test_actions_before_login_are_denied(sim: Sim) -> None:
    client = await AmiClient.connect(sim.ami.port)
    client.send([("Action", "CoreShowChannels"), ("ActionID", "x-1")])
    assert await client.read_message() == [
        ("Response", "Error"),
        ("ActionID", "x-1"),
        ("Message", "Permission denied"),
    ]
    await client.close()


async def test_ping_unknown_action_and_logoff(sim: Sim) -> None:
    client = await AmiClient.connect(sim.ami.port)
    await client.login()
    await client.read_message()  # SuccessfulAuth
    client.send([("Action", "Ping"), ("ActionID", "ping-2")])
    pong = await client.read_message()
    assert [k for k, _ in pong] == ["Response", "ActionID", "Ping", "Timestamp"]
    assert float(dict(pong)["Timestamp"]) > 1e9
    client.send([("Action", "Frobnicate"), ("ActionID", "f-3")])
    error = dict(await client.read_message())
    assert error["Response"] == "Error"
    assert error["Message"].startswith("Invalid/unknown command: Frobnicate.")
    client.send([("Action", "Logoff"), ("ActionID", "logoff-4")])
    assert await client.read_message() == [
        ("Response", "Goodbye"),
        ("ActionID", "logoff-4"),
        ("Message", "Thanks for all the fish."),
    ]
    assert await asyncio.wait_for(client.reader.read(), 5) == b""
    await client.close()


async def test_events_off_silences_a_session_until_switched_on(sim: Sim) -> None:
    quiet = await AmiClient.connect(sim.ami.port)
    await quiet.login()
    await quiet.read_message()
    quiet.send([("Action", "Events"), ("ActionID", "e-1"), ("EventMask", "off")])
    assert await quiet.read_message() == [
        ("Response", "Success"),
        ("ActionID", "e-1"),
        ("Events", "Off"),
    ]
    sim.pbx.originate_inbound("1802", "0901234567")
    quiet.send([("Action", "Ping"), ("ActionID", "p-2")])
    assert name_of(await quiet.read_message()) == "Response:Success"  # no event came first
    quiet.send([("Action", "Events"), ("ActionID", "e-3"), ("EventMask", "on")])
    assert dict(await quiet.read_message())["Events"] == "On"
    sim.pbx.originate_inbound("1802", "0901234568")
    event = await quiet.read_message()
    assert name_of(event) == "Event:Newchannel"
    await quiet.close()


async def test_restart_sends_shutdown_then_refuses_until_booted(sim: Sim) -> None:
    client = await AmiClient.connect(sim.ami.port)
    await client.login()
    await client.read_message()
    port = sim.ami.port
    restart = asyncio.create_task(sim.pbx.restart(downtime=0.6))
    shutdown = await client.read_message()
    assert shutdown == [
        ("Event", "Shutdown"),
        ("Privilege", "system,all"),
        ("Shutdown", "Cleanly"),
        ("Restart", "True"),
    ]
    assert await asyncio.wait_for(client.reader.read(), 5) == b""  # FIN
    await client.close()
    with pytest.raises(ConnectionRefusedError):
        await asyncio.open_connection("127.0.0.1", port)
    await restart
    for _ in range(100):  # the listener comes back right after the boot
        try:
            again = await AmiClient.connect(port)
            break
        except OSError:
            await asyncio.sleep(0.01)
    response, booted = await again.login()
    assert dict(response)["Response"] == "Success"
    assert dict(booted)["Event"] == "FullyBooted"
    await again.close()


async def test_hangup_and_redirect_actions_move_real_channels(sim: Sim) -> None:
    client = await AmiClient.connect(sim.ami.port)
    await client.login()
    await client.read_message()
    sim.pbx.apps.connect("hotline", True, object())  # an ARI client holds the app
    caller = sim.pbx.originate_inbound("1800", "0901234567")
    await client.read_until(lambda m: dict(m).get("Application") == "Stasis")
    client.send(
        [
            ("Action", "Redirect"),
            ("ActionID", "r-1"),
            ("Channel", caller.name),
            ("Context", "lab-local"),
            ("Exten", "wait"),
            ("Priority", "2"),
        ]
    )
    moved = await client.read_until(lambda m: dict(m).get("Application") == "Wait")
    assert [
        ("Response", "Success"),
        ("ActionID", "r-1"),
        ("Message", "Redirect successful"),
    ] in moved
    assert any(name_of(m) == "Event:VarSet" and ("Value", "SUCCESS") in m for m in moved)
    assert dict(moved[-1])["Context"] == "lab-local"
    client.send([("Action", "Hangup"), ("ActionID", "h-2"), ("Channel", caller.name)])
    gone = await client.read_until(lambda m: name_of(m) == "Event:Hangup")
    assert any(dict(m).get("Message") == "Channel Hungup" for m in gone)
    assert dict(gone[-1])["Channel"] == caller.name
    client.send([("Action", "Hangup"), ("ActionID", "h-3"), ("Channel", caller.name)])
    denied = await client.read_until(lambda m: dict(m).get("ActionID") == "h-3")
    assert dict(denied[-1]) == {
        "Response": "Error",
        "ActionID": "h-3",
        "Message": "No such channel",
    }
    await client.close()


async def test_an_event_mask_of_classes_limits_what_a_session_reads(sim: Sim) -> None:
    client = await AmiClient.connect(sim.ami.port)
    client.send(
        [
            ("Action", "Login"),
            ("ActionID", "l-1"),
            ("Username", "lab"),
            ("Secret", "lab"),
            ("Events", "call"),
        ]
    )
    assert dict(await client.read_message())["Response"] == "Success"
    assert name_of(await client.read_message()) == "Event:FullyBooted"  # sent to every login
    sim.pbx.originate_inbound("1802", "0901234567")
    seen = await client.read_until(lambda m: name_of(m) == "Event:Newstate")
    assert {dict(m)["Privilege"] for m in seen} == {"call,all"}  # no dialplan, no security
    client.send([("Action", "Events"), ("ActionID", "e-2"), ("EventMask", "dialplan")])
    reply = await client.read_until(lambda m: dict(m).get("ActionID") == "e-2")
    assert dict(reply[-1])["Events"] == "On"
    sim.pbx.originate_inbound("1802", "0901234568")
    more = await client.read_until(lambda m: name_of(m) == "Event:Newexten")
    assert {dict(m)["Privilege"] for m in more} == {"dialplan,all"}
    await client.close()


async def test_a_client_sending_an_endless_action_is_disconnected(sim: Sim) -> None:
    client = await AmiClient.connect(sim.ami.port)
    client.writer.write(b"Action: Ping\r\nX: " + b"y" * (2 << 20))
    try:
        rest = await asyncio.wait_for(client.reader.read(), 5)
    except ConnectionResetError:  # closed with our bytes unread: RST
        rest = b""
    assert rest == b""
    other = await AmiClient.connect(sim.ami.port)  # the server itself carries on
    response, _ = await other.login()
    assert dict(response)["Response"] == "Success"
    await other.close()
    await client.close()
