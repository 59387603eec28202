"""Every read and change of case data is in the audit log, chained, and tampering is detected."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
import sqlalchemy as sa

from callcenter.cases import audit
from callcenter.cases.access import AccessDeniedError
from callcenter.cases.chain import GENESIS, AuditFields, entry_hash, verify
from callcenter.cases.inputs import ContactInput
from callcenter.cases.models import AuditEntry
from callcenter.cases.service import CaseStore
from callcenter.db import Database
from callcenter.privacy import Crypto
from tests.cases.factories import (
    AUDITOR,
    DN_COUNSELLOR,
    HN_COUNSELLOR,
    T0,
    realistic_case,
    seed_users,
)


async def test_reads_and_changes_are_audited_with_who_what_and_route(
    database: Database, crypto: Crypto
) -> None:
    store = CaseStore(database, crypto, clock=lambda: T0)
    await seed_users(store)
    ids = await realistic_case(store)
    await store.get_case(HN_COUNSELLOR, ids["case"])
    with pytest.raises(AccessDeniedError):
        await store.get_case(DN_COUNSELLOR, ids["case"])
    async with database.sessions() as session:
        entries = await audit.entries_for(session, AUDITOR, "case", ids["case"])
        with pytest.raises(AccessDeniedError):
            await audit.entries_for(session, HN_COUNSELLOR, "case", ids["case"])
        assert await audit.verify_chain(session, crypto.hash_value, AUDITOR) is None
    actions = [(e.action, e.actor_id, e.route) for e in entries]
    assert actions[0] == ("create", "hn-c1", "POST /cases")
    assert actions[-1] == ("read", "hn-c1", "POST /cases")
    assert all(e.at == T0 for e in entries)


async def test_tampering_is_detected(database: Database, crypto: Crypto) -> None:
    store = CaseStore(database, crypto, clock=lambda: T0)
    await seed_users(store)
    await realistic_case(store)
    # a database administrator bypasses the append-only trigger and rewrites an entry
    async with database.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execute(sa.text("ALTER TABLE cs_audit DISABLE TRIGGER cs_audit_no_change"))
        else:
            await conn.execute(sa.text("DROP TRIGGER cs_audit_no_update"))
        await conn.execute(sa.text("UPDATE cs_audit SET actor_id = 'someone-else' WHERE seq = 3"))
    async with database.sessions() as session:
        broken = await audit.verify_chain(session, crypto.hash_value, AUDITOR)
    assert broken is not None and broken.seq == 3 and broken.reason == "entry altered"


def test_chain_detects_removal_and_reordering() -> None:
    def keyed(text: str) -> str:
        return str(abs(hash(("k", text))))

    entries = []
    prev = GENESIS
    for seq in (1, 2, 3):
        fields = AuditFields(seq, T0 + dt.timedelta(seconds=seq), "u", "counsellor", "HN",
                             "read", "case", "c1", "GET /cases/c1")  # fmt: skip
        digest = entry_hash(keyed, prev, fields)
        entries.append((fields, prev, digest))
        prev = digest
    assert verify(keyed, entries) is None
    missing = verify(keyed, [entries[0], entries[2]])
    assert missing is not None and "missing" in missing.reason
    swapped = verify(keyed, [entries[1], entries[0], entries[2]])
    assert swapped is not None


async def test_concurrent_writers_keep_one_unbroken_chain(
    database: Database, crypto: Crypto
) -> None:
    """Screen-pops and counsellors' writes at the same time: no fork, no lost operation."""
    store = CaseStore(database, crypto, clock=lambda: T0)

    async def counsellor(i: int) -> None:
        number = f"09123456{i:02d}"
        await store.record_contact(
            HN_COUNSELLOR,
            ContactInput(centre="HN", started_at=T0, kind="silent", caller_number=number),
        )
        await store.caller_history(HN_COUNSELLOR, number=number)

    results = await asyncio.gather(*(counsellor(i) for i in range(20)), return_exceptions=True)
    assert [r for r in results if r is not None] == []
    async with database.sessions() as session:
        assert await audit.verify_chain(session, crypto.hash_value, AUDITOR) is None
        count = await session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    assert count == 40
