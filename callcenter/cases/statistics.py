"""The agencies' statistics (DOMAIN.md, items 1-8) as query functions, plus CSV.

Every person-level table is split by sex x age band x form of exploitation (SDG 16.2.2). A person
with several forms of exploitation counts once under each (``unknown`` when none is recorded),
so a table's total over forms can exceed its number of people; the ``people`` tables say so.
Percentages use as denominator only the people with information on that item. Days and months
are Viet Nam time. Provinces are reported in the current 34-unit list (older records converted).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, String, case, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.expression import Executable

from callcenter.cases import provinces
from callcenter.cases.access import Reader, statistics_centres
from callcenter.cases.localtime import days_between, local_hour, local_month
from callcenter.cases.models import (
    Agency,
    Case,
    Contact,
    Exploitation,
    FollowUp,
    Person,
    PersonCode,
    Referral,
    User,
    VictimContext,
)

VICTIM_ROLES = ("potential_victim", "identified_victim")
LABOUR_TYPES = ("forced_labour", "child_labour", "forced_begging", "forced_criminality")
SPLIT = ("sex", "age_band", "exploitation")


@dataclass(frozen=True, slots=True)
class Period:
    """A half-open UTC interval [start, end)."""

    start: dt.datetime
    end: dt.datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("period bounds need a time zone / cần múi giờ")
        if self.end <= self.start:
            raise ValueError("period ends before it starts / kỳ báo cáo không hợp lệ")


@dataclass(frozen=True, slots=True)
class StatTable:
    name: str
    title_vi: str
    title_en: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]

    def total(self, column: str = "people") -> int:
        i = self.columns.index(column)
        return sum(int(r[i]) for r in self.rows)


def _lit(value: str) -> ColumnElement[str]:
    """A constant rendered inline (not a bound parameter), so GROUP BY matches the SELECT."""
    if not all(ch.isalnum() or ch in "_-+" for ch in value):
        raise ValueError(f"unsafe SQL constant {value!r}")
    return literal_column(f"'{value}'", String())


# Each person's distinct forms of exploitation: joined to people, every (person, form) row is
# unique, so tables count rows (fast hash aggregates) instead of COUNT(DISTINCT person).
FORMS = select(Exploitation.person_id, Exploitation.exploitation_type).distinct().subquery("forms")


def _exploitation() -> ColumnElement[str]:
    return func.coalesce(FORMS.c.exploitation_type, _lit("unknown"))


def _victims(period: Period, centre: str | None) -> Select[Any]:
    """Victim rows (person x form of exploitation, each unique) of cases opened in the period."""
    query = (
        select(Person.id.label("person_id"))
        .join(Case, Case.id == Person.case_id)
        .outerjoin(FORMS, FORMS.c.person_id == Person.id)
        .where(
            Person.role.in_(VICTIM_ROLES),
            Case.opened_at >= period.start,
            Case.opened_at < period.end,
        )
    )
    if centre is not None:
        query = query.where(Case.centre_code == centre)
    return query


async def _rows(session: AsyncSession, query: Executable) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in (await session.execute(query)).all()]


def _convert_province(rows: list[tuple[Any, ...]], index: int) -> list[tuple[Any, ...]]:
    """Replace a province unit id by its current (34-unit) name, re-adding the counts."""
    merged: dict[tuple[Any, ...], int] = defaultdict(int)
    for row in rows:
        unit = row[index]
        name = provinces.current_unit(unit).name_en if unit else "unknown"
        key = (*row[:index], name, *row[index + 1 : -1])
        merged[key] += int(row[-1])
    return sorted((*k, v) for k, v in merged.items())


async def contacts_by_centre_month(
    session: AsyncSession, reader: Reader, period: Period
) -> StatTable:
    """1. Contacts by centre x month x channel x kind x request type."""
    centre = statistics_centres(reader)
    month = local_month(Contact.started_at)
    dims = (Contact.centre_code, month, Contact.channel, Contact.kind, Contact.request_type)
    query = (
        select(*dims, func.count())
        .where(Contact.started_at >= period.start, Contact.started_at < period.end)
        .group_by(*dims)
        .order_by(*dims)
    )
    if centre is not None:
        query = query.where(Contact.centre_code == centre)
    return StatTable(
        "contacts_by_centre_month",
        "Liên hệ theo trung tâm, tháng, kênh, loại và yêu cầu",
        "Contacts by centre, month, channel, kind and request type",
        ("centre", "month", "channel", "kind", "request_type", "contacts"),
        tuple(await _rows(session, query)),
    )


async def contacts_by_centre_hour(
    session: AsyncSession, reader: Reader, period: Period
) -> StatTable:
    """1b. Contacts by centre x hour of the day (Viet Nam time), for staffing."""
    centre = statistics_centres(reader)
    hour = local_hour(Contact.started_at)
    query = (
        select(Contact.centre_code, hour, func.count())
        .where(Contact.started_at >= period.start, Contact.started_at < period.end)
        .group_by(Contact.centre_code, hour)
        .order_by(Contact.centre_code, hour)
    )
    if centre is not None:
        query = query.where(Contact.centre_code == centre)
    return StatTable(
        "contacts_by_centre_hour",
        "Liên hệ theo trung tâm và giờ trong ngày (giờ Việt Nam)",
        "Contacts by centre and hour of day (Viet Nam time)",
        ("centre", "hour", "contacts"),
        tuple(await _rows(session, query)),
    )


async def contacts_by_relation(session: AsyncSession, reader: Reader, period: Period) -> StatTable:
    """2. Contacts by caller relation x caller's sex x region x province."""
    centre = statistics_centres(reader)
    relation = func.coalesce(Contact.caller_relation, _lit("unknown"))
    sex = func.coalesce(Contact.caller_sex, _lit("unknown"))
    query = (
        select(relation, sex, Contact.province, func.count())
        .where(Contact.started_at >= period.start, Contact.started_at < period.end)
        .group_by(relation, sex, Contact.province)
    )
    if centre is not None:
        query = query.where(Contact.centre_code == centre)
    rows = []
    for rel, s, unit, n in await _rows(session, query):
        region = provinces.region_of(unit) if unit else "unknown"
        rows.append((rel, s, region, unit, n))
    return StatTable(
        "contacts_by_relation",
        "Liên hệ theo quan hệ người gọi, giới tính, vùng, tỉnh",
        "Contacts by caller relation, sex, region and province",
        ("caller_relation", "sex", "region", "province", "contacts"),
        tuple(_convert_province(rows, 3)),
    )


async def victims(session: AsyncSession, reader: Reader, period: Period) -> StatTable:
    """3. Potential vs identified victims x citizenship x internal/cross-border x country."""
    centre = statistics_centres(reader)
    status = func.coalesce(VictimContext.trafficking_status, _lit("possible"))
    border = case(
        (VictimContext.cross_border.is_(True), _lit("cross_border")),
        (VictimContext.cross_border.is_(False), _lit("internal")),
        else_=_lit("unknown"),
    )
    citizenship = func.coalesce(Person.citizenship, _lit("unknown"))
    country = func.coalesce(VictimContext.country_of_exploitation, _lit("unknown"))
    dims = (Person.role, status, citizenship, border, country, Person.sex, Person.age_band)
    base = _victims(period, centre).outerjoin(VictimContext, VictimContext.person_id == Person.id)
    query = (
        base.with_only_columns(*dims, _exploitation(), func.count())
        .group_by(*dims, _exploitation())
        .order_by(*dims, _exploitation())
    )
    return StatTable(
        "victims",
        "Nạn nhân tiềm năng và đã xác định",
        "Potential and identified victims",
        (
            "role",
            "trafficking_status",
            "citizenship",
            "border",
            "country_of_exploitation",
            *SPLIT,
            "people",
        ),
        tuple(await _rows(session, query)),
    )


async def coded_item(
    session: AsyncSession, reader: Reader, period: Period, list_name: str
) -> StatTable:
    """4. Means of control / recruitment method / platform x sex x age band x exploitation.

    ``percent`` = people with the code / people of that group with any code on this item.
    """
    centre = statistics_centres(reader)
    victims = _victims(period, centre)
    base = victims.join(PersonCode, PersonCode.person_id == Person.id)
    base = base.where(PersonCode.list_name == list_name)
    informed = (
        select(PersonCode.person_id)
        .where(PersonCode.list_name == list_name)
        .distinct()
        .subquery("informed")
    )
    group = (Person.sex, Person.age_band, _exploitation())
    numerators = await _rows(
        session,
        base.with_only_columns(*group, PersonCode.code, func.count())
        .group_by(*group, PersonCode.code)
        .order_by(*group, PersonCode.code),
    )
    denominators = {
        tuple(r[:3]): int(r[3])
        for r in await _rows(
            session,
            victims.join(informed, informed.c.person_id == Person.id)
            .with_only_columns(*group, func.count())
            .group_by(*group),
        )
    }
    rows = tuple(
        (
            *r[:4],
            r[4],
            denominators[tuple(r[:3])],
            round(100.0 * r[4] / denominators[tuple(r[:3])], 1),
        )
        for r in numerators
    )
    return StatTable(
        list_name,
        f"Nạn nhân theo {list_name}",
        f"Victims by {list_name.replace('_', ' ')}",
        (*SPLIT, list_name, "people", "people_with_information", "percent"),
        rows,
    )


async def recruiter_relation(session: AsyncSession, reader: Reader, period: Period) -> StatTable:
    """4b. Recruiter relation x sex x age band x exploitation (denominator: relation known)."""
    centre = statistics_centres(reader)
    base = _victims(period, centre).join(VictimContext, VictimContext.person_id == Person.id)
    base = base.where(
        VictimContext.recruiter_relation.is_not(None),
        VictimContext.recruiter_relation != "unknown",
    )
    group = (Person.sex, Person.age_band, _exploitation())
    numerators = await _rows(
        session,
        base.with_only_columns(*group, VictimContext.recruiter_relation, func.count())
        .group_by(*group, VictimContext.recruiter_relation)
        .order_by(*group, VictimContext.recruiter_relation),
    )
    denominators: dict[tuple[Any, ...], int] = defaultdict(int)
    for r in numerators:
        denominators[tuple(r[:3])] += int(r[4])
    rows = tuple(
        (
            *r[:4],
            r[4],
            denominators[tuple(r[:3])],
            round(100.0 * r[4] / denominators[tuple(r[:3])], 1),
        )
        for r in numerators
    )
    return StatTable(
        "recruiter_relation",
        "Nạn nhân theo quan hệ với người tuyển mộ",
        "Victims by relation to the recruiter",
        (*SPLIT, "recruiter_relation", "people", "people_with_information", "percent"),
        rows,
    )


async def forced_labour_by_industry(
    session: AsyncSession, reader: Reader, period: Period
) -> StatTable:
    """5. Forced labour by industry (ISIC section) x sex x age band."""
    centre = statistics_centres(reader)
    industry = func.coalesce(Exploitation.industry, _lit("unknown"))
    base = (
        select(Person.id)
        .join(Case, Case.id == Person.case_id)
        .join(Exploitation, Exploitation.person_id == Person.id)
        .where(
            Person.role.in_(VICTIM_ROLES),
            Case.opened_at >= period.start,
            Case.opened_at < period.end,
            Exploitation.exploitation_type.in_(LABOUR_TYPES),
        )
    )
    if centre is not None:
        base = base.where(Case.centre_code == centre)
    dims = (Exploitation.exploitation_type, industry, Person.sex, Person.age_band)
    query = (
        base.with_only_columns(*dims, func.count(func.distinct(Person.id)))
        .group_by(*dims)
        .order_by(*dims)
    )
    return StatTable(
        "forced_labour_by_industry",
        "Cưỡng bức lao động theo ngành",
        "Forced labour by industry",
        ("exploitation", "industry", "sex", "age_band", "people"),
        tuple(await _rows(session, query)),
    )


def _days_band() -> ColumnElement[str]:
    days = days_between(Case.opened_at, Referral.referred_at)
    return case(
        (days < 1, _lit("0")),
        (days < 3, _lit("1-2")),
        (days < 8, _lit("3-7")),
        (days < 31, _lit("8-30")),
        else_=_lit("31+"),
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
        func.coalesce(Person.sex, _lit("unknown")),
        func.coalesce(Person.age_band, _lit("unknown")),
        _exploitation(),
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
        tuple(await _rows(session, query)),
    )


async def support_delivered(session: AsyncSession, reader: Reader, period: Period) -> StatTable:
    """7. Support delivered by entitlement (Art. 37) x legal status x province (x sex, age...)."""
    centre = statistics_centres(reader)
    legal = func.coalesce(VictimContext.legal_status, _lit("unknown"))
    dims = (Referral.service, legal, Person.province, *_split_cols())
    query = (
        _referral_base(period, centre)
        .outerjoin(VictimContext, VictimContext.person_id == Person.id)
        .where(Referral.outcome == "service_provided")
        .with_only_columns(*dims, func.count())
        .group_by(*dims)
    )
    rows = _convert_province(await _rows(session, query), 2)
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
    rows = [(c, s, n) for c, s, n in await _rows(session, q_cases)]
    rows += [(c, "overdue_follow_ups", n) for c, n in await _rows(session, q_overdue)]
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
        await _rows(
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
        await _rows(
            session,
            select(Case.lead_counsellor_id, func.count())
            .where(Case.status.in_(("active", "follow_up")), Case.lead_counsellor_id.is_not(None))
            .group_by(Case.lead_counsellor_id),
        )
    )
    due: dict[str, int] = dict(
        await _rows(
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
        for uid, c in sorted(await _rows(session, users_q))
    )
    return StatTable(
        "workload",
        "Khối lượng công việc theo tư vấn viên",
        "Workload per counsellor",
        ("counsellor", "centre", "contacts", "open_cases_led", "overdue_follow_ups"),
        rows,
    )


StatQuery = Callable[[AsyncSession, Reader, Period, dt.datetime], Awaitable[StatTable]]


def _p(fn: Callable[[AsyncSession, Reader, Period], Awaitable[StatTable]]) -> StatQuery:
    return lambda s, r, p, _now: fn(s, r, p)


def _coded(list_name: str) -> StatQuery:
    return lambda s, r, p, _now: coded_item(s, r, p, list_name)


ALL_TABLES: dict[str, StatQuery] = {
    "contacts_by_centre_month": _p(contacts_by_centre_month),
    "contacts_by_centre_hour": _p(contacts_by_centre_hour),
    "contacts_by_relation": _p(contacts_by_relation),
    "victims": _p(victims),
    "means_of_control": _coded("means_of_control"),
    "recruitment_method": _coded("recruitment_method"),
    "recruitment_platform": _coded("recruitment_platform"),
    "recruiter_relation": _p(recruiter_relation),
    "forced_labour_by_industry": _p(forced_labour_by_industry),
    "referrals": _p(referrals),
    "support_delivered": _p(support_delivered),
    "cases_and_follow_ups": lambda s, r, _p, now: cases_and_follow_ups(s, r, now),
    "workload": workload,
}


def to_csv_rows(table: StatTable) -> list[Sequence[Any]]:
    return [table.columns, *table.rows]
