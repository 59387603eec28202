"""AMI wire format: ``Key: Value`` lines ended by CRLF, a blank line ends a message.

A message is an ordered list of (key, value) pairs: Asterisk's header order is part of the
contract (the recordings keep it), so it is never a dict on the way out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

BANNER = b"Asterisk Call Manager/11.0.0\r\n"

Headers = list[tuple[str, str]]


def encode(headers: Sequence[tuple[str, str]]) -> bytes:
    """One AMI message, CRLF line ends and the blank line that ends it."""
    return "".join(f"{k}: {v}\r\n" for k, v in headers).encode("utf-8") + b"\r\n"


class Action:
    """An action a client sent. Header names are matched case-insensitively, as Asterisk does;
    repeated headers (``Variable:``) are kept in order."""

    def __init__(self, headers: Iterable[tuple[str, str]]) -> None:
        self.headers: list[tuple[str, str]] = list(headers)

    @property
    def name(self) -> str:
        return self.get("Action")

    @property
    def action_id(self) -> str | None:
        value = self.get("ActionID", None)
        return value

    def get(self, key: str, default: str | None = "") -> str:
        lowered = key.lower()
        for k, v in self.headers:
            if k.lower() == lowered:
                return v
        return default  # type: ignore[return-value]

    def get_all(self, key: str) -> list[str]:
        lowered = key.lower()
        return [v for k, v in self.headers if k.lower() == lowered]

    def __repr__(self) -> str:
        shown = [(k, "***" if k.lower() == "secret" else v) for k, v in self.headers]
        return f"Action({shown!r})"


def parse_action(block: bytes) -> Action:
    """Parse one message (without its blank line). Lines without ``:`` are ignored, as Asterisk
    ignores them."""
    headers: list[tuple[str, str]] = []
    for raw in block.decode("utf-8", errors="replace").split("\n"):
        line = raw.rstrip("\r")
        key, sep, value = line.partition(":")
        if not sep or not key.strip():
            continue
        headers.append((key.strip(), value.strip()))
    return Action(headers)


class ActionTooLong(ValueError):
    """More than ``ActionReader.limit`` bytes without the blank line that ends an action."""


class ActionReader:
    """Splits a byte stream into actions (a blank line ends each; LF or CRLF)."""

    limit = 1 << 20

    def __init__(self) -> None:
        self._buffer = b""

    def feed(self, data: bytes) -> list[Action]:
        self._buffer += data.replace(b"\r\n", b"\n")
        if len(self._buffer) > self.limit and b"\n\n" not in self._buffer:
            raise ActionTooLong(f"no end of action after {len(self._buffer)} bytes")
        actions: list[Action] = []
        while True:
            end = self._buffer.find(b"\n\n")
            if end < 0:
                break
            block, self._buffer = self._buffer[:end], self._buffer[end + 2 :]
            if block.strip():
                actions.append(parse_action(block))
        return actions


def response(action: Action, status: str, *more: tuple[str, str]) -> Headers:
    """``Response: <status>`` + ``ActionID`` (only when the action had one) + more headers."""
    headers: Headers = [("Response", status)]
    if action.action_id is not None:
        headers.append(("ActionID", action.action_id))
    headers.extend(more)
    return headers


def error(action: Action, message: str) -> Headers:
    return response(action, "Error", ("Message", message))


def list_item(event: str, action: Action, *fields: tuple[str, str]) -> Headers:
    """A list item as Asterisk's ``*List`` actions send it: Event, ActionID, fields."""
    headers: Headers = [("Event", event)]
    if action.action_id is not None:
        headers.append(("ActionID", action.action_id))
    headers.extend(fields)
    return headers


def list_start(action: Action, message: str) -> Headers:
    return response(action, "Success", ("EventList", "start"), ("Message", message))


def list_complete(event: str, action: Action, count: int) -> Headers:
    return list_item(event, action, ("EventList", "Complete"), ("ListItems", str(count)))
