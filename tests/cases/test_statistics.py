"""The agencies' statistics on both databases: splits, denominators, Viet Nam time, provinces."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from callcenter.cases import statistics as st
from callcenter.cases.access import AccessDeniedError
from callcenter.cases.export import publish, write_published
from callcenter.cases.inputs import (
    CaseInput,
    ContactInput,
    ExploitationInput,
    PersonInput,
    VictimInput,
)
from callcenter.cases.service import CaseStore
from callcenter.db import Database
from callcenter.privacy import Crypto
from tests.cases.factories import ADMIN, ANALYST, HN_COUNSELLOR, T0, realistic_case, seed_users

YEAR = st.Period(dt.datetime(2026, 1, 1, tzinfo=dt.UTC), dt.datetime(2027, 1, 1, tzinfo=dt.UTC))
SUPERVISOR_DN = st.Reader("dn-s1", "supervisor", "DN", "GET /statistics")


@pytest.fixture
async def store(database: Database, crypto: Crypto) -> CaseStore:
    s = CaseStore(database, crypto, clock=lambda: T0 + dt.timedelta(days=10))
    await seed_users(s)
    return s


async def _victim(
    store: CaseStore, sex: str, age: int | None, means: tuple[str, ...], forms: tuple[str, ...]
) -> None:
    case_id = await store.open_case(HN_COUNSELLOR, CaseInput(centre="HN", opened_at=T0))
    await store.add_person(
        HN_COUNSELLOR,
        case_id,
        PersonInput(
            role="potential_victim",
            age=age,
            sex=sex,
            province="vn63-02",  # Hà Giang, now part of Tuyên Quang
            victim=VictimInput(means_of_control=means),
            exploitations=tuple(ExploitationInput(f) for f in forms),
        ),
    )


async def test_person_tables_split_by_sex_age_and_exploitation(
    store: CaseStore, database: Database
) -> None:
    await _victim(store, "female", 16, ("debt_bondage",), ("sexual_exploitation",))
    await _victim(store, "female", 15, ("debt_bondage", "threats"), ("sexual_exploitation",))
    await _victim(store, "female", 17, (), ("sexual_exploitation",))  # no information
    # two spells of forced labour: still one man under forced labour
    await _victim(store, "male", 30, ("threats",), ("forced_labour", "forced_labour"))
    async with database.sessions() as session:
        victims = await st.victims(session, ANALYST, YEAR)
        means = await st.coded_item(session, ANALYST, YEAR, "means_of_control")
    cols = victims.columns
    assert cols[-4:] == ("sex", "age_band", "exploitation", "people")
    girls = [r for r in victims.rows if r[cols.index("sex")] == "female"]
    assert sum(r[-1] for r in girls) == 3
    assert {r[cols.index("age_band")] for r in girls} == {"9-17"}
    men = [r for r in victims.rows if r[cols.index("sex")] == "male"]
    assert [(r[-2], r[-1]) for r in men] == [("forced_labour", 1)]
    rows = {(r[0], r[1], r[2], r[3]): r[4:] for r in means.rows}
    # denominator: the two girls with information, not the three girls
    assert rows[("female", "9-17", "sexual_exploitation", "debt_bondage")] == (2, 2, 100.0)
    assert rows[("female", "9-17", "sexual_exploitation", "threats")] == (1, 2, 50.0)
    assert rows[("male", "30-38", "forced_labour", "threats")] == (1, 1, 100.0)


async def test_months_are_viet_nam_time_and_provinces_are_current(
    store: CaseStore, database: Database
) -> None:
    late_evening_utc = dt.datetime(2026, 1, 31, 18, 0, tzinfo=dt.UTC)  # 1 Feb, 01:00 in Hà Nội
    await store.record_contact(
        HN_COUNSELLOR,
        ContactInput(
            centre="HN",
            started_at=late_evening_utc,
            kind="about_other",
            request_type="report_potential_case",
            caller_relation="family",
            caller_sex="male",
            province="vn63-02",
        ),
    )
    async with database.sessions() as session:
        by_month = await st.contacts_by_centre_month(session, ANALYST, YEAR)
        by_relation = await st.contacts_by_relation(session, ANALYST, YEAR)
        by_hour = await st.contacts_by_centre_hour(session, ANALYST, YEAR)
    assert by_hour.rows == (("HN", "01", 1),)
    assert by_month.rows == (("HN", "2026-02", "voice", "about_other", "report_potential_case", 1),)
    assert by_relation.rows == (("family", "male", "north", "Tuyen Quang", 1),)


async def test_every_table_runs_and_respects_roles(store: CaseStore, database: Database) -> None:
    ids = await realistic_case(store)
    await store.record_referral_outcome(
        HN_COUNSELLOR, ids["referral"], "service_provided", T0 + dt.timedelta(days=3)
    )
    now = T0 + dt.timedelta(days=10)
    async with database.sessions() as session:
        tables = {name: await q(session, ANALYST, YEAR, now) for name, q in st.ALL_TABLES.items()}
        dn_only = await st.cases_and_follow_ups(session, SUPERVISOR_DN, now)
        with pytest.raises(AccessDeniedError):
            await st.victims(session, HN_COUNSELLOR, YEAR)
    assert tables["referrals"].rows[0][:4] == (
        "shelter",
        "essential_needs",
        "service_provided",
        "1-2",
    )
    assert tables["support_delivered"].rows[0][:3] == ("essential_needs", "victim", "Lao Cai")
    assert tables["forced_labour_by_industry"].rows == (
        ("forced_labour", "I", "female", "18-20", 1),
    )
    assert ("HN", "overdue_follow_ups", 1) in tables["cases_and_follow_ups"].rows
    assert dn_only.rows == ()  # a DN supervisor sees DN only
    workload = {r[0]: r[2:] for r in tables["workload"].rows}
    assert workload["hn-c1"] == (1, 1, 1)
    assert tables["recruitment_platform"].rows[0][3:] == ("zalo", 1, 1, 100.0)


async def test_published_table_suppresses_small_cells(store: CaseStore, database: Database) -> None:
    for _ in range(12):
        await _victim(store, "female", 25, (), ("sexual_exploitation",))
    for _ in range(2):
        await _victim(store, "male", 25, (), ("forced_labour",))
    async with database.sessions() as session:
        victims = await st.victims(session, ADMIN, YEAR)
    table = publish(victims, "sex", "exploitation", k=11)
    out = io.StringIO()
    write_published(table, out)
    text = out.getvalue()
    assert "12" in text.splitlines()[1]
    assert table.value("male", "forced_labour") is None
    assert table.value("male", "Total") is None
    assert "<11" in text
