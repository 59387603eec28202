"""The simulator, driven like the lab, emits the AMI messages of the recordings.

For each scenario of ``scenarios.SCENARIOS`` the recorded actions are replayed and the callers
and phones behave as SIPp did; the messages the simulator sends must have the recorded names,
in the recorded order, with the recorded header keys in the recorded order (values such as
ids, times and counters aside). Where the recordings show a race (fact 38: a live
ExtensionStatus and the DeviceStateChange of the same change come in either order) the
comparison accepts both orders.
"""

from __future__ import annotations

import asyncio
import difflib
import re
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from pbxsim.ami.protocol import ActionReader
from pbxsim.model.objects import PhoneBehaviour
from tests.pbxsim.ami import scenarios as s
from tests.pbxsim.ami.amiclient import AmiClient, Message, name_of, parse_messages
from tests.pbxsim.ami.conftest import FIXTURES, LAB, SPEED, Sim, lab_config_of_first_set
from tests.pbxsim.ami.races import RACES
from tests.pbxsim.ami.reorder import reorder_like


def recording(name: str) -> Path:
    for folder in ("recordings", "recordings-2"):
        path = FIXTURES / folder / f"ami-{name}.raw"
        if path.exists():
            return path
    raise FileNotFoundError(name)


SHOWN = ("Channel", "DestChannel", "Variable", "Application", "DialStatus", "Device", "State")

# Device-state events are computed on Asterisk's device-state thread: their place among the
# channel events varies between recordings of the same thing (an AMI Originate to lab-local:
# DeviceStateChange INUSE before DialEnd in ami-actions, after Newexten Wait in
# ami-device-busy), and a live ExtensionStatus and its DeviceStateChange come in either order
# (fact 38). They are compared apart, as a multiset (how many of each, with which keys).
DEVICE = ("Event:DeviceStateChange", "Event:ExtensionStatus", "Event:QueueMemberStatus")
# Sent from other threads too, and placed differently in different recordings: OriginateResponse
# (before DialEnd in ami-actions, after Newexten in ami-device-busy), Cdr (after Hangup in
# ami-actions, before it in ami-ivr-dtmf), ChanSpyStart (right after the snoop's Newchannel in
# ami-snoop, after its Newexten Stasis in ami-snoop-with-rtp) and ChanSpyStop. Compared as a
# multiset.
FLOATING = ("Event:OriginateResponse", "Event:Cdr", "Event:ChanSpyStart", "Event:ChanSpyStop")


def about_local(m: Message) -> bool:
    """Messages about Local channels (the simulator does not model them)."""
    return name_of(m) == "Event:LocalBridge" or any(v.startswith("Local/") for _, v in m)


def kept(messages: list[Message], scenario: s.Scenario) -> list[Message]:
    return [
        m
        for m in messages
        if name_of(m) not in scenario.skip
        and dict(m).get("ActionID") not in scenario.skip_actions
        and not (scenario.no_local and about_local(m))
    ]


def _live_device(m: Message) -> bool:
    return name_of(m).startswith(DEVICE) and dict(m).get("Privilege") is not None


def streams(messages: list[Message], scenario: s.Scenario) -> dict[str, list[Message]]:
    """The messages split into the ordered main stream, the device-state stream and the
    floating ones."""
    out: dict[str, list[Message]] = {"main": [], "device": [], "floating": []}
    for m in kept(messages, scenario):
        if name_of(m).startswith(FLOATING):
            out["floating"].append(m)
        elif _live_device(m):
            out["device"].append(m)
        else:
            out["main"].append(m)
    return out


def _key(m: Message) -> str:
    return f"{name_of(m)}  {' '.join(k for k, _ in m[1:])}"


def _collapsed(main: list[Message]) -> list[Message]:
    """Consecutive list items of one shape count once (Asterisk lists more devices)."""
    out: list[Message] = []
    for m in main:
        line = _key(m)
        is_item = " ActionID" in line and " Privilege" not in line and line.startswith("Event:")
        if not (is_item and out and _key(out[-1]) == line):
            out.append(m)
    return out


def _shape(parts: dict[str, list[Message]]) -> list[str]:
    device = sorted(_key(m) for m in parts["device"])
    floating = sorted(_key(m) for m in parts["floating"])
    return [*map(_key, parts["main"]), "-- device state --", *device, "-- floating --", *floating]


def _line(m: Message) -> str:
    d = dict(m)
    shown = " ".join(f"{k}={re.sub(r'-[0-9a-f]{8}$', '', d[k])}" for k in SHOWN if k in d)
    return f"{name_of(m)} {shown}"


def _diff(a: dict[str, list[Message]], b: dict[str, list[Message]]) -> str:
    """A diff of message names with a few telling values, stream by stream."""
    out: list[str] = []
    for part in ("main", "device", "floating"):
        x, y = [_line(m) for m in a[part]], [_line(m) for m in b[part]]
        if part != "main":
            x, y = sorted(x), sorted(y)
        out.extend(
            difflib.unified_diff(x, y, f"recorded {part}", f"simulated {part}", lineterm="", n=1)
        )
    return "\n".join(out)


def compare(
    recorded: list[Message], simulated: list[Message], scenario: s.Scenario
) -> tuple[list[str], list[str], str]:
    """The recorded and simulated shapes (names and header keys: the main stream in order, the
    device-state and floating streams as multisets) and a readable diff. Where the simulated
    main stream differs from the recorded one only by races of ``races.RACES`` (orders the
    recordings show both ways), it is compared in the recorded order."""
    a, b = streams(recorded, scenario), streams(simulated, scenario)
    a["main"], b["main"] = _collapsed(a["main"]), _collapsed(b["main"])
    b["main"] = reorder_like(a["main"], b["main"], RACES) or b["main"]
    return _shape(a), _shape(b), _diff(a, b)


def readable_diff(recorded: list[Message], simulated: list[Message], scenario: s.Scenario) -> str:
    return compare(recorded, simulated, scenario)[2]


class Driver:
    def __init__(self, sim: Sim, client: AmiClient, actions: list[list[tuple[str, str]]]) -> None:
        self.sim = sim
        self.client = client
        self.actions = actions
        self.seen: list[Message] = []
        self.caller_id: str | None = None
        self.tasks: list[asyncio.Task[None]] = []

    async def pump(self) -> None:
        while True:
            self.seen.append(await self.client.read_message(wait=3600))

    async def wait_for(self, test: object, what: str) -> None:
        assert callable(test)
        for _ in range(400):
            if test():
                return
            await asyncio.sleep(0.025)
        raise AssertionError(f"the simulator never sent {what}")

    def count(self, name: str, where: tuple[tuple[str, str], ...] = ()) -> int:
        """Live events only: the items of a list action (DeviceStateList's DeviceStateChange,
        ExtensionStateList's ExtensionStatus) answer an ActionID and say nothing happened."""
        return sum(
            1
            for m in self.seen
            if name_of(m) == name and all(h in m for h in where) and "ActionID" not in dict(m)
        )

    async def run(self, step: s.Step) -> None:
        pbx = self.sim.pbx
        if isinstance(step, s.Act):
            action = self.actions.pop(0)
            self.client.send(action)
            action_id = dict(action).get("ActionID")
            name = dict(action)["Action"].lower()
            if name == "logoff":
                await self.wait_for(
                    lambda: any(name_of(m) == "Response:Goodbye" for m in self.seen), "Goodbye"
                )
                return
            await self.wait_for(
                lambda: any(
                    dict(m).get("ActionID") == action_id
                    and (
                        (name_of(m).startswith("Response:") and "EventList" not in dict(m))
                        or dict(m).get("EventList") == "Complete"
                    )
                    for m in self.seen
                ),
                f"the answer to {action_id}",
            )
        elif isinstance(step, s.Phone):
            pbx.set_phone(
                step.endpoint, PhoneBehaviour(mode=step.mode, answer_after=step.answer_after)
            )
        elif isinstance(step, s.Dial):
            self.caller_id = pbx.originate_inbound(step.exten, "sipp", "sipp").id
        elif isinstance(step, s.Until):
            await self.wait_for(lambda: self.count(step.name, step.where) >= step.n, f"{step}")
        elif isinstance(step, s.Sleep):
            await asyncio.sleep(step.seconds / SPEED)
        elif isinstance(step, s.CallerHangsUp):
            assert self.caller_id is not None
            pbx.hangup(self.caller_id)
        elif isinstance(step, s.Register):
            pbx.register_contact(step.endpoint, step.uri, step.expires)
        elif isinstance(step, s.Unregister):
            pbx.unregister_contact(step.endpoint)
        elif isinstance(step, s.StopsAnsweringOptions):
            pbx.contact_unreachable(step.endpoint)
        elif isinstance(step, s.Cached):
            pbx.assume_cached_device_state(step.device, step.state)
        elif isinstance(step, s.Restart):
            self.tasks.append(asyncio.create_task(pbx.restart(downtime=0.6)))
        else:
            raise AssertionError(f"unknown step {step}")


CASES = [
    pytest.param(
        sc,
        id=sc.name,
        marks=[pytest.mark.xfail(strict=True, reason=sc.model_gaps)] if sc.model_gaps else [],
    )
    for sc in s.SCENARIOS
]


@pytest.mark.parametrize("scenario", CASES)
async def test_simulator_emits_the_recorded_ami_messages(
    make_sim: Callable[[Path], Awaitable[Sim]], tmp_path: Path, scenario: s.Scenario
) -> None:
    path = recording(scenario.name)
    first_set = path.parent.name == "recordings"
    sim = await make_sim(lab_config_of_first_set(tmp_path / "etc") if first_set else LAB)
    raw = recording(scenario.name).read_bytes()
    banner, _, body = raw.partition(b"\r\n")
    recorded = parse_messages(body)
    sent = recording(scenario.name).with_suffix("").with_suffix(".sent.raw").read_bytes()
    actions = [
        a.headers
        for a in ActionReader().feed(sent)
        if a.get("ActionID") not in scenario.skip_actions
    ]
    client = await AmiClient.connect(sim.ami.port)
    assert client.banner == banner + b"\r\n"
    driver = Driver(sim, client, actions)
    pump = asyncio.create_task(driver.pump())
    try:
        for step in scenario.steps:
            try:
                await driver.run(step)
            except AssertionError as exc:
                diff = readable_diff(recorded, driver.seen, scenario)
                raise AssertionError(f"{exc} (at {step})\n{diff}") from None
    finally:
        pump.cancel()
        await asyncio.gather(pump, *driver.tasks, return_exceptions=True)
        await client.close()
    expected, got, diff = compare(recorded, driver.seen, scenario)
    assert got == expected, (
        f"{scenario.name}: skipped {sorted(scenario.skip)} ({scenario.why_skip})\n{diff}"
    )
