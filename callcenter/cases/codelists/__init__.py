"""Code lists as versioned data, with Vietnamese and English labels and HTCDS/CTDC counterparts.

The lists live in ``codelists-<version>.json`` beside this module (one file per version; a new
version is a new file, old files stay so records written under them remain readable).
Code never spells a code-list value as a scattered literal for validation: it asks
:func:`codelist` and :meth:`CodeList.check`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources

CURRENT_VERSION = "2026.1"


class UnknownCodeError(ValueError):
    """A value that is not in its code list; the message is bilingual."""

    def __init__(self, list_name: str, code: object) -> None:
        super().__init__(
            f"Mã không hợp lệ trong danh mục {list_name!r}: {code!r} / "
            f"invalid code for list {list_name!r}: {code!r}"
        )
        self.list_name = list_name
        self.code = code


@dataclass(frozen=True, slots=True)
class Code:
    code: str
    vi: str
    en: str
    htcds: str | None
    ctdc: str | None

    def label(self, lang: str = "vi") -> str:
        return self.vi if lang == "vi" else self.en


@dataclass(frozen=True, slots=True)
class CodeList:
    name: str
    version: str
    codes: tuple[Code, ...]

    def __contains__(self, code: object) -> bool:
        return any(c.code == code for c in self.codes)

    def __iter__(self) -> Iterator[Code]:
        return iter(self.codes)

    def get(self, code: str) -> Code:
        for c in self.codes:
            if c.code == code:
                return c
        raise UnknownCodeError(self.name, code)

    def check(self, code: str | None, *, optional: bool = True) -> str | None:
        """Return ``code`` if it belongs to the list (``None`` allowed when optional)."""
        if code is None:
            if optional:
                return None
            raise UnknownCodeError(self.name, code)
        self.get(code)
        return code

    def values(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.codes)


@dataclass(frozen=True, slots=True)
class CodeListSet:
    version: str
    sources: tuple[str, ...]
    lists: dict[str, CodeList]


@cache
def load(version: str = CURRENT_VERSION) -> CodeListSet:
    """Load one version of the code lists from the package data."""
    path = resources.files(__package__).joinpath(f"codelists-{version}.json")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ValueError(f"no code-list version {version!r} / không có phiên bản danh mục") from exc
    columns = raw["columns"]
    if columns != ["code", "vi", "en", "htcds", "ctdc"]:
        raise ValueError(f"unexpected code-list columns {columns!r}")
    lists = {
        name: CodeList(name, raw["version"], tuple(Code(*row) for row in rows))
        for name, rows in raw["lists"].items()
    }
    return CodeListSet(raw["version"], tuple(raw["sources"]), lists)


def codelist(name: str, version: str = CURRENT_VERSION) -> CodeList:
    """One code list by name, e.g. ``codelist("means_of_control")``."""
    lists = load(version).lists
    if name not in lists:
        raise KeyError(f"no code list named {name!r}")
    return lists[name]


def check(name: str, code: str | None, *, optional: bool = True) -> str | None:
    """Validate ``code`` against list ``name``; shorthand for ``codelist(name).check(code)``."""
    return codelist(name).check(code, optional=optional)
