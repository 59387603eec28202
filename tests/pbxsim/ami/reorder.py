"""Race entries, how a recording shows an order, and the race-tolerant comparison.

A ``Race`` names the messages of two runs of events (``one`` and ``other``, each message by its
event name and identifying headers) and the recordings that show every message of ``one``
before every message of ``other`` (``one_first``) and the other way round (``other_first``).
``unproven`` checks an entry against the recordings it cites. ``reorder_like`` accepts a
simulated message sequence that differs from the recorded one only by swapping messages that
form a tabled pair; every other pair of messages keeps its recorded order.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.pbxsim.ami.amiclient import Message, name_of, parse_messages

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "asterisk"


def _plain(value: str) -> str:
    """A channel name without its unique suffix (``PJSIP/hn-01-0000000a`` -> ``PJSIP/hn-01``)."""
    return re.sub(r"-[0-9a-f]{8}$", "", value)


@dataclass(frozen=True)
class Msg:
    """An event name with identifying header values; a value ending in ``*`` is a prefix."""

    event: str
    headers: tuple[tuple[str, str], ...] = ()

    def matches(self, message: Message) -> bool:
        if name_of(message) != f"Event:{self.event}":
            return False
        got = dict(message)
        for key, want in self.headers:
            value = _plain(got.get(key, "\0"))
            if not (value == want or (want.endswith("*") and value.startswith(want[:-1]))):
                return False
        return True

    def __str__(self) -> str:
        return " ".join([self.event, *(f"{k}={v}" for k, v in self.headers)])


def msg(event: str, **headers: str) -> Msg:
    return Msg(event, tuple(headers.items()))


@dataclass(frozen=True)
class Race:
    what: str
    one: tuple[Msg, ...]
    other: tuple[Msg, ...]
    one_first: tuple[str, ...]  # recordings (ami-<name>.raw) showing one before other
    other_first: tuple[str, ...]  # ... and other before one
    # the two runs are about one call (same Linkedid); False for a snoop channel, which has a
    # call of its own
    same_call: bool = True

    def pairs(self) -> Iterable[tuple[Msg, Msg]]:
        return ((x, y) for x in self.one for y in self.other)

    def allows(self, a: Message, b: Message) -> bool:
        """May ``a`` and ``b`` appear in either order?"""
        return any(
            (x.matches(a) and y.matches(b)) or (x.matches(b) and y.matches(a))
            for x, y in self.pairs()
        )


@functools.cache
def recorded(name: str) -> tuple[Message, ...]:
    """The messages of ``ami-<name>.raw`` (parsed once)."""
    for folder in ("recordings", "recordings-2"):
        path = FIXTURES / folder / f"ami-{name}.raw"
        if path.exists():
            return tuple(parse_messages(path.read_bytes().partition(b"\r\n")[2]))
    raise FileNotFoundError(name)


def _call(message: Message) -> str | None:
    d = dict(message)
    return d.get("Linkedid") or d.get("DestLinkedid") or d.get("SpyeeLinkedid")


def orders(messages: Sequence[Message], x: Msg, y: Msg, same_call: bool = True) -> set[str]:
    """The orders in which ``messages`` show x and y: "xy" when some x is followed by a y of
    the same call (same Linkedid when both carry one) with no x of that call in between, "yx"
    the other way round."""
    out: set[str] = set()
    xs = [i for i, m in enumerate(messages) if x.matches(m)]
    ys = [j for j, m in enumerate(messages) if y.matches(m)]
    for i in xs:
        call = _call(messages[i])

        def same(k: int, call: str | None = call) -> bool:
            other = _call(messages[k])
            return not same_call or call is None or other is None or other == call

        for j in (j for j in ys if same(j)):
            lo, hi = min(i, j), max(i, j)
            if not any(lo < k < hi and same(k) for k in xs):
                out.add("xy" if i < j else "yx")
    return out


def unproven(race: Race) -> list[str]:
    """What the cited recordings do not show (empty: the entry holds)."""
    problems: list[str] = []
    if not race.one_first or not race.other_first:
        problems.append(f"{race.what}: cites no recording for one of the two orders")
    for name, want in [
        *((n, "xy") for n in race.one_first),
        *((n, "yx") for n in race.other_first),
    ]:
        messages = recorded(name)
        for x, y in race.pairs():
            if want not in orders(messages, x, y, race.same_call):
                first, then = (x, y) if want == "xy" else (y, x)
                problems.append(
                    f"{race.what}: ami-{name}.raw does not show [{first}] before [{then}]"
                )
    return problems


def label(message: Message) -> str:
    """Name, header keys and the identifying values: what makes two messages the same one."""
    d = dict(message)
    if "ActionID" in d:  # a list item or a response: its place, not its values, is compared
        return f"{name_of(message)} {' '.join(k for k, _ in message[1:])}"
    shown = ("Channel", "DestChannel", "Variable", "Application", "DialStatus", "ChannelStateDesc")
    values = " ".join(f"{k}={_plain(d[k])}" for k in shown if k in d)
    return f"{name_of(message)} {' '.join(k for k, _ in message[1:])} | {values}"


def _same_call(a: Message, b: Message) -> bool:
    call_a, call_b = _call(a), _call(b)
    return call_a is None or call_b is None or call_a == call_b


def reorder_like(
    expected: Sequence[Message], got: Sequence[Message], races: Sequence[Race]
) -> list[Message] | None:
    """``got`` put in the order of ``expected`` when the two differ only by tabled races (each
    message of ``got`` may pass only recorded messages it races with, of the same call when
    the race is about one call: judged on the recorded side, where ids are comparable); None
    otherwise."""
    pending = list(expected)
    placed: list[tuple[int, Message]] = []
    index = {id(m): i for i, m in enumerate(expected)}
    for m in got:
        want = label(m)
        k = next((k for k, r in enumerate(pending) if label(r) == want), None)
        if k is None:
            return None
        target = pending[k]  # the recorded message m stands for
        for passed in pending[:k]:
            if not any(
                race.allows(m, passed) and (not race.same_call or _same_call(target, passed))
                for race in races
            ):
                return None
        placed.append((index[id(target)], m))
        del pending[k]
    if pending:
        return None
    return [m for _, m in sorted(placed, key=lambda p: p[0])]
