"""Generic reader for Asterisk ``.conf`` files (the config-file syntax shared by every module).

What it understands, as Asterisk's ``main/config.c`` does:

- ``[name]`` sections; ``[name](!)`` templates; ``[name](tpl1,tpl2)`` inheritance (the entries
  of each template are copied first, in order, then the section's own); ``[name](!,tpl)`` a
  template built on another; ``[name](+)`` adds to an earlier section of the same name.
- ``key = value`` and ``key => value`` (the arrow is kept, it means the same thing to most
  modules); the value is everything after the first ``=``, trimmed.
- ``;`` comments to the end of the line, ``\\;`` for a literal semicolon, ``;-- ... --;`` block
  comments.
- ``#include file`` / ``#include "file"`` / ``#tryinclude`` relative to the configuration
  directory (a missing ``#include`` is an error, a missing ``#tryinclude`` is not).

Several sections may share one name (pjsip.conf does this: ``[hn-01]`` the endpoint and
``[hn-01]`` the AOR), so a file is a list of sections, not a mapping.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path


class ConfError(ValueError):
    """A configuration file could not be read; the message names the file and the line."""

    def __init__(self, filename: str, line: int, message: str) -> None:
        super().__init__(f"{filename}:{line}: {message}")
        self.filename = filename
        self.line = line


@dataclass(frozen=True)
class Entry:
    """One ``key = value`` (``arrow`` is True for ``key => value``)."""

    key: str
    value: str
    arrow: bool
    filename: str
    line: int


@dataclass(frozen=True)
class Section:
    """A section after template inheritance: inherited entries first, then its own."""

    name: str
    entries: tuple[Entry, ...]
    templates: tuple[str, ...] = ()
    is_template: bool = False
    filename: str = ""
    line: int = 0

    def get(self, key: str, default: str | None = None) -> str | None:
        """The last value given for ``key`` (later entries override inherited ones)."""
        found = default
        for entry in self.entries:
            if entry.key == key:
                found = entry.value
        return found

    def get_all(self, key: str) -> list[str]:
        """Every value given for ``key``, in order (``member =>``, ``allow``, ...)."""
        return [e.value for e in self.entries if e.key == key]

    def options(self) -> dict[str, str]:
        """Last value per key, in first-seen key order."""
        result: dict[str, str] = {}
        for entry in self.entries:
            result[entry.key] = entry.value
        return result


@dataclass
class _RawSection:
    name: str
    templates: list[str]
    is_template: bool
    filename: str
    line: int
    entries: list[Entry] = field(default_factory=list)


_HEADER = re.compile(r"^\[(?P<name>[^\]]*)\]\s*(?:\((?P<opts>[^)]*)\))?\s*$")
_DIRECTIVE = re.compile(r"^#\s*(?P<kind>include|tryinclude|exec)\s+(?P<arg>.+?)\s*$")


def _strip_comments(text: str, filename: str) -> list[tuple[int, str]]:
    """Lines (number, text) with comments removed and ``\\;`` unescaped."""
    out: list[tuple[int, str]] = []
    in_block = False
    block_start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = ""
        i = 0
        while i < len(raw):
            if in_block:
                end = raw.find("--;", i)
                if end < 0:
                    i = len(raw)
                    continue
                in_block = False
                i = end + 3
                continue
            ch = raw[i]
            if ch == "\\" and raw.startswith(";", i + 1):
                line += ";"
                i += 2
                continue
            if ch == ";":
                if raw.startswith(";--", i):
                    in_block = True
                    block_start = number
                    i += 3
                    continue
                break
            line += ch
            i += 1
        out.append((number, line.strip()))
    if in_block:
        raise ConfError(filename, block_start, "block comment ';--' is never closed with '--;'")
    return out


def parse_conf(
    text: str,
    *,
    filename: str = "<string>",
    directory: Path | None = None,
    _depth: int = 0,
) -> list[Section]:
    """Parse one configuration file (and what it includes) into resolved sections."""
    raw = _parse_raw(text, filename=filename, directory=directory, depth=_depth)
    return _resolve(raw)


def read_conf(path: Path) -> list[Section]:
    """Read and parse ``path``; ``#include`` is resolved relative to its directory."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfError(path.name, 0, f"not UTF-8 text: {exc}") from exc
    return parse_conf(text, filename=path.name, directory=path.parent)


def _parse_raw(
    text: str, *, filename: str, directory: Path | None, depth: int
) -> list[_RawSection]:
    if depth > 10:
        raise ConfError(filename, 0, "#include nested more than 10 deep (a loop?)")
    sections: list[_RawSection] = []
    current: _RawSection | None = None
    for number, line in _strip_comments(text, filename):
        if not line:
            continue
        if line.startswith("#"):
            included = _include(line, filename, number, directory, depth)
            if included:
                # Entries before the first header of an included file go to the current section.
                if current is not None and included[0].name == "":
                    current.entries.extend(included[0].entries)
                    included = included[1:]
                sections.extend(included)
                if included:
                    current = included[-1]
            continue
        if line.startswith("["):
            current = _header(line, filename, number)
            sections.append(current)
            continue
        key, sep, value = line.partition("=")
        if not sep:
            raise ConfError(filename, number, f"expected 'key = value', got {line!r}")
        arrow = value.startswith(">")
        if arrow:
            value = value[1:]
        key = key.strip()
        if not key:
            raise ConfError(filename, number, f"missing key before '=' in {line!r}")
        if current is None:
            if depth == 0:
                raise ConfError(filename, number, f"{key!r} appears before any [section]")
            current = _RawSection("", [], False, filename, number)
            sections.append(current)
        current.entries.append(Entry(key, value.strip(), arrow, filename, number))
    return sections


def _header(line: str, filename: str, number: int) -> _RawSection:
    match = _HEADER.match(line)
    if match is None:
        raise ConfError(filename, number, f"malformed section header {line!r}")
    name = match.group("name").strip()
    if not name:
        raise ConfError(filename, number, "empty section name '[]'")
    opts = [o.strip() for o in (match.group("opts") or "").split(",") if o.strip()]
    is_template = "!" in opts
    templates = [o for o in opts if o not in ("!", "+")]
    section = _RawSection(name, templates, is_template, filename, number)
    if "+" in opts:
        section.templates.insert(0, "+")
    return section


def _include(
    line: str, filename: str, number: int, directory: Path | None, depth: int
) -> list[_RawSection]:
    match = _DIRECTIVE.match(line)
    if match is None:
        raise ConfError(filename, number, f"unknown directive {line!r}")
    kind, arg = match.group("kind"), match.group("arg").strip().strip('"<>')
    if kind == "exec":
        raise ConfError(filename, number, "#exec is not supported by the simulator")
    if directory is None:
        raise ConfError(filename, number, f"#{kind} {arg}: no configuration directory to read from")
    path = Path(arg) if Path(arg).is_absolute() else directory / arg
    if not path.is_file():
        if kind == "tryinclude":
            return []
        raise ConfError(filename, number, f"#include: file {arg!r} not found in {directory}")
    return _parse_raw(
        path.read_text(encoding="utf-8"), filename=path.name, directory=path.parent, depth=depth + 1
    )


def _resolve(raw: list[_RawSection]) -> list[Section]:
    """Apply ``(+)`` additions and template inheritance; templates stay, marked as such."""
    merged: list[_RawSection] = []
    for section in raw:
        if section.templates[:1] == ["+"]:
            target = next((s for s in reversed(merged) if s.name == section.name), None)
            if target is None:
                raise ConfError(
                    section.filename,
                    section.line,
                    f"[{section.name}](+) adds to no earlier section",
                )
            target.entries.extend(section.entries)
            continue
        merged.append(section)
    resolved: list[Section] = []
    by_name: dict[str, Section] = {}
    for section in merged:
        entries: list[Entry] = []
        for template in section.templates:
            base = by_name.get(template)
            if base is None:
                raise ConfError(
                    section.filename,
                    section.line,
                    f"[{section.name}] inherits from [{template}], which is not defined above it",
                )
            entries.extend(base.entries)
        entries.extend(section.entries)
        done = Section(
            name=section.name,
            entries=tuple(entries),
            templates=tuple(section.templates),
            is_template=section.is_template,
            filename=section.filename,
            line=section.line,
        )
        resolved.append(done)
        by_name[section.name] = done
    return resolved
