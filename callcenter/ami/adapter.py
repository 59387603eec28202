"""AmiAdapter: one AMI connection to one Asterisk, kept alive, re-read after every connect.

Life of a session: connect -> Login (a rejection is :class:`AmiAuthenticationError`) -> wait
for ``FullyBooted`` -> re-read the state (CoreShowChannels, PJSIPShowContacts,
PJSIPShowEndpoints, DeviceStateList, QueueStatus) -> publish :class:`AmiStateSynchronized`
-> publish the events that arrived meanwhile, then live events -> Ping every
``ping_interval`` -> on loss publish :class:`AmiConnectionLost` and reconnect with backoff.

Handlers are called one at a time, in arrival order, by one task the adapter owns.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from callcenter.ami.actions import AmiActions
from callcenter.ami.config import AmiConfig
from callcenter.ami.convert import AmiConversionError, generic_event, to_event
from callcenter.ami.errors import AmiAuthenticationError, AmiError
from callcenter.ami.events import (
    AmiAuthenticationFailed,
    AmiConnectionLost,
    AsteriskFullyBooted,
)
from callcenter.ami.models import AmiEvent
from callcenter.ami.protocol import AmiProtocol, PanoramiskManager
from callcenter.ami.snapshot import AmiStateSynchronized, AsteriskSnapshot
from callcenter.ami.wire import AmiMessage, MalformedMessage

log = logging.getLogger(__name__)

E = TypeVar("E", bound=AmiEvent)
Handler = Callable[[E], Awaitable[None] | None]
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class AmiStats:
    """Counters for /health and tests."""

    messages: int = 0
    events: int = 0
    malformed: int = 0
    conversion_errors: int = 0
    handler_errors: int = 0
    sessions: int = 0
    connection_failures: int = 0
    stray_answers: int = 0
    last_error: str | None = None
    malformed_samples: list[str] = field(default_factory=list)


class AmiAdapter(AmiActions):
    """Watches one Asterisk through AMI. See the module docstring for the life of a session."""

    def __init__(
        self,
        config: AmiConfig,
        *,
        clock: Clock = utc_now,
        rng: random.Random | None = None,
    ) -> None:
        super().__init__(config, clock)
        self.stats = AmiStats()
        self._rng = rng or random.Random()
        self._handlers: dict[type[AmiEvent], list[Handler[Any]]] = defaultdict(list)
        self._queue: asyncio.Queue[AmiEvent] = asyncio.Queue()
        self._held: list[AmiEvent] | None = None
        self._booted: asyncio.Event | None = None
        self._snapshot: AsteriskSnapshot | None = None
        self._synchronized = asyncio.Event()
        self._failure: AmiAuthenticationError | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._supervisor: asyncio.Task[None] | None = None
        self._closing = False

    # -- subscribing -------------------------------------------------------------------------
    def subscribe(self, event_type: type[E], handler: Handler[E]) -> None:
        """Call ``handler`` for each event of ``event_type`` or a subclass (``AmiEvent``: all)."""
        self._handlers[event_type].append(handler)

    @property
    def snapshot(self) -> AsteriskSnapshot | None:
        """The state read after the latest (re)connect, or None before the first one."""
        return self._snapshot

    @property
    def synchronized(self) -> bool:
        """True while connected and the state after this connect has been read."""
        return self._synchronized.is_set()

    @property
    def failure(self) -> AmiAuthenticationError | None:
        """Set when the login was rejected and the adapter stopped (``stop_on_auth_failure``)."""
        return self._failure

    # -- running -----------------------------------------------------------------------------
    def start(self) -> None:
        """Start connecting (in the background) and delivering events."""
        if self._tasks:
            raise RuntimeError("AmiAdapter already started")
        node = self.config.node
        self._supervisor = asyncio.create_task(self._supervise(), name=f"ami-supervise-{node}")
        deliver = asyncio.create_task(self._deliver(), name=f"ami-deliver-{node}")
        self._tasks.update((self._supervisor, deliver))

    async def wait_synchronized(self, within: float | None = None) -> AsteriskSnapshot:
        """Wait until connected and synchronized; raises the login error if it was rejected."""
        if self._supervisor is None:
            raise RuntimeError("AmiAdapter.start() was not called")
        async with asyncio.timeout(within):
            while not self._synchronized.is_set() and not self._supervisor.done():
                sync = asyncio.ensure_future(self._synchronized.wait())
                try:
                    await asyncio.wait(
                        [sync, self._supervisor], return_when=asyncio.FIRST_COMPLETED
                    )
                finally:
                    sync.cancel()
        if self._failure is not None:
            raise self._failure
        if self._snapshot is None or not self._synchronized.is_set():
            raise RuntimeError(f"AMI adapter for {self.config.node} stopped")
        return self._snapshot

    async def drain(self) -> None:
        """Wait until every event received so far has been handled (for tests and shutdown)."""
        await self._queue.join()

    async def close(self) -> None:
        """Log off, stop reconnecting, stop delivering. Events not yet delivered are dropped."""
        self._closing = True
        protocol = self._protocol
        if protocol is not None and not protocol.closed:
            with contextlib.suppress(AmiError, TimeoutError):
                await self.send_action({"Action": "Logoff"}, within=1.0)
            protocol.close()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()

    async def _supervise(self) -> None:
        failures = 0
        while not self._closing:
            started = False
            try:
                started = await self._session()
            except AmiAuthenticationError as exc:
                self.stats.last_error = str(exc)
                log.error("%s", exc)
                self._publish(
                    AmiAuthenticationFailed(
                        node=self.config.node, received_at=self.clock(), message=exc.message
                    )
                )
                if self.config.stop_on_auth_failure:
                    self._failure = exc
                    return
            except (OSError, AmiError, TimeoutError) as exc:
                self.stats.connection_failures += 1
                self.stats.last_error = f"{type(exc).__name__}: {exc}"
                log.warning("AMI %s: %s", self.config.node, self.stats.last_error)
            finally:
                self._synchronized.clear()
                self._close_protocol()
            failures = 0 if started else failures + 1
            await asyncio.sleep(self._backoff(failures))

    def _backoff(self, failures: int) -> float:
        """Full-jitter exponential backoff; a short pause after a session that worked."""
        cfg = self.config
        ceiling = min(cfg.reconnect_max, cfg.reconnect_min * (2 ** min(failures, 16)))
        return float(cfg.reconnect_min + self._rng.random() * (ceiling - cfg.reconnect_min))

    async def _session(self) -> bool:
        """One connection, from connect to loss. Returns True if it was synchronized."""
        cfg = self.config
        loop = asyncio.get_running_loop()
        self._held = []
        self._booted = asyncio.Event()
        transport, protocol = await asyncio.wait_for(
            loop.create_connection(
                lambda: AmiProtocol(cfg.node, self._on_message, self._on_malformed, self._on_stray),
                cfg.host,
                cfg.port,
                ssl=cfg.ssl,
            ),
            cfg.connect_timeout,
        )
        manager = PanoramiskManager(loop=loop, ping_delay=3600, encoding="utf-8")
        manager.attach(transport, protocol)
        self._protocol = protocol
        self.stats.sessions += 1
        reconnect = self.stats.sessions > 1
        reason = "session ended"
        try:
            await self.login()
            await self._until(self._booted.wait(), protocol, cfg.boot_timeout, "FullyBooted")
            snapshot = await self.read_state()
            self._snapshot = snapshot
            self._publish(
                AmiStateSynchronized(
                    node=cfg.node, received_at=self.clock(), snapshot=snapshot, reconnect=reconnect
                )
            )
            self._release_held()
            self._synchronized.set()
            log.info("AMI %s synchronized (session %d)", cfg.node, self.stats.sessions)
            reason = await self._heartbeat(protocol)
            return True
        except BaseException as exc:
            reason = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            # Events of a session that ended before its state was read still happened
            # (a Shutdown, for one): deliver them, then say the connection is gone.
            self._release_held()
            self._publish(AmiConnectionLost(node=cfg.node, received_at=self.clock(), reason=reason))

    def _release_held(self) -> None:
        held, self._held = self._held, None
        for event in held or ():
            self._publish(event)

    async def _until(
        self, awaitable: Awaitable[Any], protocol: AmiProtocol, seconds: float, what: str
    ) -> None:
        waiter = asyncio.ensure_future(awaitable)
        try:
            done, _ = await asyncio.wait(
                [waiter, protocol.lost], timeout=seconds, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            waiter.cancel()
        if waiter not in done:
            raise AmiError(
                f"no {what} from {self.config.node}: "
                + (protocol.lost.result() if protocol.lost.done() else f"after {seconds:g} s")
            )

    async def _heartbeat(self, protocol: AmiProtocol) -> str:
        cfg = self.config
        while True:
            try:
                return await asyncio.wait_for(asyncio.shield(protocol.lost), cfg.ping_interval)
            except TimeoutError:
                pass
            try:
                await self.ping(within=cfg.ping_timeout)
            except (AmiError, TimeoutError) as exc:
                if protocol.lost.done():
                    return protocol.lost.result()
                protocol.close()
                return f"no answer to Ping ({exc})"

    def _close_protocol(self) -> None:
        if self._protocol is not None and not self._protocol.closed:
            self._protocol.close()

    # -- incoming ----------------------------------------------------------------------------
    def _on_malformed(self, item: MalformedMessage) -> None:
        self.stats.malformed += 1
        if len(self.stats.malformed_samples) < 20:
            self.stats.malformed_samples.append(f"{item.reason}: {item.raw[:200]!r}")
        log.error("AMI %s: malformed message skipped (%s): %r", self.config.node, item.reason,
                  item.raw[:500])  # fmt: skip

    def _on_stray(self, message: AmiMessage) -> None:
        """An event carrying the ActionID of no pending action (the action timed out): kept as
        a generic event, never mistaken for a live one (a late DeviceStateList item is not a
        device state change)."""
        self.stats.messages += 1
        self.stats.stray_answers += 1
        log.warning("AMI %s: %s for an action no longer waited for (%s)", self.config.node,
                    message.event, message.action_id)  # fmt: skip
        event = generic_event(message, self.config.node, self.clock())
        if self._held is not None:
            self._held.append(event)
        else:
            self._publish(event)

    def _on_message(self, message: AmiMessage) -> None:
        self.stats.messages += 1
        now = self.clock()
        try:
            event = to_event(message, self.config.node, now)
        except AmiConversionError as exc:
            self.stats.conversion_errors += 1
            log.error("AMI %s: %s; delivered as a generic event", self.config.node, exc)
            event = generic_event(message, self.config.node, now)
        if isinstance(event, AsteriskFullyBooted) and self._booted is not None:
            self._booted.set()
        if self._held is not None:
            self._held.append(event)
        else:
            self._publish(event)

    def _publish(self, event: AmiEvent) -> None:
        self.stats.events += 1
        self._queue.put_nowait(event)

    async def _deliver(self) -> None:
        while True:
            event = await self._queue.get()
            try:
                for cls in type(event).__mro__:
                    for handler in self._handlers.get(cls, ()):
                        await self._call(handler, event)
            finally:
                self._queue.task_done()

    async def _call(self, handler: Handler[Any], event: AmiEvent) -> None:
        try:
            result = handler(event)
            if result is not None:
                await result
        except Exception:
            self.stats.handler_errors += 1
            log.exception("AMI %s: handler %r failed on %s", self.config.node, handler,
                          type(event).__name__)  # fmt: skip
