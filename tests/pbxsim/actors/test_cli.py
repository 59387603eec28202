"""``python -m pbxsim`` plays a scenario file against the simulator and reports per centre."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

LAB = Path(__file__).resolve().parents[2] / "fixtures" / "asterisk" / "lab-etc"

SCENARIO = """
format = 1
name = "cli"
[centres.HN]
arrivals = { per_hour = 360.0 }
counsellors = [
  { id = "hn-01", languages = ["vi"], gender = "female" },
  { id = "hn-02", languages = ["vi"], gender = "male" },
]
[callers]
talk_time = { kind = "fixed", value = 5.0 }
[pbx.phones]
answer_delay = { kind = "fixed", value = 1.0 }
"""


def pbxsim(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pbxsim", "--ari-port", "0", "--ami-port", "0", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_scenario_is_played_to_the_end(tmp_path: Path) -> None:
    scenario = tmp_path / "s.toml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    done = pbxsim(
        "--config",
        str(LAB),
        "--scenario",
        str(scenario),
        "--seed",
        "3",
        "--max-calls",
        "3",
        "--speed",
        "50",
        "--hotline",
        "1801",
        "--json",
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["total"] == {"offered": 3, "answered": 3, "abandoned": 0, "unfinished": 0}
    assert "AMI 127.0.0.1:" in done.stderr


def test_bad_configuration_and_scenario_are_refused_clearly(tmp_path: Path) -> None:
    missing = pbxsim("--config", str(tmp_path / "nowhere"))
    assert missing.returncode == 2
    assert "configuration directory not found" in missing.stderr
    broken = tmp_path / "etc"
    broken.mkdir()
    (broken / "extensions.conf").write_text("[ctx]\nsame => n,Answer\n", encoding="utf-8")
    bad_conf = pbxsim("--config", str(broken))
    assert bad_conf.returncode == 2
    assert "extensions.conf:2" in bad_conf.stderr
    scenario = tmp_path / "s.toml"
    scenario.write_text("format = 1\nname = 'x'\n[centres.HN]\n", encoding="utf-8")
    bad = pbxsim("--config", str(LAB), "--scenario", str(scenario))
    assert bad.returncode == 2
    assert "arrivals" in bad.stderr
