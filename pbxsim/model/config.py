"""What the model needs to know about the PBX configuration, and a minimal reader for it.

The model depends only on :class:`PbxConfig`. :func:`load_config` reads an Asterisk
configuration directory (the lab's ``lab-etc`` or the project's ``asterisk-conf/``) with the
generic ``.conf`` parser of :mod:`pbxsim.conf.parser`; the richer readers of :mod:`pbxsim.conf`
can replace the body of this function without touching the model.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pbxsim.conf.parser import Section, read_conf


@dataclass(frozen=True, slots=True)
class Priority:
    """One dialplan step: ``exten => 1800,2,Answer()`` is Priority(2, None, "Answer", "")."""

    number: int
    label: str | None
    app: str
    data: str


@dataclass(frozen=True, slots=True)
class EndpointConfig:
    """A PJSIP endpoint with its AOR. ``static_contact`` None = contacts come by REGISTER."""

    name: str
    context: str
    callerid_name: str
    callerid_number: str
    static_contact: str | None
    max_contacts: int = 1
    qualify_frequency: float = 0.0
    qualify_timeout: float = 3.0
    language: str = "en"
    has_aor: bool = True


@dataclass(frozen=True, slots=True)
class QueueMemberConfig:
    interface: str  # PJSIP/hn-01
    penalty: int
    membername: str


@dataclass(frozen=True, slots=True)
class QueueConfig:
    name: str
    strategy: str = "ringall"
    timeout: float = 15.0  # member ring timeout
    retry: float = 5.0
    wrapuptime: float = 0.0
    ringinuse: bool = False
    joinempty: bool = True
    leavewhenempty: bool = False
    maxlen: int = 0
    musicclass: str = "default"
    members: tuple[QueueMemberConfig, ...] = ()


@dataclass(frozen=True, slots=True)
class PbxConfig:
    """Everything the model reads from configuration."""

    endpoints: Mapping[str, EndpointConfig]
    dialplan: Mapping[str, Mapping[str, tuple[Priority, ...]]]
    hints: Mapping[str, str] = field(default_factory=dict)  # "hn-01@lab-hints" -> PJSIP/hn-01
    queues: Mapping[str, QueueConfig] = field(default_factory=dict)
    ari_users: Mapping[str, str] = field(default_factory=dict)  # user -> plain password
    ami_users: Mapping[str, str] = field(default_factory=dict)  # user -> secret
    ari_bind: tuple[str, int] = ("127.0.0.1", 8088)
    ami_bind: tuple[str, int] = ("127.0.0.1", 5038)
    trunk_endpoint: str = "trunk"


def _sections(directory: Path, name: str) -> list[Section]:
    path = directory / name
    return read_conf(path) if path.exists() else []


_APP = re.compile(r"^\s*([A-Za-z_][\w]*)\s*(?:\((.*)\))?\s*$", re.S)


def _split_exten(value: str) -> tuple[str, str, str]:
    exten, _, rest = value.partition(",")
    prio, _, app = rest.partition(",")
    return exten.strip(), prio.strip(), app.strip()


def _dialplan(
    sections: list[Section],
) -> tuple[dict[str, dict[str, tuple[Priority, ...]]], dict[str, str]]:
    plan: dict[str, dict[str, list[Priority]]] = {}
    hints: dict[str, str] = {}
    for section in sections:
        if section.name in ("general", "globals"):
            continue
        ctx = plan.setdefault(section.name, {})
        last_exten = ""
        last_num = 0
        for entry in section.entries:
            if entry.key == "exten":
                exten, prio, app = _split_exten(entry.value)
                last_exten = exten
            elif entry.key == "same":
                exten = last_exten
                prio, _, app = entry.value.partition(",")
                prio, app = prio.strip(), app.strip()
            else:
                continue
            if prio == "hint":
                hints[f"{exten}@{section.name}"] = app
                continue
            label = None
            m = re.match(r"^(n|\d+)(?:\((\w+)\))?$", prio)
            if m is None:
                continue
            num = last_num + 1 if m.group(1) == "n" else int(m.group(1))
            label = m.group(2)
            last_num = num
            am = _APP.match(app)
            name, data = (am.group(1), am.group(2) or "") if am else (app, "")
            ctx.setdefault(exten, []).append(Priority(num, label, name, data))
    return {c: {e: tuple(p) for e, p in x.items()} for c, x in plan.items()}, hints


def _callerid(value: str | None, default: str) -> tuple[str, str]:
    if not value:
        return "", default
    m = re.match(r'^\s*"?([^"<]*)"?\s*<([^>]*)>\s*$', value)
    if m:
        return m.group(1).strip(), m.group(2).strip()
    return "", value.strip()


def _float(value: str | None, default: float) -> float:
    try:
        return float(value) if value is not None else default
    except ValueError:
        return default


def load_config(directory: Path) -> PbxConfig:
    """Read ``pjsip.conf``, ``extensions.conf``, ``queues.conf``, ``ari.conf``,
    ``manager.conf`` and ``http.conf`` from an Asterisk configuration directory."""
    pjsip = _sections(directory, "pjsip.conf")
    aors = {s.name: s for s in pjsip if s.get("type") == "aor" and not s.is_template}
    endpoints: dict[str, EndpointConfig] = {}
    for s in pjsip:
        if s.is_template or s.get("type") != "endpoint":
            continue
        aor_names = [a.strip() for a in (s.get("aors") or "").split(",") if a.strip()]
        aor = aors.get(aor_names[0]) if aor_names else None
        cid_name, cid_num = _callerid(s.get("callerid"), s.name)
        endpoints[s.name] = EndpointConfig(
            name=s.name,
            context=s.get("context") or "default",
            callerid_name=cid_name,
            callerid_number=cid_num,
            static_contact=aor.get("contact") if aor is not None else None,
            max_contacts=int(aor.get("max_contacts") or 1) if aor is not None else 0,
            qualify_frequency=_float(aor.get("qualify_frequency") if aor else None, 0.0),
            qualify_timeout=_float(aor.get("qualify_timeout") if aor else None, 3.0),
            language=s.get("language") or "en",
            has_aor=aor is not None,
        )
    plan, hints = _dialplan(_sections(directory, "extensions.conf"))
    queues: dict[str, QueueConfig] = {}
    for s in _sections(directory, "queues.conf"):
        if s.name == "general" or s.is_template:
            continue
        members = []
        for m in s.get_all("member"):
            parts = [p.strip() for p in m.split(",")]
            members.append(
                QueueMemberConfig(
                    interface=parts[0],
                    penalty=int(parts[1]) if len(parts) > 1 and parts[1] else 0,
                    membername=parts[2] if len(parts) > 2 and parts[2] else parts[0],
                )
            )
        queues[s.name] = QueueConfig(
            name=s.name,
            strategy=s.get("strategy") or "ringall",
            timeout=_float(s.get("timeout"), 15.0),
            retry=_float(s.get("retry"), 5.0),
            wrapuptime=_float(s.get("wrapuptime"), 0.0),
            ringinuse=(s.get("ringinuse") or "yes").lower() in ("yes", "true", "1"),
            joinempty=(s.get("joinempty") or "yes").lower() not in ("no", "false", "0"),
            leavewhenempty=(s.get("leavewhenempty") or "no").lower() in ("yes", "true", "1"),
            maxlen=int(s.get("maxlen") or 0),
            musicclass=s.get("musicclass") or "default",
            members=tuple(members),
        )
    ari_users = {
        s.name: s.get("password") or ""
        for s in _sections(directory, "ari.conf")
        if s.get("type") == "user"
    }
    ami_users = {
        s.name: s.get("secret") or ""
        for s in _sections(directory, "manager.conf")
        if s.name != "general" and s.get("secret") is not None
    }
    http = {s.name: s for s in _sections(directory, "http.conf")}
    manager = {s.name: s for s in _sections(directory, "manager.conf")}
    ari_bind = ("127.0.0.1", 8088)
    if "general" in http:
        ari_bind = (
            http["general"].get("bindaddr") or "127.0.0.1",
            int(http["general"].get("bindport") or 8088),
        )
    ami_bind = ("127.0.0.1", 5038)
    if "general" in manager:
        ami_bind = (
            manager["general"].get("bindaddr") or "127.0.0.1",
            int(manager["general"].get("port") or 5038),
        )
    # the carrier trunk: the first endpoint matched by IP (type=identify)
    identified = [s.get("endpoint") for s in pjsip if s.get("type") == "identify"]
    trunk = next((e for e in identified if e and e in endpoints), None)
    if trunk is None:
        trunk = "trunk" if "trunk" in endpoints else next(iter(endpoints), "trunk")
    return PbxConfig(
        endpoints=endpoints,
        dialplan=plan,
        hints=hints,
        queues=queues,
        ari_users=ari_users,
        ami_users=ami_users,
        ari_bind=ari_bind,
        ami_bind=ami_bind,
        trunk_endpoint=trunk,
    )
