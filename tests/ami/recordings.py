"""The recorded AMI conversations: the committed copy, plus any newer ones in ../shared.

A recording is ``ami-<scenario>.raw`` (bytes received, banner first) with
``ami-<scenario>.sent.raw`` (the actions sent). Recordings found in the repository's
``../shared/asterisk/recordings*/`` that the committed copy lacks are picked up too, so a
recording added there is tested without any change here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from callcenter.ami.wire import AmiFramer, AmiMessage, MalformedMessage

REPO = Path(__file__).resolve().parents[2]
COPY = REPO / "tests" / "fixtures" / "asterisk"
SHARED = REPO.parent / "shared" / "asterisk"


def ami_recording_paths() -> list[Path]:
    found: dict[tuple[str, str], Path] = {}
    for base in (COPY, SHARED):
        for path in sorted(base.glob("recordings*/ami-*.raw")):
            if not path.name.endswith(".sent.raw"):
                found.setdefault((path.parent.name, path.name), path)
    return [found[key] for key in sorted(found)]


def recording_id(path: Path) -> str:
    origin = "" if path.is_relative_to(COPY) else "shared:"
    return f"{origin}{path.parent.name}/{path.name}"


@dataclass(frozen=True)
class Recording:
    path: Path
    data: bytes
    banner: str
    messages: tuple[AmiMessage, ...]
    malformed: tuple[MalformedMessage, ...]
    pending: bytes
    #: ActionID -> the action's fields, in the order they were sent.
    sent: dict[str, dict[str, str]]

    def items_of(self, action_id: str) -> list[AmiMessage]:
        return [m for m in self.messages if m.action_id == action_id]

    def live_events(self) -> list[AmiMessage]:
        return [m for m in self.messages if m.event and m.action_id not in self.sent]


def parse_sent(data: bytes) -> dict[str, dict[str, str]]:
    actions: dict[str, dict[str, str]] = {}
    for block in data.split(b"\r\n\r\n"):
        fields: dict[str, str] = {}
        for line in block.decode().split("\r\n"):
            key, sep, value = line.partition(": ")
            if sep:
                fields.setdefault(key, value)
        if "ActionID" in fields:
            actions[fields["ActionID"]] = fields
    return actions


@cache
def load(path: Path) -> Recording:
    data = path.read_bytes()
    framer = AmiFramer()
    items = framer.feed(data)
    sent_path = path.with_name(path.name.removesuffix(".raw") + ".sent.raw")
    return Recording(
        path=path,
        data=data,
        banner=framer.banner or "",
        messages=tuple(m for m in items if isinstance(m, AmiMessage)),
        malformed=tuple(m for m in items if isinstance(m, MalformedMessage)),
        pending=framer.pending,
        sent=parse_sent(sent_path.read_bytes()) if sent_path.exists() else {},
    )


def by_name(name: str) -> Recording:
    for path in ami_recording_paths():
        if path.name == name:
            return load(path)
    raise FileNotFoundError(name)
