"""Loading the recorded Asterisk traffic for the ARI tests.

The committed copy (tests/fixtures/asterisk/recordings*/) is the source; a recording present in
the shared lab folder (``/work/shared/asterisk`` or ``../shared/asterisk`` next to the repository)
but not yet copied is picked up too, so recordings added later are tested automatically.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "asterisk"
SHARED_CANDIDATES = (REPO.parent / "shared" / "asterisk", Path("/work/shared/asterisk"))


def _files(pattern: str) -> list[Path]:
    found: dict[tuple[str, str], Path] = {}
    for root in (FIXTURES, *SHARED_CANDIDATES):
        if not root.is_dir():
            continue
        for path in sorted(root.glob(f"recordings*/{pattern}")):
            found.setdefault((path.parent.name, path.name), path)
    return [found[key] for key in sorted(found)]


def jsonl_files() -> list[Path]:
    return _files("ari-*.jsonl")


def ws_raw_files() -> list[Path]:
    return _files("ari-*.ws.raw")


def file_id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


@dataclass
class Recording:
    path: Path
    records: list[dict[str, Any]]
    events_by_conn: dict[str | None, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.path.name.removesuffix(".jsonl")

    def ws_events(self) -> list[dict[str, Any]]:
        return [r["event"] for r in self.records if r["kind"] == "ws_event"]

    def rest_pairs(self) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        """(request, response) pairs in request order, paired by ``req``."""
        requests = {r["req"]: r for r in self.records if r["kind"] == "rest_request"}
        responses = {r["req"]: r for r in self.records if r["kind"] == "rest_response"}
        return [(requests[k], responses[k]) for k in requests if k in responses]


def load(path: Path) -> Recording:
    records = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    by_conn: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
    for r in records:
        if r["kind"] == "ws_event":
            by_conn[r.get("conn")].append(r["event"])
    return Recording(path, records, dict(by_conn))


def ws_raw_frames(path: Path) -> list[str]:
    """The frames of a ``.ws.raw`` file, exactly as received (one per line)."""
    return [line for line in path.read_text("utf-8").split("\n") if line.strip()]


def jsonl_for_ws_raw(path: Path) -> Path:
    scenario = re.sub(r"(\.[A-Za-z0-9]+)?\.ws\.raw$", "", path.name)
    return path.with_name(f"{scenario}.jsonl")


def all_ws_events() -> list[tuple[str, dict[str, Any]]]:
    out: list[tuple[str, dict[str, Any]]] = []
    for path in jsonl_files():
        out.extend((path.name, ev) for ev in load(path).ws_events())
    return out
