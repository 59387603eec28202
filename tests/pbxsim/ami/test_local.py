"""AMI Originate of Local channels: the messages of ami-actions.raw's originate-21 (Application
Wait) and originate-23 (synchronous), message for message, keys included."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from pbxsim.ami.protocol import ActionReader
from tests.pbxsim.ami.amiclient import AmiClient, Message, name_of, parse_messages
from tests.pbxsim.ami.conftest import FIXTURES, Sim, lab_config_of_first_set
from tests.pbxsim.ami.test_contract import about_local

RAW = FIXTURES / "recordings" / "ami-actions.raw"


def local_part(messages: list[Message], action_id: str) -> list[Message]:
    return [m for m in messages if about_local(m) or dict(m).get("ActionID") == action_id]


def recorded_slice(messages: list[Message], action_id: str) -> list[Message]:
    """From the action's response to the next action's response."""
    start = next(i for i, m in enumerate(messages) if dict(m).get("ActionID") == action_id)
    end = next(
        i for i, m in enumerate(messages) if i > start and name_of(m).startswith("Response:")
    )
    return messages[start:end]


def shapes(messages: list[Message]) -> list[str]:
    # Cdr and OriginateResponse float (test_contract.py); Local/...;1 and ;2 device changes too
    main = [
        f"{name_of(m)} {' '.join(k for k, _ in m[1:])}"
        for m in messages
        if not name_of(m).startswith(("Event:Cdr", "Event:OriginateResponse", "Event:DeviceState"))
    ]
    rest = sorted(
        f"{name_of(m)} {' '.join(k for k, _ in m[1:])}"
        for m in messages
        if name_of(m).startswith(("Event:Cdr", "Event:OriginateResponse", "Event:DeviceState"))
    )
    return main + rest


@pytest.mark.parametrize("action_id", ["originate-21", "originate-23"])
async def test_local_originate_as_recorded(
    make_sim: Callable[[Path], Awaitable[Sim]], tmp_path: Path, action_id: str
) -> None:
    sim = await make_sim(lab_config_of_first_set(tmp_path / "etc"))
    recorded_all = parse_messages(RAW.read_bytes().partition(b"\r\n")[2])
    sent = (FIXTURES / "recordings" / "ami-actions.sent.raw").read_bytes()
    action = next(a.headers for a in ActionReader().feed(sent) if a.get("ActionID") == action_id)
    recorded = local_part(recorded_slice(recorded_all, action_id), action_id)
    client = await AmiClient.connect(sim.ami.port)
    await client.login()
    await client.read_message()
    client.send(action)
    got: list[Message] = []
    while sum(1 for m in got if dict(m).get("Device") == "Local/wait@lab-local") < 4:
        got.append(await client.read_message())
    await client.close()
    simulated = local_part(got, action_id)
    assert shapes(simulated) == shapes(recorded)
    response = next(m for m in simulated if dict(m).get("ActionID") == action_id)
    assert dict(response)["Message"] == "Originate successfully queued"
    if action_id == "originate-21":
        final = next(m for m in simulated if name_of(m) == "Event:OriginateResponse")
        assert dict(final)["Response"] == "Success"
        assert dict(final)["Reason"] == "4"
        assert dict(final)["Channel"].endswith(";1")
