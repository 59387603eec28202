"""Every entity round-trips through the store on both databases; access is by role and centre."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from callcenter.calls.models import CallRow
from callcenter.cases.access import AccessDeniedError
from callcenter.cases.inputs import ContactInput, ExploitationInput, PersonInput, VictimInput
from callcenter.cases.models import (
    Agency,
    Caller,
    Consent,
    Contact,
    ContactAction,
    Exploitation,
    PerpetratorContext,
    Person,
    PersonCode,
    TraffickingEvent,
    VictimContext,
)
from callcenter.cases.service import CaseStore
from callcenter.db import Database
from callcenter.privacy import Crypto
from tests.cases.factories import (
    ADMIN,
    ANALYST,
    DN_COUNSELLOR,
    HN_COUNSELLOR,
    IDS,
    T0,
    realistic_case,
    seed_users,
)


@pytest.fixture
async def store(database: Database, crypto: Crypto) -> CaseStore:
    s = CaseStore(database, crypto, clock=lambda: T0 + dt.timedelta(days=10))
    await seed_users(s)
    return s


async def test_a_whole_case_round_trips(store: CaseStore, database: Database) -> None:
    ids = await realistic_case(store)
    view = await store.get_case(HN_COUNSELLOR, ids["case"])
    assert view.status == "active" and view.centre == "HN"
    assert view.reference.startswith("HN-2026-")
    assert view.summary == IDS.case_summary
    assert view.counsellors == ("hn-c1",)
    victim = next(p for p in view.persons if p.role == "identified_victim")
    assert (victim.given_name, victim.family_name) == (IDS.given_name, IDS.family_name)
    assert victim.birth_date == IDS.birth_date and victim.id_number == IDS.id_number
    assert victim.address == IDS.address and victim.phone == IDS.phone
    assert (victim.sex, victim.gender_identity, victim.age_band) == ("female", "woman", "18-20")
    assert victim.trafficking_status == "actual" and victim.legal_status == "victim"
    assert victim.exploitation_types == ("forced_labour", "forced_marriage")
    assert victim.means_of_control == ("false_promises", "threats", "withholds_documents")
    (referral,) = view.referrals
    assert referral.service == "essential_needs" and referral.notes == IDS.referral_note
    (follow_up,) = view.follow_ups
    assert follow_up.overdue  # due on day 7, the clock says day 10
    async with database.sessions() as session:
        for model in (
            Agency,
            Caller,
            Consent,
            Contact,
            ContactAction,
            Exploitation,
            PerpetratorContext,
            PersonCode,
            TraffickingEvent,
            VictimContext,
        ):
            count = await session.scalar(select(func.count()).select_from(model))
            assert count, model.__tablename__
        persons = await session.scalar(select(func.count()).select_from(Person))
        assert persons == 2


async def test_referral_outcome_follow_up_and_closing(store: CaseStore) -> None:
    ids = await realistic_case(store)
    await store.record_referral_outcome(
        HN_COUNSELLOR, ids["referral"], "service_provided", T0 + dt.timedelta(days=3)
    )
    overdue = await store.overdue_follow_ups(HN_COUNSELLOR, T0 + dt.timedelta(days=10))
    assert [f.id for f in overdue] == [ids["follow_up"]]
    assert await store.overdue_follow_ups(DN_COUNSELLOR, T0 + dt.timedelta(days=10)) == []
    await store.complete_follow_up(
        HN_COUNSELLOR,
        ids["follow_up"],
        outcome="reached_safe",
        risk_level="low",
        done_at=T0 + dt.timedelta(days=8),
    )
    assert await store.overdue_follow_ups(HN_COUNSELLOR, T0 + dt.timedelta(days=10)) == []
    await store.close_case(
        HN_COUNSELLOR, ids["case"], status="closed_referred", reason="referred", at=T0
    )
    view = await store.get_case(HN_COUNSELLOR, ids["case"])
    assert view.status == "closed_referred"
    assert view.referrals[0].outcome == "service_provided"


async def test_correcting_a_person_keeps_links_and_replaces_details(store: CaseStore) -> None:
    ids = await realistic_case(store)
    corrected = PersonInput(
        role="identified_victim",
        given_name="Thị Hương",
        family_name=IDS.family_name,
        age=17,
        sex="female",
        gender_identity="woman",
        victim=VictimInput(trafficking_status="actual", means_of_control=("debt_bondage",)),
        exploitations=(ExploitationInput("sexual_exploitation"),),
    )
    await store.correct_person(HN_COUNSELLOR, ids["person"], corrected)
    view = await store.get_case(HN_COUNSELLOR, ids["case"])
    person = next(p for p in view.persons if p.id == ids["person"])
    assert (person.given_name, person.age_band) == ("Thị Hương", "9-17")
    assert person.exploitation_types == ("sexual_exploitation",)
    assert person.means_of_control == ("debt_bondage",)
    assert person.address is None  # not given in the correction
    assert view.referrals[0].id == ids["referral"]  # the referral still points at the person
    with pytest.raises(AccessDeniedError):
        await store.correct_person(DN_COUNSELLOR, ids["person"], corrected)


async def test_other_centre_and_analyst_cannot_read_a_case(store: CaseStore) -> None:
    ids = await realistic_case(store)
    with pytest.raises(AccessDeniedError, match="access denied"):
        await store.get_case(DN_COUNSELLOR, ids["case"])
    with pytest.raises(AccessDeniedError):
        await store.get_case(ANALYST, ids["case"])
    with pytest.raises(AccessDeniedError):
        await store.caller_history(ANALYST, number=IDS.caller_number)
    assert (await store.get_case(ADMIN, ids["case"])).id == ids["case"]


async def test_repeat_caller_history_and_withheld_numbers(store: CaseStore) -> None:
    ids = await realistic_case(store)
    await store.record_contact(
        HN_COUNSELLOR,
        ContactInput(
            centre="HN",
            started_at=T0 + dt.timedelta(days=1),
            kind="about_self",
            caller_number="+84 91 234 5678",  # same number, other spelling
            request_type="referral_request",
        ),
    )
    for withheld in ("anonymous", None):
        await store.record_contact(
            HN_COUNSELLOR,
            ContactInput(centre="HN", started_at=T0, kind="silent", caller_number=withheld),
        )
    history = await store.caller_history(HN_COUNSELLOR, number="84912345678")
    assert history.known
    assert len(history.contacts) == 2
    assert history.contacts[0].request_type == "referral_request"  # newest first
    assert [c.id for c in history.open_cases] == [ids["case"]]
    assert history.safe_to_call_back is True and history.safe_times == IDS.safe_times
    withheld_history = await store.caller_history(HN_COUNSELLOR, number="anonymous")
    assert not withheld_history.known and withheld_history.contacts == ()


async def test_a_call_gives_exactly_one_contact(store: CaseStore, database: Database) -> None:
    async with database.sessions.begin() as session:
        session.add(
            CallRow(
                call_id="pbx1/42.7",
                node="pbx1",
                channel_id="42.7",
                source="service",
                arrived_at=T0,
                in_danger=False,
                centres=["HN"],
                counsellors=["hn-c1"],
            )
        )
    contact = ContactInput(centre="HN", started_at=T0, kind="information", call_id="pbx1/42.7")
    first = await store.record_contact(HN_COUNSELLOR, contact)
    again = await store.record_contact(HN_COUNSELLOR, contact)  # e.g. the form sent twice
    assert first == again
    async with database.sessions() as session:
        linked = await session.scalar(
            select(func.count()).select_from(Contact).where(Contact.call_id == "pbx1/42.7")
        )
    assert linked == 1


async def test_bad_input_is_refused_before_anything_is_written() -> None:
    with pytest.raises(ValueError, match="invalid code"):
        PersonInput(role="victim-ish")
    with pytest.raises(ValueError, match="province"):
        PersonInput(role="at_risk", province="Hà Giang")
    with pytest.raises(ValueError, match="time zone"):
        ContactInput(centre="HN", started_at=dt.datetime(2026, 1, 1), kind="silent")
