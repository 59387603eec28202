"""The tamper-evident audit chain, as pure functions.

Each entry's hash is a keyed hash (HMAC with the privacy hash key, which never lives in the
database) over the previous entry's hash and the entry's canonical JSON. Changing, removing or
reordering any entry breaks every hash after it, and without the key nobody who can only write
to the database can forge a consistent chain.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass

GENESIS = "0" * 64

KeyedHash = Callable[[str], str]


@dataclass(frozen=True, slots=True)
class AuditFields:
    """What one audit entry records: who, when, what, through which route."""

    seq: int
    at: dt.datetime
    actor_id: str
    actor_role: str
    actor_centre: str | None
    action: str  # read / create / update / delete / purge / export / denied
    entity: str
    entity_id: str
    route: str

    def canonical(self) -> str:
        return json.dumps(
            {
                "seq": self.seq,
                "at": self.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
                "actor_id": self.actor_id,
                "actor_role": self.actor_role,
                "actor_centre": self.actor_centre,
                "action": self.action,
                "entity": self.entity,
                "entity_id": self.entity_id,
                "route": self.route,
            },
            sort_keys=True,
            separators=(",", ":"),
        )


def entry_hash(keyed_hash: KeyedHash, prev_hash: str, fields: AuditFields) -> str:
    return keyed_hash(f"audit-chain\n{prev_hash}\n{fields.canonical()}")


@dataclass(frozen=True, slots=True)
class ChainBreak:
    seq: int
    reason: str


def verify(
    keyed_hash: KeyedHash, entries: Iterable[tuple[AuditFields, str, str]]
) -> ChainBreak | None:
    """Check ``(fields, prev_hash, hash)`` entries in order; the first break, or ``None``."""
    prev = GENESIS
    expected_seq = 1
    for fields, prev_hash, stored in entries:
        if fields.seq != expected_seq:
            return ChainBreak(fields.seq, f"missing entry: expected seq {expected_seq}")
        if prev_hash != prev:
            return ChainBreak(fields.seq, "previous-hash link broken")
        if entry_hash(keyed_hash, prev_hash, fields) != stored:
            return ChainBreak(fields.seq, "entry altered")
        prev = stored
        expected_seq += 1
    return None
