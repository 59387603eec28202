"""asterisklint (PyPI) checks the dialplan the way Asterisk parses it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

CONF = Path(__file__).resolve().parents[2] / "asterisk-conf"
LINT = Path(sys.executable).with_name("asterisklint")


@pytest.mark.skipif(
    not LINT.exists(), reason="asterisklint is not installed (pip install -e .[dev])"
)
def test_dialplan_passes_asterisklint() -> None:
    env = dict(os.environ, ALINT_IGNORE="I_NOTIMPL_HINT")  # hints are not implemented by it
    result = subprocess.run(
        [str(LINT), "dialplan-check", str(CONF / "extensions.conf")],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "" and result.stderr.strip() == ""
