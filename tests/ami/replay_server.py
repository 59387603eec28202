"""A real TCP server that plays recorded AMI conversations back to a client.

Each accepted connection plays the next :class:`Conversation`: the recorded banner, then the
recorded bytes, message by message and unchanged, paced by the client: a recorded answer is
written when the client sends the matching action (the k-th action of a name matches the
k-th recorded action of that name; if the client's ActionID differs, only the ``ActionID``
line is rewritten). Events between answers flow as soon as the answer before them is out.
When the recording is exhausted the connection is closed if ``close_when_done``
(login failure, restart) or kept open.

Actions the recording does not contain are answered from a :class:`Catalogue` of answers cut
verbatim from other recordings (ActionID rewritten), or with Asterisk's "Invalid/unknown
command" error. ``push`` writes extra bytes (a malformed message, an event) to the latest
connection.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field

from callcenter.ami.wire import AmiMessage
from tests.ami.recordings import Recording

BANNER = b"Asterisk Call Manager/11.0.0\r\n"

Action = dict[str, str]


def _rewrite(raw: bytes, recorded_id: str, client_id: str) -> bytes:
    if recorded_id == client_id:
        return raw
    return raw.replace(
        f"ActionID: {recorded_id}\r\n".encode(), f"ActionID: {client_id}\r\n".encode()
    )


def _answer(recording: Recording, recorded_id: str, with_events: bool) -> list[AmiMessage]:
    out: list[AmiMessage] = []
    for m in recording.messages:
        if m.action_id == recorded_id or (out and with_events and m.action_id is None):
            out.append(m)
        elif out and m.action_id is not None:
            break
    return out


@dataclass
class Catalogue:
    """Recorded answers for actions: ``(matches(action), recording, recorded ActionID)``."""

    entries: list[tuple[Callable[[Action], bool], Recording, str, bool]] = field(
        default_factory=list
    )
    silent: set[str] = field(default_factory=set)  # action names never answered (dead peer)

    def add(
        self, recording: Recording, recorded_id: str, *, with_events: bool = False, **match: str
    ) -> Catalogue:
        """``with_events``: also the events recorded right after the answer (FullyBooted)."""
        name = recording.sent[recorded_id]["Action"].lower()

        def matches(action: Action) -> bool:
            return action.get("Action", "").lower() == name and all(
                action.get(k) == v for k, v in match.items()
            )

        self.entries.append((matches, recording, recorded_id, with_events))
        return self

    def answer(self, action: Action) -> bytes | None:
        client_id = action.get("ActionID", "")
        if action.get("Action", "").lower() in self.silent:
            return None
        for matches, recording, recorded_id, with_events in self.entries:
            if matches(action):
                return b"".join(
                    _rewrite(m.raw, recorded_id, client_id)
                    for m in _answer(recording, recorded_id, with_events)
                )
        return (
            f"Response: Error\r\nActionID: {client_id}\r\nMessage: Invalid/unknown command\r\n\r\n"
        ).encode()


@dataclass
class Conversation:
    recording: Recording | None = None
    close_when_done: bool = False


class _Player:
    """Plays one recording on one connection."""

    def __init__(self, recording: Recording) -> None:
        self.rec = recording
        self.pos = 0
        self.mapped: dict[str, str] = {}  # recorded ActionID -> client ActionID
        self.unused = list(recording.sent)  # recorded ActionIDs, in sent order

    def take(self, action: Action) -> str | None:
        name = action.get("Action", "").lower()
        for recorded_id in self.unused:
            if self.rec.sent[recorded_id].get("Action", "").lower() == name:
                self.unused.remove(recorded_id)
                self.mapped[recorded_id] = action.get("ActionID", "")
                return recorded_id
        return None

    def flush(self) -> bytes:
        """Everything up to the next answer to an action the client has not sent yet."""
        out = []
        messages = self.rec.messages
        while self.pos < len(messages):
            m = messages[self.pos]
            aid = m.action_id
            if aid in self.rec.sent and aid not in self.mapped:
                break
            out.append(_rewrite(m.raw, aid, self.mapped[aid]) if aid in self.mapped else m.raw)
            self.pos += 1
        return b"".join(out)

    @property
    def done(self) -> bool:
        return self.pos >= len(self.rec.messages)


class ReplayAmiServer:
    def __init__(self, conversations: list[Conversation], catalogue: Catalogue | None = None):
        self.conversations = conversations
        self.catalogue = catalogue or Catalogue()
        self.received: list[list[Action]] = []
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []
        self._handlers: set[asyncio.Task[None]] = set()
        self._arrived = asyncio.Condition()

    async def wait_for_action(self, name: str) -> Action:
        """Wait until the latest connection has received an action called ``name``."""

        def seen() -> Action | None:
            return next((a for a in self.received[-1] if a.get("Action") == name), None)

        async with asyncio.timeout(10), self._arrived:
            await self._arrived.wait_for(lambda: bool(self.received) and seen() is not None)
        action = seen()
        assert action is not None
        return action

    async def __aenter__(self) -> ReplayAmiServer:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for writer in self._writers:
            writer.close()
        for task in list(self._handlers):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, ConnectionError):
                await task
        await self._server.wait_closed()

    async def push(self, data: bytes) -> None:
        writer = self._writers[-1]
        writer.write(data)
        await writer.drain()

    def close_current(self) -> None:
        self._writers[-1].close()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:  # asyncio.start_server owns it; tracked for a clean shutdown
            self._handlers.add(task)
            task.add_done_callback(self._handlers.discard)
        await _serve(self, reader, writer)

    def _conversation(self, index: int) -> Conversation:
        if index < len(self.conversations):
            return self.conversations[index]
        return Conversation()


async def _serve(server: ReplayAmiServer, reader: asyncio.StreamReader,
                 writer: asyncio.StreamWriter) -> None:  # fmt: skip
    index = len(server.received)
    server.received.append([])
    server._writers.append(writer)
    conversation = server._conversation(index)
    player = _Player(conversation.recording) if conversation.recording else None
    if player is not None:
        banner = player.rec.data[: player.rec.data.find(b"\r\n") + 2]
        writer.write(banner + player.flush())
    else:
        writer.write(BANNER)
    await writer.drain()
    try:
        while True:
            block = await reader.readuntil(b"\r\n\r\n")
            action: Action = {}
            for line in block.decode().split("\r\n"):
                key, sep, value = line.partition(": ")
                if sep:
                    action.setdefault(key, value)
            server.received[index].append(action)
            async with server._arrived:
                server._arrived.notify_all()
            recorded_id = player.take(action) if player is not None else None
            if player is not None and recorded_id is not None:
                writer.write(player.flush())
                await writer.drain()
                if player.done and conversation.close_when_done:
                    break
            else:
                answer = server.catalogue.answer(action)
                if answer:
                    writer.write(answer)
                    await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()
