"""``CallRecorder``: the call flow's one entry point for call records.

``record(fact)`` pseudonymises the caller, appends the fact to the durable outbox and returns
(no database round trip on the call path). A background task drains the outbox into the
database in batches, retrying with exponential back-off while the database is unreachable.
A record is therefore never lost because the database was away (the outbox is on local disk)
and never written twice (facts are applied idempotently and acknowledged after the commit).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, StatementError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from callcenter.calls.facts import Fact, fact_from_json, fact_to_json
from callcenter.calls.options import StatsOptions
from callcenter.calls.repository import CallRepository
from callcenter.db.base import utcnow
from callcenter.db.outbox import Entry, Outbox
from callcenter.privacy.crypto import Crypto

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RecorderHealth:
    """For /health: is the database taking records, and how many wait in the outbox."""

    database_ok: bool
    backlog: int  # facts waiting in the outbox
    unjournaled: int  # facts held in memory because the outbox file could not be written
    dead_letters: int
    last_error: str | None
    last_written_at: datetime | None


class CallRecorder:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        outbox: Outbox,
        crypto: Crypto,
        *,
        batch_size: int = 200,
        retry_initial_s: float = 0.2,
        retry_max_s: float = 15.0,
        stats_options: StatsOptions | None = None,
        batch_timeout_s: float = 30.0,
        linger_s: float = 0.0,
    ) -> None:
        self._sessions = sessions
        self._outbox = outbox
        self._repo = CallRepository(crypto, stats_options)
        self._batch_size = batch_size
        self._retry_initial = retry_initial_s
        self._retry_max = retry_max_s
        self._batch_timeout = batch_timeout_s  # a hung connection must not stall the drainer
        # wait this long for more facts before writing a batch smaller than batch_size: one
        # transaction (and one rollup recomputation) for many calls instead of one per event
        self._linger = linger_s
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._database_ok = True
        self._last_error: str | None = None
        self._last_written_at: datetime | None = None
        self._unjournaled: list[str] = []
        self._pending: list[str] = []
        self._journal_soon: asyncio.Handle | None = None

    # -- the call flow's side ---------------------------------------------------------------
    def record(self, fact: Fact) -> None:
        """Journal ``fact`` durably (local disk) and let the drainer write it to the database.

        Facts recorded in the same turn of the event loop are journaled together right after
        it (group commit: one local transaction instead of one per fact). Never raises for a
        journal failure (disk full, file gone): the fact is then held in memory and journaled
        again by the drainer; ``health.unjournaled`` counts such facts.
        """
        self._pending.append(fact_to_json(self._repo.pseudonymise(fact)))
        if self._journal_soon is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:  # no event loop: journal at once
                self._journal_pending()
                return
            self._journal_soon = loop.call_soon(self._journal_pending)

    def record_many(self, facts: Iterable[Fact]) -> None:
        """Journal ``facts`` at once (before returning)."""
        self._pending.extend(fact_to_json(self._repo.pseudonymise(f)) for f in facts)
        self._journal_pending()

    def _journal_pending(self) -> None:
        if self._journal_soon is not None:
            self._journal_soon.cancel()
            self._journal_soon = None
        payloads, self._pending = self._pending, []
        if not payloads:
            return
        if self._unjournaled:  # keep the order: older facts first
            self._unjournaled.extend(payloads)
        else:
            try:
                self._outbox.append_many(payloads)
            except sqlite3.Error as exc:
                log.error("call records: cannot write the outbox (%s); holding in memory", exc)
                self._unjournaled.extend(payloads)
        self._idle.clear()
        self._wake.set()

    def _journal_held(self) -> None:
        if self._unjournaled:
            self._outbox.append_many(list(self._unjournaled))
            self._unjournaled.clear()

    @property
    def health(self) -> RecorderHealth:
        return RecorderHealth(
            database_ok=self._database_ok,
            backlog=self._outbox.backlog + len(self._pending),
            unjournaled=len(self._unjournaled),
            dead_letters=self._outbox.dead_letters,
            last_error=self._last_error,
            last_written_at=self._last_written_at,
        )

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> None:
        if self._task is None or self._task.done():
            self._wake.set()
            self._task = asyncio.create_task(self._run(), name="call-recorder-drain")

    async def stop(self, *, drain_timeout_s: float = 5.0) -> None:
        """Try to write what is pending, then stop; what is left stays in the outbox."""
        self._journal_pending()
        with contextlib.suppress(TimeoutError):
            await self.flush(timeout_s=drain_timeout_s)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def flush(self, *, timeout_s: float | None = None) -> None:
        """Wait until the outbox is empty (raises TimeoutError after ``timeout_s``)."""
        self._journal_pending()
        async with asyncio.timeout(timeout_s):
            while self._outbox.backlog or self._unjournaled:
                self._wake.set()
                self._idle.clear()
                await self._idle.wait()

    # -- the drainer ------------------------------------------------------------------------
    async def _run(self) -> None:
        delay = self._retry_initial
        while True:
            try:
                self._journal_held()
            except sqlite3.Error as exc:
                self._last_error = f"outbox: {exc}"
                self._idle.set()
                await asyncio.sleep(self._retry_max)
                continue
            if not self._outbox.backlog:
                self._idle.set()
                self._wake.clear()
                await self._wake.wait()
                continue
            if self._linger and self._outbox.backlog < self._batch_size:
                await asyncio.sleep(self._linger)
            try:
                await self.drain_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database is unreachable (or busy): retry later
                self._database_ok = False
                self._last_error = f"{type(exc).__name__}: {exc}"[:500]
                log.warning(
                    "call records: database unavailable (%s), %s waiting",
                    self._last_error,
                    self._outbox.backlog,
                )
                self._idle.set()  # let flush() callers re-check
                await asyncio.sleep(delay * random.uniform(0.5, 1.0))
                delay = min(delay * 2, self._retry_max)
            else:
                delay = self._retry_initial

    async def drain_once(self) -> int:
        """Write one batch of the outbox to the database; returns how many entries it took.

        Raises when the database is unreachable (the entries stay in the outbox).
        """
        entries = self._outbox.peek(self._batch_size)
        if not entries:
            return 0
        try:
            await self._apply(entries)
        except Exception as exc:
            if not is_poison(exc):
                raise
            for entry in entries:  # find the bad entry; the good ones still get written
                try:
                    await self._apply([entry])
                except Exception as one_exc:
                    if not is_poison(one_exc):
                        raise
                    log.error("call records: entry %s refused; dead-lettered", entry.seq)
                    self._outbox.dead_letter(entry, f"{type(one_exc).__name__}: {one_exc}")
        self._database_ok = True
        self._last_error = None
        self._last_written_at = utcnow()
        return len(entries)

    async def _apply(self, entries: list[Entry]) -> None:
        facts = [fact_from_json(entry.payload) for entry in entries]
        async with asyncio.timeout(self._batch_timeout), self._sessions.begin() as session:
            await self._repo.apply_many(session, facts)
        self._outbox.ack(entries[-1].seq)


def is_poison(exc: BaseException) -> bool:
    """True when the database refused the data itself (retrying would never help)."""
    if isinstance(exc, StatementError) and not isinstance(exc, DBAPIError):
        exc = exc.orig or exc  # an error while binding a parameter (e.g. a naive datetime)
    if isinstance(exc, IntegrityError | DataError | ValidationError):
        return True
    return isinstance(exc, ValueError | TypeError) and not isinstance(exc, DBAPIError)
