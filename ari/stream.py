"""The ARI event WebSocket: connect, read, reconnect with back-off, re-register the app.

Usage::

    async with client.event_stream(on_reconnect=reconcile) as events:
        async for item in events:          # AriEvent | StreamConnected | StreamDisconnected
            ...                            # | StreamStopped

``on_connect`` (every connection, the first included) and ``on_reconnect`` (every connection
after the first) are awaited after the socket is open and before any event of that connection is
delivered (frames arriving meanwhile are buffered, never lost); the same function passed as both
runs once per connection. Unknown event
types arrive as :class:`ari.events.UnknownEvent`; frames that are not JSON are logged, counted in
``stats.malformed`` and skipped. After ``ApplicationReplaced`` the stream stops instead of taking
the app back (two clients would otherwise replace each other forever).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus, WebSocketException

from ari.backoff import Backoff
from ari.config import AriConfig
from ari.dedup import Deduplicator
from ari.errors import AriError
from ari.events import ApplicationReplaced, AriEvent
from ari.lifecycle import StreamConnected, StreamDisconnected, StreamEvent, StreamStopped
from ari.parsing import MalformedFrameError, is_any_of, is_fallback, parse_event
from ari.resources import Applications
from ari.stale import remove_stale_subscriptions

log = logging.getLogger(__name__)

StreamItem = AriEvent | StreamEvent
STABLE_AFTER = 5.0
"""Seconds a connection must have lasted for the back-off to start again from its minimum."""
#: Types the stream itself acts on, parsed whatever ``config.event_types`` says.
ALWAYS_PARSED = frozenset({"ApplicationReplaced"})
ConnectHook = Callable[[StreamConnected], Awaitable[None]]


@dataclass
class StreamStats:
    """Counters of one event stream (for health pages and tests)."""

    frames: int = 0
    events: int = 0
    malformed: int = 0
    fallback: int = 0
    duplicates_dropped: int = 0
    skipped: int = 0  # frames of a type not in config.event_types, dropped unparsed
    connections: int = 0
    failed_attempts: int = 0
    hook_errors: int = 0
    stale_repairs: int = 0
    unknown_types: Counter[str] = field(default_factory=Counter)
    last_error: str | None = None
    last_delay_s: float | None = None
    connected: bool = False


class _End:
    pass


_END = _End()


class EventStream:
    """One ARI WebSocket with automatic reconnection; an async iterator of stream items."""

    def __init__(
        self,
        config: AriConfig,
        *,
        applications: Applications | None = None,
        on_connect: ConnectHook | None = None,
        on_reconnect: ConnectHook | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.config = config
        self.stats = StreamStats()
        self._applications = applications
        self._on_connect = on_connect
        self._on_reconnect = on_reconnect
        self._backoff = Backoff(
            config.backoff_initial,
            config.backoff_max,
            config.backoff_factor,
            config.backoff_jitter,
            rng or random.Random(),
        )
        self._queue: asyncio.Queue[StreamItem | _End] = asyncio.Queue(config.queue_size)
        self._dedup = Deduplicator(config.dedupe_window) if config.dedupe_window else None
        self._wanted = None if config.event_types is None else config.event_types | ALWAYS_PARSED
        self._stop = asyncio.Event()
        self._connected = asyncio.Event()
        self._ws: ClientConnection | None = None
        self._task: asyncio.Task[None] | None = None
        self._error: BaseException | None = None
        self._ended = False

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        """Start the background reader task (idempotent)."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"ari-events-{self.config.node}")

    async def aclose(self) -> None:
        """Close the WebSocket (close frame 1000), stop reconnecting, end the iteration."""
        self._stop.set()
        ws = self._ws
        if ws is not None:
            await ws.close()
        task = self._task
        if task is not None and not task.done():
            done, _ = await asyncio.wait({task}, timeout=2.0)
            if not done:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        if not self._ended:
            self._force_end()

    async def __aenter__(self) -> Self:
        self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def wait_connected(self) -> None:
        """Wait until a WebSocket is open (use with ``asyncio.timeout``)."""
        await self._connected.wait()

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    # -- iteration ---------------------------------------------------------------------------
    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> StreamItem:
        self.start()
        item = await self._queue.get()
        if isinstance(item, _End):
            self._queue.put_nowait(item)  # later calls end too
            if self._error is not None:
                raise AriError(f"ARI event stream {self.config.node} failed") from self._error
            raise StopAsyncIteration
        return item

    # -- internals -----------------------------------------------------------------------------
    def _force_end(self) -> None:
        self._ended = True
        while True:
            try:
                self._queue.put_nowait(_END)
                return
            except asyncio.QueueFull:
                self._queue.get_nowait()  # the owner closed the stream: drop the oldest item

    async def _run(self) -> None:
        reason: str = "closed"
        try:
            reason = await self._loop()
        except Exception as exc:  # a bug, not a network problem: surface it to the consumer
            log.exception("ARI event stream %s crashed", self.config.node)
            self._error = exc
        finally:
            self._connected.clear()
            self.stats.connected = False
        if self._error is None:
            await self._queue.put(
                StreamStopped(
                    node=self.config.node,
                    application=self.config.app,
                    reason="closed" if reason == "closed" else "application_replaced",
                )
            )
        self._ended = True
        await self._queue.put(_END)

    async def _loop(self) -> str:
        failed = 0
        down_since: float | None = None
        repaired = False
        while not self._stop.is_set():
            ws = await self._open()
            if ws is None:
                failed += 1
                if down_since is None:
                    down_since = time.monotonic()
                await self._pause(self._backoff.next_delay())
                continue
            if self._stop.is_set():
                await ws.close()
                break
            if await self._repair_stale_app(ws, may_repair=not repaired):
                repaired = True
                continue
            repaired = False
            connected_at = time.monotonic()
            self.stats.connections += 1
            connected = StreamConnected(
                node=self.config.node,
                application=self.config.app,
                connection=self.stats.connections,
                reconnect=self.stats.connections > 1,
                failed_attempts=failed,
                downtime_s=None if down_since is None else time.monotonic() - down_since,
            )
            failed, down_since = 0, None
            self._ws = ws
            self._connected.set()
            self.stats.connected = True
            await self._queue.put(connected)
            await self._call_hooks(connected)
            replaced = await self._read(ws)
            self._ws = None
            self._connected.clear()
            self.stats.connected = False
            down_since = time.monotonic()
            if down_since - connected_at >= STABLE_AFTER:
                self._backoff.reset()  # a flapping server keeps the back-off growing
            await self._queue.put(
                StreamDisconnected(
                    node=self.config.node,
                    application=self.config.app,
                    connection=connected.connection,
                    reason="application replaced" if replaced else self._close_reason(ws),
                    close_code=ws.close_code,
                )
            )
            if replaced:
                return "application_replaced"
            if not self._stop.is_set():
                await self._pause(self._backoff.next_delay())
        return "closed"

    async def _open(self) -> ClientConnection | None:
        headers = {}
        if self.config.ws_auth == "basic":
            headers["Authorization"] = self.config.basic_auth_header()
        try:
            return await connect(
                self.config.events_url(),
                additional_headers=headers,
                open_timeout=self.config.open_timeout,
                ping_interval=self.config.ping_interval,
                ping_timeout=self.config.ping_timeout,
                close_timeout=2.0,
                max_queue=1024,
                compression=None,
                proxy=None,
            )
        except InvalidStatus as exc:
            body = exc.response.body.decode("utf-8", "replace")[:200] if exc.response.body else ""
            self._note_failure(f"HTTP {exc.response.status_code} {body}".strip())
        except (OSError, TimeoutError, WebSocketException) as exc:
            self._note_failure(f"{type(exc).__name__}: {exc}")
        return None

    def _note_failure(self, error: str) -> None:
        self.stats.failed_attempts += 1
        self.stats.last_error = error
        log.warning(
            "ARI %s: cannot open %s: %s", self.config.node, self.config.redacted_events_url(), error
        )

    async def _pause(self, delay: float) -> None:
        self.stats.last_delay_s = delay
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), timeout=delay)

    async def _call_hooks(self, connected: StreamConnected) -> None:
        hooks = [self._on_connect]
        if connected.reconnect and self._on_reconnect is not self._on_connect:
            hooks.append(self._on_reconnect)
        for hook in hooks:
            if hook is None:
                continue
            try:
                await hook(connected)
            except Exception:
                self.stats.hook_errors += 1
                log.exception("ARI %s: connect hook failed", self.config.node)

    async def _read(self, ws: ClientConnection) -> bool:
        """Deliver the frames of one connection; True if the app was replaced."""
        try:
            async for frame in ws:
                item = self._decode(frame)
                if item is None:
                    continue
                await self._queue.put(item)
                if isinstance(item, ApplicationReplaced):
                    log.error(
                        "ARI %s: application %s was taken over by another client; not reconnecting",
                        self.config.node,
                        self.config.app,
                    )
                    await ws.close()
                    return True
        except ConnectionClosed:
            pass
        return False

    def _decode(self, frame: str | bytes) -> AriEvent | None:
        self.stats.frames += 1
        if self._dedup is not None and self._dedup.seen(
            frame if isinstance(frame, str) else frame.decode("utf-8", "replace")
        ):
            self.stats.duplicates_dropped += 1
            return None
        if self._wanted is not None:
            text = frame if isinstance(frame, str) else frame.decode("utf-8", "replace")
            if not is_any_of(text, self._wanted):
                self.stats.skipped += 1
                return None
        try:
            event = parse_event(frame)
        except MalformedFrameError as exc:
            self.stats.malformed += 1
            log.warning(
                "ARI %s: malformed frame skipped (%s): %.200r", self.config.node, exc, frame
            )
            return None
        self.stats.events += 1
        if is_fallback(event):
            self.stats.fallback += 1
            self.stats.unknown_types[event.type] += 1
        return event

    @staticmethod
    def _close_reason(ws: ClientConnection) -> str:
        if ws.close_code is None or ws.close_code == 1006:
            return "connection lost without a close frame"
        return f"closed by peer: {ws.close_code} {ws.close_reason or ''}".strip()

    async def _repair_stale_app(self, ws: ClientConnection, *, may_repair: bool) -> bool:
        """Returns True if leftover subscriptions were removed and ``ws`` closed to reconnect."""
        if not (
            self.config.subscribe_all
            and self.config.repair_stale_subscriptions
            and self._applications is not None
        ):
            return False
        if not await remove_stale_subscriptions(
            self._applications, self.config, may_repair=may_repair
        ):
            return False
        self.stats.stale_repairs += 1
        await ws.close()
        return True
