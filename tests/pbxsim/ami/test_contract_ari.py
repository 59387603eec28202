"""The AMI side of the ARI-driven recordings.

In the lab an AMI recorder (login ``lab``, ``Events: on``) was connected during every ARI
scenario. Here the ARI replay driver of tests/pbxsim/contract.py plays the recorder's REST and
WebSocket part and SIPp's part against the simulator while an AMI client logs in the same way;
the AMI messages must match ``ami-<scenario>.raw`` as in test_contract.py (names, order, header
keys; races of facts 17 and 38 allowed; RTCP left out, the simulator sends no RTP).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from pbxsim.ami.protocol import ActionReader
from pbxsim.server import Simulator
from tests.pbxsim.ami import scenarios as s
from tests.pbxsim.ami.amiclient import AmiClient, Message, name_of, parse_messages
from tests.pbxsim.ami.conftest import FIXTURES, LAB, lab_config_of_first_set
from tests.pbxsim.ami.test_contract import compare
from tests.pbxsim.contract import Replay

ARI_SCENARIOS = sorted(
    (p.parent.name, p.name[len("ari-") : -len(".jsonl")])
    for folder in ("recordings", "recordings-2")
    for p in (FIXTURES / folder).glob("ari-*.jsonl")
)
SPEED = 10.0
AMI_NAME = {"bridged-call": "ari-bridged-call", "failed-originate": "ari-failed-originate"}
# scenarios whose AMI recording the simulator matches today; the others are listed in
# docs/pbxsim-ami.md with what differs (xfail, strict: a fix makes them fail until listed here)
MATCHING = {
    "app-replaced",
    "asterisk-restart",
    "baseline-no-subscribeall",
    "bridged-call",
    "continue-to-fallback",
    "failed-originate",
    "ivr-dtmf",
    "ivr-dtmf-stop-during-digits",
    "redirect-ringing",
    "snoop",
    "snoop-with-rtp",
    "stale-app",
    "transfer-blind",
    "transfer-redirect",
    "transfer-redirect-no-notify",
    "transfer-phone-refer-ari-only",
    "ws-drop-caller-hangup-while-disconnected",
    "ws-drop-while-bridged",
    "ws-drop-while-waiting",
    "ws-drop-while-waiting-no-subscribeall",
}
# The others are xfail (strict). PBXSIM_AMI_CONTRACT=matching skips them (they can take long
# while the model misses events the replay waits for).
RUN_ALL = os.environ.get("PBXSIM_AMI_CONTRACT") != "matching"
EXEMPT = {
    # runs of several scenarios in parallel (recordings-2/README.md): no order to compare;
    # test_ghost_watch.py compares it order-free
    "transfer-redirect-ghost-watch": "test_ghost_watch.py",
    # AMI-driven: the ARI recording does not show what the AMI recorder and SIPp did (no ARI
    # event at all in device-busy-stale-app); test_contract.py drives these from its own table
    "registration": "test_contract.py",
    "device-busy": "test_contract.py",
    "device-busy-stale-app": "test_contract.py",
}


class AmiReplay(Replay):
    """The ARI replay, with the AMI recorder's own actions sent where its notes say they were
    ("AMI action QueueStatus (ActionID queuestatus-2) -> ..."), and the AMI Originate of
    device-busy sent as the real AMI action."""

    def __init__(
        self,
        sim: Simulator,
        records: list[dict[str, Any]],
        name: str,
        client: AmiClient,
        actions: list[Message],
        setup: bool = True,
    ) -> None:
        super().__init__(sim, records, name, setup)
        self.ami = client
        self.pending = {dict(a).get("ActionID", ""): a for a in actions}

    def extra_steps(self, text: str) -> list[tuple[str, Any]]:
        m = re.search(r"AMI action (\w+) \(ActionID ([\w-]+)\)", text)
        if m and m.group(2) in self.pending:
            self.ami.send(self.pending.pop(m.group(2)))
        steps: list[tuple[str, Any]] = super().extra_steps(text)
        return steps

    async def _do(self, action: str, arg: Any) -> None:
        if action == "ami_originate":
            for action_id, sent in list(self.pending.items()):
                if dict(sent).get("Action") == "Originate":
                    self.ami.send(self.pending.pop(action_id))
                    return
        await super()._do(action, arg)


def pairs() -> list[object]:
    out: list[object] = []
    for folder, name in ARI_SCENARIOS:
        ami = FIXTURES / folder / f"ami-{AMI_NAME.get(name, name)}.raw"
        if not ami.exists() or name in EXEMPT:
            continue
        marks = []
        if name not in MATCHING:
            marks.append(pytest.mark.xfail(strict=True, reason="model gaps: docs/pbxsim-ami.md"))
            if not RUN_ALL:
                marks.append(pytest.mark.skip(reason="PBXSIM_AMI_CONTRACT=matching"))
        out.append(pytest.param(folder, name, ami, id=name, marks=marks))
    return out


@pytest.mark.parametrize(("folder", "name", "ami"), pairs())
async def test_ami_view_of_the_ari_scenarios(
    tmp_path: Path, folder: str, name: str, ami: Path
) -> None:
    records = [
        json.loads(line)
        for line in (FIXTURES / folder / f"ari-{name}.jsonl").read_text().splitlines()
        if line.strip()
    ]
    config = lab_config_of_first_set(tmp_path / "etc") if folder == "recordings" else LAB
    sent = ami.with_suffix("").with_suffix(".sent.raw").read_bytes()
    actions = [a.headers for a in ActionReader().feed(sent)]
    recorded = parse_messages(ami.read_bytes().partition(b"\r\n")[2])  # noqa: ASYNC240
    scenario = s.Scenario(name, (), skip=s.NO_RTP, why_skip="no RTP in the simulator")
    seen: list[Message] = []
    async with Simulator(config, speed=SPEED) as sim:
        client = await AmiClient.connect(sim.ami_port)

        async def pump() -> None:
            while True:
                seen.append(await client.read_message(wait=3600))

        reader = asyncio.create_task(pump())
        client.send(actions[0])  # Login
        replay = AmiReplay(sim, records, name, client, actions[1:])
        await replay.run()
        for action in replay.pending.values():  # Logoff (and anything no note placed)
            client.send(action)
        for _ in range(200):
            if any(name_of(m) == "Response:Goodbye" for m in seen) or len(actions) == 1:
                break
            await asyncio.sleep(0.01)
        reader.cancel()
        await asyncio.gather(reader, return_exceptions=True)
        await client.close()
    expected, got, diff = compare(recorded, seen, scenario)
    assert got == expected, diff
