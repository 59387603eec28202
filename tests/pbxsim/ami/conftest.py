"""A simulated PBX on the lab configuration with its AMI server on a free port."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pbxsim.ami import AmiServer, start_ami
from pbxsim.model.clock import Clock
from pbxsim.model.config import load_config
from pbxsim.model.pbx import Pbx

LAB = Path(__file__).resolve().parents[2] / "fixtures" / "asterisk" / "lab-etc"


@dataclass
class Sim:
    pbx: Pbx
    ami: AmiServer


@pytest.fixture
async def sim() -> AsyncIterator[Sim]:
    pbx = Pbx(load_config(LAB), Clock(speed=20.0))
    ami = await start_ami(pbx, config_dir=LAB, auth_failure_delay=0.05)
    try:
        yield Sim(pbx, ami)
    finally:
        await ami.stop()
        await pbx.close()
