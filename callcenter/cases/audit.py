"""Writing and checking the audit log (every read and change of case data).

An entry is written in the same transaction as the read or change it records, so a change
never commits without its entry. Entries are chained (see :mod:`callcenter.cases.chain`); on
PostgreSQL a transaction-scoped advisory lock serialises appends so the chain never forks, on
SQLite the database's single writer does.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from callcenter.cases.access import Reader, require_audit
from callcenter.cases.chain import GENESIS, AuditFields, ChainBreak, KeyedHash, entry_hash, verify
from callcenter.cases.models import AuditEntry

_PG_LOCK_KEY = 0x43535F4155444954  # "CS_AUDIT"


_SQLITE_TAKE_WRITE_LOCK = text("UPDATE cs_centre SET code = code WHERE 0")


async def begin_append(session: AsyncSession) -> None:
    """Call first in a transaction that will append: on SQLite it takes the write lock now.

    SQLite's driver runs reads before the first write outside any transaction, so two
    connections could read the same last entry and fork the chain. A no-op write as the first
    statement opens the transaction and takes SQLite's single write lock (waiting up to the
    busy timeout), so the whole read-then-append runs alone. PostgreSQL needs nothing here: its
    advisory lock in :func:`append` serialises appends.
    """
    if session.get_bind().dialect.name == "sqlite":
        await session.execute(_SQLITE_TAKE_WRITE_LOCK)


async def append(
    session: AsyncSession,
    keyed_hash: KeyedHash,
    reader: Reader,
    *,
    action: str,
    entity: str,
    entity_id: str,
    at: dt.datetime,
) -> AuditEntry:
    """Append one entry in the caller's transaction."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
    last = (
        await session.execute(
            select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
        )
    ).first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    fields = AuditFields(
        seq=seq,
        at=at,
        actor_id=reader.user_id,
        actor_role=reader.role,
        actor_centre=reader.centre,
        action=action,
        entity=entity,
        entity_id=entity_id,
        route=reader.route,
    )
    entry = AuditEntry(
        seq=seq,
        at=at,
        actor_id=reader.user_id,
        actor_role=reader.role,
        actor_centre=reader.centre,
        action=action,
        entity=entity,
        entity_id=entity_id,
        route=reader.route,
        prev_hash=prev,
        hash=entry_hash(keyed_hash, prev, fields),
    )
    session.add(entry)
    await session.flush()
    return entry


def _fields(e: AuditEntry) -> AuditFields:
    return AuditFields(
        seq=e.seq,
        at=e.at,
        actor_id=e.actor_id,
        actor_role=e.actor_role,
        actor_centre=e.actor_centre,
        action=e.action,
        entity=e.entity,
        entity_id=e.entity_id,
        route=e.route,
    )


async def verify_chain(
    session: AsyncSession, keyed_hash: KeyedHash, reader: Reader
) -> ChainBreak | None:
    """Re-compute the whole chain; the first break, or ``None`` when intact."""
    require_audit(reader)
    rows = (await session.execute(select(AuditEntry).order_by(AuditEntry.seq))).scalars()
    return verify(keyed_hash, ((_fields(e), e.prev_hash, e.hash) for e in rows))


async def entries_for(
    session: AsyncSession, reader: Reader, entity: str, entity_id: str
) -> list[AuditEntry]:
    """Who read or changed one record, oldest first."""
    require_audit(reader)
    query = (
        select(AuditEntry)
        .where(AuditEntry.entity == entity, AuditEntry.entity_id == entity_id)
        .order_by(AuditEntry.seq)
    )
    return list((await session.execute(query)).scalars())
