"""Referrals, support, cases, follow-ups and workload (DOMAIN.md items 6-8)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from callcenter.cases.access import Reader, statistics_centres
from callcenter.cases.localtime import days_between
from callcenter.cases.models import (
    Agency,
    Case,
    Contact,
    FollowUp,
    Person,
    Referral,
    User,
    VictimContext,
)
from callcenter.cases.stats_base import (
    FORMS,
    SPLIT,
    Period,
    StatTable,
    convert_province,
    exploitation,
    fetch,
    lit,
)


def _days_band() -> ColumnElement[str]:
    days = days_between(Case.opened_at, Referral.referred_at)
    return case(
        (days < 1, lit("0")),
        (days < 3, lit("1-2")),
        (days < 8, lit("3-7")),
        (days < 31, lit("8-30")),
        else_=lit("31+"),
    )


def _referral_base(period: Period, centre: str | None) -> Select[Any]:
    query = (
        select(Referral.id)
        .join(Case, Case.id == Referral.case_id)
        .join(Agency, Agency.id == Referral.agency_id)
        .outerjoin(Person, Person.id == Referral.person_id)
        .outerjoin(FORMS, FORMS.c.person_id == Person.id)
        .where(Referral.referred_at >= period.start, Referral.referred_at < period.end)
    )
    if centre is not None:
        query = query.where(Case.centre_code == centre)
    return query


def _split_cols() -> tuple[ColumnElement[str], ...]:
    return (
        func.coalesce(Person.sex, lit("unknown")),
        func.coalesce(Person.age_band, lit("unknown")),
        exploitation(),
    )


async def referrals(session: AsyncSession, reader: Reader, period: Period) -> StatTable:
    """6. Referrals by agency type x service x outcome x days to referral (x sex, age, form)."""
    centre = statistics_centres(reader)
    band = _days_band()
    dims = (Agency.agency_type, Referral.service, Referral.outcome, band, *_split_cols())
    query = (
        _referral_base(period, centre)
        .with_only_columns(*dims, func.count())
        .group_by(*dims)
        .order_by(*dims)
    )
    return StatTable(
        "referrals",
        "Chuyển tuyến theo loại cơ quan, dịch vụ, kết quả, số ngày",
        "Referrals by agency type, service, outcome and days to referral",
        ("agency_type", "service", "outcome", "days_to_referral", *SPLIT, "referrals"),
        tuple(await fetch(session, query)),
    )


async def support_delivered(session: AsyncSession, reader: Reader, period: Period) -> StatTable:
    """7. Support delivered by entitlement (Art. 37) x legal status x province (x sex, age...)."""
    centre = statistics_centres(reader)
    legal = func.coalesce(VictimContext.legal_status, lit("unknown"))
    dims = (Referral.service, legal, Person.province, *_split_cols())
    query = (
        _referral_base(period, centre)
        .outerjoin(VictimContext, VictimContext.person_id == Person.id)
        .where(Referral.outcome == "service_provided")
        .with_only_columns(*dims, func.count())
        .group_by(*dims)
    )
    rows = convert_province(await fetch(session, query), 2)
    return StatTable(
        "support_delivered",
        "Hỗ trợ đã cung cấp theo chế độ, tình trạng pháp lý, tỉnh",
        "Support delivered by entitlement, legal status and province",
        ("service", "legal_status", "province", *SPLIT, "services"),
        tuple(rows),
    )


async def cases_and_follow_ups(
    session: AsyncSession, reader: Reader, now: dt.datetime
) -> StatTable:
    """8a. Cases open / closed and overdue follow-ups per centre, at ``now``."""
    centre = statistics_centres(reader)
    q_cases = select(Case.centre_code, Case.status, func.count()).group_by(
        Case.centre_code, Case.status
    )
    q_overdue = (
        select(Case.centre_code, func.count())
        .select_from(FollowUp)
        .join(Case, Case.id == FollowUp.case_id)
        .where(FollowUp.done_at.is_(None), FollowUp.due_at < now)
        .group_by(Case.centre_code)
    )
    if centre is not None:
        q_cases = q_cases.where(Case.centre_code == centre)
        q_overdue = q_overdue.where(Case.centre_code == centre)
    rows = [(c, s, n) for c, s, n in await fetch(session, q_cases)]
    rows += [(c, "overdue_follow_ups", n) for c, n in await fetch(session, q_overdue)]
    return StatTable(
        "cases_and_follow_ups",
        "Vụ việc đang mở / đã đóng và theo dõi quá hạn",
        "Cases open / closed and overdue follow-ups",
        ("centre", "status", "count"),
        tuple(sorted(rows)),
    )


async def workload(
    session: AsyncSession, reader: Reader, period: Period, now: dt.datetime
) -> StatTable:
    """8b. Workload per counsellor: contacts in the period, open cases led, follow-ups due."""
    centre = statistics_centres(reader)
    contacts: dict[str, int] = dict(
        await fetch(
            session,
            select(Contact.counsellor_id, func.count())
            .where(
                Contact.started_at >= period.start,
                Contact.started_at < period.end,
                Contact.counsellor_id.is_not(None),
            )
            .group_by(Contact.counsellor_id),
        )
    )
    open_cases: dict[str, int] = dict(
        await fetch(
            session,
            select(Case.lead_counsellor_id, func.count())
            .where(Case.status.in_(("active", "follow_up")), Case.lead_counsellor_id.is_not(None))
            .group_by(Case.lead_counsellor_id),
        )
    )
    due: dict[str, int] = dict(
        await fetch(
            session,
            select(FollowUp.counsellor_id, func.count())
            .where(FollowUp.done_at.is_(None), FollowUp.due_at < now)
            .group_by(FollowUp.counsellor_id),
        )
    )
    users_q = select(User.id, User.centre_code).where(User.role.in_(("counsellor", "supervisor")))
    if centre is not None:
        users_q = users_q.where(User.centre_code == centre)
    rows = tuple(
        (uid, c, int(contacts.get(uid, 0)), int(open_cases.get(uid, 0)), int(due.get(uid, 0)))
        for uid, c in sorted(await fetch(session, users_q))
    )
    return StatTable(
        "workload",
        "Khối lượng công việc theo tư vấn viên",
        "Workload per counsellor",
        ("counsellor", "centre", "contacts", "open_cases_led", "overdue_follow_ups"),
        rows,
    )
