"""The Dockerfile cannot be built here (no registry to pull the base image from), so its
structure is checked: everything it copies exists, every package pyproject declares is copied,
and the commands it runs are the project's own."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def _instructions(name: str) -> list[str]:
    joined = re.sub(r"\\\n", " ", DOCKERFILE)
    return [
        line.split(None, 1)[1]
        for line in joined.splitlines()
        if line.strip() and not line.startswith("#") and line.split(None, 1)[0] == name
    ]


def test_everything_copied_exists_and_every_package_is_copied() -> None:
    sources = [args.split()[0] for args in _instructions("COPY")]
    assert sources, "the Dockerfile copies the project"
    for source in sources:
        assert (ROOT / source).exists(), f"COPY {source}: not in the tree"
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    packages = pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    for pattern in packages:
        assert pattern.rstrip("*") in sources, f"package {pattern} is not copied"
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert not set(sources) & set(ignored), "a copied path is excluded by .dockerignore"


def test_the_image_runs_the_service_as_a_user_with_a_volume() -> None:
    assert _instructions("ENTRYPOINT") == ['["callcenter"]']
    (cmd,) = _instructions("CMD")
    assert cmd.startswith('["serve"')
    assert _instructions("USER") == ["callcenter"]
    assert "CALLCENTER_SERVICE__VAR_DIR=/var/lib/callcenter" in _instructions("ENV")[-1]
    # the entry point's command and its options exist
    command = [sys.executable, "-m", "callcenter", "serve", "--host", "0.0.0.0", "--help"]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr
    assert "--host" in done.stdout
