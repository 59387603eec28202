"""Typed views of pjsip.conf, queues.conf, ari.conf, manager.conf and http.conf."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pbxsim.conf.parser import ConfError, Section


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in ("yes", "true", "y", "t", "1", "on")


def _int(section: Section, key: str, default: int) -> int:
    value = section.get(key)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ConfError(
            section.filename,
            section.line,
            f"[{section.name}] {key} = {value!r} is not a whole number",
        ) from None


def _float(section: Section, key: str, default: float) -> float:
    value = section.get(key)
    if value is None or value == "":
        return default
    try:
        return float(value)
    except ValueError:
        raise ConfError(
            section.filename, section.line, f"[{section.name}] {key} = {value!r} is not a number"
        ) from None


def _list(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (value or "").split(",") if v.strip())


_CALLERID = re.compile(r'^\s*(?:"(?P<qname>[^"]*)"|(?P<name>[^<]*?))\s*(?:<(?P<num>[^>]*)>)?\s*$')


def parse_callerid(value: str) -> tuple[str, str]:
    """``"HN-01" <hn-01>`` -> ("HN-01", "hn-01"); a bare number is (``""``, number)."""
    match = _CALLERID.match(value)
    if match is None:
        return "", value.strip()
    name = match.group("qname") if match.group("qname") is not None else match.group("name") or ""
    num = match.group("num")
    if num is None:
        return "", name.strip()
    return name.strip(), num.strip()


# ---- pjsip.conf ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PjsipEndpoint:
    name: str
    context: str
    aors: tuple[str, ...]
    callerid_name: str
    callerid_num: str
    transport: str
    language: str
    dtmf_mode: str
    options: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def channel_callerid_num(self) -> str:
        """The number as Asterisk shows it on channels: ``hn-01`` becomes ``hn01``."""
        return shrink_phone_number(self.callerid_num)


def shrink_phone_number(number: str) -> str:
    """Asterisk's ``ast_shrink_phone_number``: drop ``-``, ``.``, ``(``, ``)`` and spaces."""
    return "".join(ch for ch in number if ch not in "-.() ")


@dataclass(frozen=True)
class PjsipAor:
    name: str
    contacts: tuple[str, ...]
    max_contacts: int
    remove_existing: bool
    qualify_frequency: int
    qualify_timeout: float
    minimum_expiration: int
    default_expiration: int
    maximum_expiration: int


@dataclass(frozen=True)
class PjsipIdentify:
    name: str
    endpoint: str
    match: tuple[str, ...]


@dataclass(frozen=True)
class PjsipTransport:
    name: str
    protocol: str
    bind: str


@dataclass(frozen=True)
class Pjsip:
    endpoints: dict[str, PjsipEndpoint] = field(default_factory=dict)
    aors: dict[str, PjsipAor] = field(default_factory=dict)
    identifies: dict[str, PjsipIdentify] = field(default_factory=dict)
    transports: dict[str, PjsipTransport] = field(default_factory=dict)
    global_options: dict[str, str] = field(default_factory=dict)


def build_pjsip(sections: list[Section]) -> Pjsip:
    result = Pjsip()
    for s in sections:
        if s.is_template:
            continue
        kind = s.get("type")
        if kind is None:
            raise ConfError(s.filename, s.line, f"pjsip.conf [{s.name}] has no 'type ='")
        if kind == "endpoint":
            name, num = parse_callerid(s.get("callerid") or "")
            result.endpoints[s.name] = PjsipEndpoint(
                name=s.name,
                context=s.get("context") or "default",
                aors=_list(s.get("aors")),
                callerid_name=name,
                callerid_num=num,
                transport=s.get("transport") or "",
                language=s.get("language") or "",
                dtmf_mode=s.get("dtmf_mode") or "rfc4733",
                options=s.options(),
            )
        elif kind == "aor":
            contacts = tuple(c for v in s.get_all("contact") for c in _list(v))
            result.aors[s.name] = PjsipAor(
                name=s.name,
                contacts=contacts,
                max_contacts=_int(s, "max_contacts", 0),
                remove_existing=_bool(s.get("remove_existing")),
                qualify_frequency=_int(s, "qualify_frequency", 0),
                qualify_timeout=_float(s, "qualify_timeout", 3.0),
                minimum_expiration=_int(s, "minimum_expiration", 60),
                default_expiration=_int(s, "default_expiration", 3600),
                maximum_expiration=_int(s, "maximum_expiration", 7200),
            )
        elif kind == "identify":
            matches = tuple(m for v in s.get_all("match") for m in _list(v))
            result.identifies[s.name] = PjsipIdentify(s.name, s.get("endpoint") or "", matches)
        elif kind == "transport":
            result.transports[s.name] = PjsipTransport(
                s.name, s.get("protocol") or "udp", s.get("bind") or ""
            )
        elif kind == "global":
            result.global_options.update(s.options())
    for ep in result.endpoints.values():
        for aor in ep.aors:
            if aor not in result.aors:
                raise ConfError(
                    "pjsip.conf", 0, f"endpoint {ep.name!r} names AOR {aor!r}, which is not defined"
                )
    return result


# ---- queues.conf --------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueMemberConf:
    interface: str
    penalty: int
    membername: str
    state_interface: str


@dataclass(frozen=True)
class QueueConf:
    name: str
    strategy: str
    timeout: int
    retry: int
    wrapuptime: int
    maxlen: int
    joinempty: str
    leavewhenempty: str
    ringinuse: bool
    musicclass: str
    members: tuple[QueueMemberConf, ...]
    options: dict[str, str] = field(default_factory=dict, compare=False)


_STRATEGIES = {
    "ringall",
    "leastrecent",
    "fewestcalls",
    "random",
    "rrmemory",
    "linear",
    "wrandom",
    "rrordered",
}


def build_queues(sections: list[Section]) -> dict[str, QueueConf]:
    queues: dict[str, QueueConf] = {}
    for s in sections:
        if s.is_template or s.name == "general":
            continue
        strategy = s.get("strategy") or "ringall"
        if strategy not in _STRATEGIES:
            raise ConfError(s.filename, s.line, f"queue [{s.name}]: unknown strategy {strategy!r}")
        members = []
        for value in s.get_all("member"):
            parts = [p.strip() for p in value.split(",")]
            iface = parts[0]
            penalty = int(parts[1]) if len(parts) > 1 and parts[1] else 0
            name = parts[2] if len(parts) > 2 and parts[2] else iface
            state = parts[3] if len(parts) > 3 and parts[3] else iface
            members.append(QueueMemberConf(iface, penalty, name, state))
        queues[s.name] = QueueConf(
            name=s.name,
            strategy=strategy,
            timeout=_int(s, "timeout", 15),
            retry=_int(s, "retry", 5),
            wrapuptime=_int(s, "wrapuptime", 0),
            maxlen=_int(s, "maxlen", 0),
            joinempty=s.get("joinempty") or "yes",
            leavewhenempty=s.get("leavewhenempty") or "no",
            ringinuse=_bool(s.get("ringinuse"), default=True),
            musicclass=s.get("musicclass") or "default",
            members=tuple(members),
            options=s.options(),
        )
    return queues


# ---- ari.conf, manager.conf, http.conf ------------------------------------------------------


@dataclass(frozen=True)
class AriUser:
    name: str
    password: str
    password_format: str
    read_only: bool


@dataclass(frozen=True)
class AriConf:
    enabled: bool
    users: dict[str, AriUser]


def build_ari(sections: list[Section]) -> AriConf:
    general = next((s for s in sections if s.name == "general"), None)
    users = {}
    for s in sections:
        if s.is_template or s.get("type") != "user":
            continue
        users[s.name] = AriUser(
            s.name,
            s.get("password") or "",
            s.get("password_format") or "plain",
            _bool(s.get("read_only")),
        )
    return AriConf(enabled=_bool(general.get("enabled") if general else None), users=users)


@dataclass(frozen=True)
class ManagerUser:
    name: str
    secret: str
    read: tuple[str, ...]
    write: tuple[str, ...]
    permit: tuple[str, ...]
    deny: tuple[str, ...]


@dataclass(frozen=True)
class ManagerConf:
    enabled: bool
    port: int
    bindaddr: str
    users: dict[str, ManagerUser]


def build_manager(sections: list[Section]) -> ManagerConf:
    general = next((s for s in sections if s.name == "general"), None)
    users = {}
    for s in sections:
        if s.is_template or s.name == "general":
            continue
        users[s.name] = ManagerUser(
            name=s.name,
            secret=s.get("secret") or "",
            read=tuple(c for v in s.get_all("read") for c in _list(v)),
            write=tuple(c for v in s.get_all("write") for c in _list(v)),
            permit=tuple(s.get_all("permit")),
            deny=tuple(s.get_all("deny")),
        )
    return ManagerConf(
        enabled=_bool(general.get("enabled") if general else None),
        port=_int(general, "port", 5038) if general else 5038,
        bindaddr=(general.get("bindaddr") if general else None) or "0.0.0.0",
        users=users,
    )


@dataclass(frozen=True)
class HttpConf:
    enabled: bool
    bindaddr: str
    bindport: int
    prefix: str


def build_http(sections: list[Section]) -> HttpConf:
    general = next((s for s in sections if s.name == "general"), None)
    if general is None:
        return HttpConf(False, "127.0.0.1", 8088, "")
    return HttpConf(
        enabled=_bool(general.get("enabled")),
        bindaddr=general.get("bindaddr") or "127.0.0.1",
        bindport=_int(general, "bindport", 8088),
        prefix=general.get("prefix") or "",
    )
