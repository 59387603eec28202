"""A simulated PBX on the lab configuration with its AMI server on a free port."""

from __future__ import annotations

import re
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from pbxsim.ami import AmiServer, start_ami
from pbxsim.model.clock import Clock
from pbxsim.model.config import load_config
from pbxsim.model.pbx import Pbx

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "asterisk"
LAB = FIXTURES / "lab-etc"
SPEED = 20.0


@dataclass
class Sim:
    pbx: Pbx
    ami: AmiServer


def lab_config_of_first_set(directory: Path) -> Path:
    """The lab configuration as it was for recordings/ (the first set): lab-etc without the
    lines recordings-2/config-changes.diff added (hn-03, 1810/1811, [lab-hints]) and without
    the benchmark queue q1 and extensions 2001/2002, which the first set does not show either
    (its QueueMemberStatus and DeviceStateList name no q1)."""
    shutil.copytree(LAB, directory)
    diff = (FIXTURES / "recordings-2" / "config-changes.diff").read_text(encoding="utf-8")
    for part in re.split(r"^--- ", diff, flags=re.MULTILINE)[1:]:
        target = directory / part.split()[0].split("/", 1)[1]
        text = target.read_text(encoding="utf-8")
        for hunk in re.split(r"^@@.*@@.*$", part, flags=re.MULTILINE)[1:]:
            added: list[str] = []
            for line in [*hunk.splitlines(), " "]:
                if line.startswith("+"):
                    added.append(line[1:] + "\n")
                elif added:
                    text = text.replace("".join(added), "", 1)
                    added = []
        target.write_text(text, encoding="utf-8")
    ext = directory / "extensions.conf"
    ext.write_text(
        re.sub(
            r"; ---- benchmark extensions.*?; ---- end benchmark extensions ----\n",
            "",
            ext.read_text(encoding="utf-8"),
            flags=re.DOTALL,
        ),
        encoding="utf-8",
    )
    queues = directory / "queues.conf"
    queues.write_text(
        queues.read_text(encoding="utf-8").split("; ---- benchmark queue")[0], encoding="utf-8"
    )
    return directory


@pytest.fixture
async def make_sim() -> AsyncIterator[Callable[[Path], Awaitable[Sim]]]:
    started: list[Sim] = []

    async def make(config_dir: Path) -> Sim:
        pbx = Pbx(load_config(config_dir), Clock(speed=SPEED))
        ami = await start_ami(pbx, config_dir=config_dir, auth_failure_delay=0.05)
        started.append(Sim(pbx, ami))
        return started[-1]

    yield make
    for one in started:
        await one.ami.stop()
        await one.pbx.close()


@pytest.fixture
async def sim(make_sim: Callable[[Path], Awaitable[Sim]]) -> Sim:
    return await make_sim(LAB)
