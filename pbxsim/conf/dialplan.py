"""extensions.conf: contexts -> extensions -> priorities (application, data), hints, patterns.

Supported: ``exten => NAME,PRIO,App(data)`` with PRIO a number, ``n``, ``n(label)``,
``1(label)``, ``n+k`` or ``hint``; ``same => ...``; applications written ``App(data)``,
``App()`` or bare ``App``; pattern extensions (``_X.``, ``_NXX``, ``_[a-z].``, ``!``);
``include => context``; ``[globals]``. Matching follows Asterisk: an exact name beats a
pattern, the more specific pattern wins, then included contexts are searched in order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pbxsim.conf.parser import ConfError, Entry, Section

_NOT_CONTEXTS = {"general", "globals"}


@dataclass(frozen=True)
class Priority:
    """One dialplan step: ``exten => 1800,2,Answer()`` is Priority(2, None, "Answer", "")."""

    number: int
    label: str | None
    app: str
    data: str
    filename: str = ""
    line: int = 0

    @property
    def args(self) -> list[str]:
        """``data`` split on top-level commas, as applications see their arguments."""
        return split_args(self.data)


@dataclass
class Extension:
    name: str
    priorities: dict[int, Priority] = field(default_factory=dict)
    hint: str | None = None

    @property
    def is_pattern(self) -> bool:
        return self.name.startswith("_")

    def priority(self, number: int) -> Priority | None:
        return self.priorities.get(number)

    def label(self, label: str) -> Priority | None:
        return next((p for p in self.priorities.values() if p.label == label), None)

    def ordered(self) -> list[Priority]:
        return [self.priorities[n] for n in sorted(self.priorities)]


@dataclass
class Context:
    name: str
    extensions: dict[str, Extension] = field(default_factory=dict)
    includes: list[str] = field(default_factory=list)

    def hints(self) -> dict[str, str]:
        return {e.name: e.hint for e in self.extensions.values() if e.hint is not None}


@dataclass
class Dialplan:
    contexts: dict[str, Context] = field(default_factory=dict)
    globals: dict[str, str] = field(default_factory=dict)

    def find(self, context: str, exten: str) -> Extension | None:
        """The extension Asterisk would run for ``exten`` in ``context`` (None if none)."""
        return self._find(context, exten, set())

    def _find(self, context: str, exten: str, seen: set[str]) -> Extension | None:
        ctx = self.contexts.get(context)
        if ctx is None or context in seen:
            return None
        seen.add(context)
        exact = ctx.extensions.get(exten)
        if exact is not None and exact.priorities:
            return exact
        patterns = [e for e in ctx.extensions.values() if e.is_pattern and e.priorities]
        for ext in sorted(patterns, key=lambda e: pattern_rank(e.name)):
            if pattern_matches(ext.name, exten):
                return ext
        for included in ctx.includes:
            found = self._find(included, exten, seen)
            if found is not None:
                return found
        return None

    def hints(self) -> dict[tuple[str, str], str]:
        """(context, exten) -> device, for every ``hint`` priority."""
        return {
            (ctx.name, name): device
            for ctx in self.contexts.values()
            for name, device in ctx.hints().items()
        }


def split_args(data: str) -> list[str]:
    """Split application data on commas outside parentheses, brackets and quotes."""
    if data == "":
        return []
    args: list[str] = []
    depth = 0
    quote = False
    current = ""
    for ch in data:
        if ch == '"':
            quote = not quote
        elif not quote and ch in "([{":
            depth += 1
        elif not quote and ch in ")]}" and depth:
            depth -= 1
        elif ch == "," and depth == 0 and not quote:
            args.append(current)
            current = ""
            continue
        current += ch
    args.append(current)
    return args


def _class_size(token: str) -> int:
    return {"X": 10, "Z": 9, "N": 8, ".": 1000, "!": 1001}.get(token.upper(), 1)


def _tokens(pattern: str) -> list[str]:
    tokens: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern[i] == "[":
            end = pattern.find("]", i)
            if end < 0:
                raise ValueError(f"unclosed '[' in pattern {pattern!r}")
            tokens.append(pattern[i : end + 1])
            i = end + 1
        else:
            tokens.append(pattern[i])
            i += 1
    return tokens


def pattern_rank(name: str) -> tuple[int, ...]:
    """Sort key: the more specific pattern first (smaller classes earlier)."""
    sizes = []
    for token in _tokens(name[1:]):
        if token.startswith("["):
            sizes.append(len(re.findall(r".-.|.", token[1:-1])) or 1)
        else:
            sizes.append(_class_size(token))
    return tuple(sizes)


def pattern_regex(name: str) -> re.Pattern[str]:
    parts: list[str] = []
    for token in _tokens(name[1:]):
        upper = token.upper()
        if token.startswith("["):
            parts.append("[" + re.sub(r"([\\\]^])", r"\\\1", token[1:-1]) + "]")
        elif upper == "X":
            parts.append("[0-9]")
        elif upper == "Z":
            parts.append("[1-9]")
        elif upper == "N":
            parts.append("[2-9]")
        elif token == ".":
            parts.append(".+")
        elif token == "!":
            parts.append(".*")
        elif token in "-":
            continue  # dashes in patterns are for readability only
        else:
            parts.append(re.escape(token))
    return re.compile("".join(parts) + r"\Z")


def pattern_matches(name: str, exten: str) -> bool:
    return bool(pattern_regex(name).match(exten))


_PRIO = re.compile(r"^(?P<prio>\d+|n(?:\+\d+)?|hint|s)(?:\((?P<label>[^)]*)\))?$")


def parse_app(appdata: str) -> tuple[str, str]:
    """``NoOp(a,b)`` -> ("NoOp", "a,b"); ``Answer`` -> ("Answer", "");
    ``Dial,x`` (old syntax) -> ("Dial", "x")."""
    appdata = appdata.strip()
    paren = appdata.find("(")
    comma = appdata.find(",")
    if paren >= 0 and (comma < 0 or paren < comma):
        app, data = appdata[:paren], appdata[paren + 1 :]
        data = data[:-1] if data.endswith(")") else data
        return app.strip(), data
    if comma >= 0:
        return appdata[:comma].strip(), appdata[comma + 1 :]
    return appdata, ""


def build_dialplan(sections: list[Section]) -> Dialplan:
    plan = Dialplan()
    for section in sections:
        if section.is_template:
            continue
        if section.name == "globals":
            plan.globals.update(section.options())
            continue
        if section.name in _NOT_CONTEXTS:
            continue
        ctx = plan.contexts.setdefault(section.name, Context(section.name))
        _fill_context(ctx, section.entries)
    return plan


def _fill_context(ctx: Context, entries: tuple[Entry, ...]) -> None:
    last: Extension | None = None
    last_number = 0
    for entry in entries:
        if entry.key == "include":
            ctx.includes.append(entry.value.split(",")[0].strip())
            continue
        if entry.key in ("ignorepat", "switch", "lswitch", "eswitch"):
            continue
        if entry.key == "exten":
            name, sep, rest = entry.value.partition(",")
            if not sep:
                raise ConfError(
                    entry.filename, entry.line, f"exten needs NAME,PRIORITY,APP: {entry.value!r}"
                )
            name = name.strip().split("/")[0]  # caller-id match (``1800/123``) is not modelled
            last = ctx.extensions.setdefault(name, Extension(name))
            last_number = max(last.priorities, default=0)
        elif entry.key == "same":
            if last is None:
                raise ConfError(entry.filename, entry.line, "'same =>' before any 'exten =>'")
            rest = entry.value
        else:
            raise ConfError(entry.filename, entry.line, f"unknown dialplan keyword {entry.key!r}")
        prio_text, _, appdata = rest.partition(",")
        match = _PRIO.match(prio_text.strip())
        if match is None:
            raise ConfError(entry.filename, entry.line, f"bad priority {prio_text.strip()!r}")
        prio = match.group("prio")
        if prio == "hint":
            last.hint = appdata.strip()
            continue
        if prio.startswith("n"):
            number = last_number + (int(prio[2:]) if "+" in prio else 1)
        elif prio == "s":
            number = last_number
        else:
            number = int(prio)
        if number in last.priorities:
            raise ConfError(
                entry.filename, entry.line, f"priority {number} of {last.name!r} defined twice"
            )
        app, data = parse_app(appdata)
        if not app:
            raise ConfError(entry.filename, entry.line, f"no application in {entry.value!r}")
        last.priorities[number] = Priority(
            number, match.group("label"), app, data, entry.filename, entry.line
        )
        last_number = number
