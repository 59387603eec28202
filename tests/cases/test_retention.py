"""Retention purges identifiers of old records and keeps the anonymous figures."""

from __future__ import annotations

import datetime as dt

import pytest

from callcenter.cases import statistics as st
from callcenter.cases.access import AccessDeniedError
from callcenter.cases.retention import purge_identifiers
from callcenter.cases.service import CaseStore
from callcenter.db import Database
from callcenter.privacy import Crypto
from tests.cases.factories import ADMIN, ANALYST, HN_COUNSELLOR, IDS, T0, realistic_case, seed_users
from tests.cases.test_privacy import _raw_tables, find_leaks

YEAR = st.Period(dt.datetime(2026, 1, 1, tzinfo=dt.UTC), dt.datetime(2027, 1, 1, tzinfo=dt.UTC))


async def test_purge_keeps_figures_and_drops_identifiers(
    database: Database, crypto: Crypto
) -> None:
    store = CaseStore(database, crypto, clock=lambda: T0)
    await seed_users(store)
    ids = await realistic_case(store)
    await store.close_case(HN_COUNSELLOR, ids["case"], status="closed", reason="resolved", at=T0)
    async with database.sessions() as session:
        before = await st.victims(session, ANALYST, YEAR)
    later = T0 + dt.timedelta(days=800)
    async with database.sessions.begin() as session:
        with pytest.raises(AccessDeniedError):
            await purge_identifiers(
                session, crypto, HN_COUNSELLOR, older_than=dt.timedelta(days=730), now=later
            )
    async with database.sessions.begin() as session:
        report = await purge_identifiers(
            session, crypto, ADMIN, older_than=dt.timedelta(days=730), now=later
        )
    assert (report.contacts, report.cases, report.callers) == (1, 1, 1)
    assert report.people == 2
    async with database.sessions() as session:
        after = await st.victims(session, ANALYST, YEAR)
    assert after.rows == before.rows
    view = await store.get_case(ADMIN, ids["case"])
    assert all(p.given_name is None and p.id_number is None for p in view.persons)
    assert view.summary is None
    history = await store.caller_history(HN_COUNSELLOR, number=IDS.caller_number)
    assert not history.known  # the number can no longer be matched
    # nothing decryptable is left either: decrypt every token still stored
    raw = await _raw_tables(database)
    assert find_leaks(raw, "tables") == []


async def test_recent_and_open_records_are_kept(database: Database, crypto: Crypto) -> None:
    store = CaseStore(database, crypto, clock=lambda: T0)
    await seed_users(store)
    ids = await realistic_case(store)  # stays open
    async with database.sessions.begin() as session:
        report = await purge_identifiers(
            session, crypto, ADMIN, older_than=dt.timedelta(days=30), now=T0 + dt.timedelta(days=60)
        )
    assert report.cases == 0 and report.people == 0
    view = await store.get_case(ADMIN, ids["case"])
    assert any(p.given_name == IDS.given_name for p in view.persons)
