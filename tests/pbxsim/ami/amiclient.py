"""A raw AMI client for tests: sends bytes, reads whole messages as ordered header lists."""

from __future__ import annotations

import asyncio
import contextlib

Message = list[tuple[str, str]]


def parse_messages(data: bytes) -> list[Message]:
    """Split AMI bytes (after the banner) into messages of (key, value) pairs, order kept."""
    text = data.decode("utf-8", errors="replace")
    out: list[Message] = []
    for block in text.split("\r\n\r\n"):
        if not block.strip():
            continue
        headers: Message = []
        for line in block.split("\r\n"):
            key, sep, value = line.partition(": ")
            if not sep:
                key, value = line.rstrip(":"), ""
            headers.append((key, value))
        out.append(headers)
    return out


def name_of(message: Message) -> str:
    """``Event:Newchannel`` / ``Response:Success``."""
    return f"{message[0][0]}:{message[0][1]}"


class AmiClient:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.raw = b""
        self.banner = b""
        self._pending = b""

    @classmethod
    async def connect(cls, port: int) -> AmiClient:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        client = cls(reader, writer)
        client.banner = await reader.readline()
        return client

    def send(self, headers: Message) -> None:
        data = "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
        self.writer.write(data.encode())

    async def read_message(self, wait: float = 5.0) -> Message:
        while b"\r\n\r\n" not in self._pending:
            chunk = await asyncio.wait_for(self.reader.read(65536), wait)
            if not chunk:
                raise ConnectionError("AMI connection closed")
            self.raw += chunk
            self._pending += chunk
        block, self._pending = self._pending.split(b"\r\n\r\n", 1)
        return parse_messages(block + b"\r\n\r\n")[0]

    async def read_until(self, predicate: object, wait: float = 10.0) -> list[Message]:
        """Messages up to and including the first for which ``predicate(message)`` is true."""
        assert callable(predicate)
        got: list[Message] = []
        loop = asyncio.get_running_loop()
        end = loop.time() + wait
        while True:
            message = await self.read_message(max(0.01, end - loop.time()))
            got.append(message)
            if predicate(message):
                return got

    async def login(self, secret: str = "lab") -> list[Message]:
        self.send(
            [
                ("Action", "Login"),
                ("ActionID", "login-1"),
                ("Username", "lab"),
                ("Secret", secret),
                ("Events", "on"),
            ]
        )
        return [await self.read_message(), await self.read_message()]

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(ConnectionError):
            await self.writer.wait_closed()
