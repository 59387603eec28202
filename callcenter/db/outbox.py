"""A durable local outbox: an append-only journal in its own small SQLite file under var/.

Writers ``append`` a JSON payload (committed to the local disk before ``append`` returns, so it
survives a crash of the process); a drainer ``peek``s the oldest entries, writes them to the
main database, and ``ack``s them only after that database commit. A crash between the two
replays the entries, so what the drainer does with an entry must be idempotent.

Entries that the database refuses for a reason other than being unreachable are moved to a
dead-letter table in the same file (kept, counted, never silently dropped).

The file is separate from the main database on purpose: it must be writable exactly when the
main database is not.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Synchronous = Literal["NORMAL", "FULL"]


@dataclass(frozen=True, slots=True)
class Entry:
    seq: int
    payload: str


class Outbox:
    """``synchronous='NORMAL'`` survives a crash of the process (the default);
    ``'FULL'`` also survives a power cut, at the cost of an fsync per append."""

    def __init__(self, path: Path | str, *, synchronous: Synchronous = "NORMAL") -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.path.chmod(0o600)  # pseudonymised, but still nobody else's business
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(f"PRAGMA synchronous={synchronous}")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
            " payload TEXT NOT NULL)"
        )
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS dead_letter (seq INTEGER PRIMARY KEY,"
            " payload TEXT NOT NULL, error TEXT NOT NULL)"
        )
        self._backlog = self._count("outbox")
        self._dead = self._count("dead_letter")

    def _count(self, table: str) -> int:
        (n,) = self._db.execute(f"SELECT count(*) FROM {table}").fetchone()
        return int(n)

    def append(self, payload: str) -> int:
        """Store one entry durably; returns its sequence number."""
        return self.append_many([payload])[-1]

    def append_many(self, payloads: list[str]) -> list[int]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                seqs = [
                    int(
                        self._db.execute(
                            "INSERT INTO outbox (payload) VALUES (?)", (payload,)
                        ).lastrowid
                        or 0
                    )
                    for payload in payloads
                ]
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._backlog += len(payloads)
            return seqs

    def peek(self, limit: int = 200) -> list[Entry]:
        """The oldest entries, in the order they were appended."""
        with self._lock:
            rows = self._db.execute(
                "SELECT seq, payload FROM outbox ORDER BY seq LIMIT ?", (limit,)
            ).fetchall()
        return [Entry(int(seq), str(payload)) for seq, payload in rows]

    def ack(self, up_to_seq: int) -> None:
        """Forget every entry up to and including ``up_to_seq`` (they are in the database)."""
        with self._lock:
            self._db.execute("DELETE FROM outbox WHERE seq <= ?", (up_to_seq,))
            self._backlog = self._count("outbox")

    def dead_letter(self, entry: Entry, error: str) -> None:
        """Move an entry the database refused to the dead-letter table."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute(
                "INSERT OR IGNORE INTO dead_letter (seq, payload, error) VALUES (?, ?, ?)",
                (entry.seq, entry.payload, error[:2000]),
            )
            self._db.execute("DELETE FROM outbox WHERE seq = ?", (entry.seq,))
            self._db.execute("COMMIT")
            self._backlog = self._count("outbox")
            self._dead = self._count("dead_letter")

    @property
    def backlog(self) -> int:
        """How many entries wait to be written to the database."""
        return self._backlog

    @property
    def dead_letters(self) -> int:
        """How many entries the database refused (kept in the dead_letter table)."""
        return self._dead

    def close(self) -> None:
        with self._lock:
            self._db.close()
