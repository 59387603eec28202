"""Asterisk configuration for the simulator, read from a real ``.conf`` directory.

``load_config(directory)`` reads the files the simulator acts on (extensions, pjsip, queues,
ari, manager, http) into typed objects; every other ``*.conf`` file in the directory is parsed
too and kept as generic sections in ``files`` (musiconhold.conf, cdr.conf, ...), so a syntax
error anywhere is reported. The lab's configuration (tests/fixtures/asterisk/lab-etc) and the
product's (asterisk-conf/) are read by the same code, so configuration and simulator cannot
drift apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pbxsim.conf.dialplan import (
    Context,
    Dialplan,
    Extension,
    Priority,
    build_dialplan,
    pattern_matches,
    split_args,
)
from pbxsim.conf.objects import (
    AriConf,
    AriUser,
    HttpConf,
    ManagerConf,
    ManagerUser,
    Pjsip,
    PjsipAor,
    PjsipEndpoint,
    PjsipIdentify,
    PjsipTransport,
    QueueConf,
    QueueMemberConf,
    build_ari,
    build_http,
    build_manager,
    build_pjsip,
    build_queues,
    parse_callerid,
)
from pbxsim.conf.parser import ConfError, Entry, Section, parse_conf, read_conf

__all__ = [
    "AriConf",
    "AriUser",
    "AsteriskConfig",
    "ConfError",
    "Context",
    "Dialplan",
    "Entry",
    "Extension",
    "HttpConf",
    "ManagerConf",
    "ManagerUser",
    "Pjsip",
    "PjsipAor",
    "PjsipEndpoint",
    "PjsipIdentify",
    "PjsipTransport",
    "Priority",
    "QueueConf",
    "QueueMemberConf",
    "Section",
    "load_config",
    "parse_callerid",
    "parse_conf",
    "pattern_matches",
    "read_conf",
    "split_args",
]


_INCLUDE = re.compile(r'^\s*#\s*(?:try)?include\s+"?<?([^">\s]+)', re.MULTILINE)


@dataclass(frozen=True)
class AsteriskConfig:
    directory: Path
    dialplan: Dialplan
    pjsip: Pjsip
    queues: dict[str, QueueConf]
    ari: AriConf
    manager: ManagerConf
    http: HttpConf
    files: dict[str, list[Section]] = field(default_factory=dict, compare=False)

    def section(self, filename: str, name: str) -> Section | None:
        """The first non-template section ``name`` of ``filename`` (e.g. cdr.conf [general])."""
        return next(
            (s for s in self.files.get(filename, []) if s.name == name and not s.is_template),
            None,
        )


def load_config(directory: Path | str) -> AsteriskConfig:
    """Read an Asterisk configuration directory. Missing files mean "module not configured"."""
    directory = Path(directory)
    if not directory.is_dir():
        raise ConfError(str(directory), 0, "configuration directory not found")
    paths = sorted(directory.glob("*.conf"))
    included = {
        Path(m.group(1)).name
        for path in paths
        for m in _INCLUDE.finditer(path.read_text(encoding="utf-8", errors="replace"))
    }
    files: dict[str, list[Section]] = {}
    for path in paths:
        if path.name not in included:  # fragments are read where they are included
            files[path.name] = read_conf(path)

    def sections(name: str) -> list[Section]:
        return files.get(name, [])

    return AsteriskConfig(
        directory=directory,
        dialplan=build_dialplan(sections("extensions.conf")),
        pjsip=build_pjsip(sections("pjsip.conf")),
        queues=build_queues(sections("queues.conf")),
        ari=build_ari(sections("ari.conf")),
        manager=build_manager(sections("manager.conf")),
        http=build_http(sections("http.conf")),
        files=files,
    )
