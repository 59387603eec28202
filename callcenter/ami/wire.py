"""AMI framing: bytes from the socket in, whole messages (or clear errors) out.

Asterisk sends a banner line (``Asterisk Call Manager/11.0.0``) and then messages made of
``Key: Value`` lines ended by CRLF, each message ended by an empty line (CRLF CRLF).

This framer replaces panoramisk 1.4's own splitting, which decodes every TCP chunk on its own
with ``errors='ignore'`` (a Vietnamese caller name split across two reads loses letters) and
strips the last ``Key: `` line of a message when its value is empty (``UserField: `` of a Cdr).
Here bytes are buffered until a message is complete, and only then decoded, so nothing is lost.
Anything that is not a valid message becomes a :class:`MalformedMessage` with the reason; it is
never raised, so one bad message cannot stop the stream.
"""

from __future__ import annotations

from dataclasses import dataclass, field

BANNER_PREFIX = b"Asterisk Call Manager/"
MESSAGE_END = b"\r\n\r\n"
#: A single message larger than this is certainly broken (the biggest real ones are a few kB).
MAX_MESSAGE_BYTES = 1 << 20


@dataclass(frozen=True)
class AmiMessage:
    """One complete AMI message: ordered header pairs, keys as Asterisk spelled them."""

    headers: tuple[tuple[str, str], ...]
    raw: bytes
    #: Lines without ``:`` (only legal in the body of ``Response: Follows``).
    body: tuple[str, ...] = ()

    def get(self, key: str, default: str | None = None) -> str | None:
        """The first value of ``key`` (case-insensitive), or ``default``."""
        wanted = key.lower()
        for k, v in self.headers:
            if k.lower() == wanted:
                return v
        return default

    def get_all(self, key: str) -> list[str]:
        wanted = key.lower()
        return [v for k, v in self.headers if k.lower() == wanted]

    @property
    def event(self) -> str | None:
        return self.get("Event")

    @property
    def response(self) -> str | None:
        return self.get("Response")

    @property
    def action_id(self) -> str | None:
        return self.get("ActionID")

    def as_dict(self) -> dict[str, str | list[str]]:
        """Headers as a dict; a key that occurs several times maps to the list of its values."""
        out: dict[str, str | list[str]] = {}
        for k, v in self.headers:
            if k in out:
                prev = out[k]
                out[k] = [*prev, v] if isinstance(prev, list) else [prev, v]
            else:
                out[k] = v
        return out


@dataclass(frozen=True)
class MalformedMessage:
    """Bytes that could not be read as an AMI message, with the reason (kept, never dropped)."""

    reason: str
    raw: bytes


@dataclass
class AmiFramer:
    """Incremental framer: :meth:`feed` any chunking of the stream, get whole messages back."""

    expect_banner: bool = True
    banner: str | None = None
    _buffer: bytearray = field(default_factory=bytearray)

    def feed(self, data: bytes) -> list[AmiMessage | MalformedMessage]:
        self._buffer += data
        out: list[AmiMessage | MalformedMessage] = []
        if self.expect_banner and self.banner is None and not self._take_banner():
            return out
        while True:
            end = self._buffer.find(MESSAGE_END)
            if end < 0:
                if len(self._buffer) > MAX_MESSAGE_BYTES:
                    out.append(
                        MalformedMessage(
                            f"no message end after {len(self._buffer)} bytes", bytes(self._buffer)
                        )
                    )
                    self._buffer.clear()
                return out
            raw = bytes(self._buffer[: end + len(MESSAGE_END)])
            del self._buffer[: end + len(MESSAGE_END)]
            out.append(parse_message(raw))

    @property
    def pending(self) -> bytes:
        """Bytes received but not yet part of a complete message."""
        return bytes(self._buffer)

    def _take_banner(self) -> bool:
        nl = self._buffer.find(b"\r\n")
        if nl < 0:
            return len(self._buffer) < len(BANNER_PREFIX) and BANNER_PREFIX.startswith(
                bytes(self._buffer)
            )
        line = bytes(self._buffer[:nl])
        if line.startswith(BANNER_PREFIX):
            self.banner = line.decode("utf-8", "replace")
            del self._buffer[: nl + 2]
        else:  # no banner: read the stream as messages anyway
            self.banner = ""
        return True


def parse_message(raw: bytes) -> AmiMessage | MalformedMessage:
    """Parse one message (its bytes including the final CRLF CRLF)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return MalformedMessage(f"not UTF-8: {exc}", raw)
    lines = text[: -len(MESSAGE_END)].split("\r\n") if text.endswith("\r\n\r\n") else []
    headers: list[tuple[str, str]] = []
    body: list[str] = []
    for line in lines:
        key, sep, value = line.partition(":")
        if not sep or not key or key != key.strip() or " " in key:
            body.append(line)
            continue
        headers.append((key, value[1:] if value.startswith(" ") else value))
    message = AmiMessage(tuple(headers), raw, tuple(body))
    if not headers:
        return MalformedMessage("empty message", raw)
    first = headers[0][0].lower()
    if first not in ("event", "response"):
        return MalformedMessage(f"starts with {headers[0][0]!r}, not Event or Response", raw)
    if body and message.response != "Follows":
        return MalformedMessage(f"line without ':' in a message: {body[0]!r}", raw)
    return message
