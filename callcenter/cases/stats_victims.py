"""Person-level victim statistics (DOMAIN.md items 3-5), split by sex x age band x form."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from callcenter.cases.access import Reader, statistics_centres
from callcenter.cases.models import (
    Case,
    Exploitation,
    Person,
    PersonCode,
    VictimContext,
)
from callcenter.cases.stats_base import (
    LABOUR_TYPES,
    SPLIT,
    VICTIM_ROLES,
    Period,
    StatTable,
    exploitation,
    fetch,
    lit,
    victim_rows,
)


async def victims(session: AsyncSession, reader: Reader, period: Period) -> StatTable:
    """3. Potential vs identified victims x citizenship x internal/cross-border x country."""
    centre = statistics_centres(reader)
    status = func.coalesce(VictimContext.trafficking_status, lit("possible"))
    border = case(
        (VictimContext.cross_border.is_(True), lit("cross_border")),
        (VictimContext.cross_border.is_(False), lit("internal")),
        else_=lit("unknown"),
    )
    citizenship = func.coalesce(Person.citizenship, lit("unknown"))
    country = func.coalesce(VictimContext.country_of_exploitation, lit("unknown"))
    dims = (Person.role, status, citizenship, border, country, Person.sex, Person.age_band)
    base = victim_rows(period, centre).outerjoin(
        VictimContext, VictimContext.person_id == Person.id
    )
    query = (
        base.with_only_columns(*dims, exploitation(), func.count())
        .group_by(*dims, exploitation())
        .order_by(*dims, exploitation())
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
        tuple(await fetch(session, query)),
    )


async def coded_item(
    session: AsyncSession, reader: Reader, period: Period, list_name: str
) -> StatTable:
    """4. Means of control / recruitment method / platform x sex x age band x exploitation.

    ``percent`` = people with the code / people of that group with any code on this item.
    """
    centre = statistics_centres(reader)
    victims = victim_rows(period, centre)
    base = victims.join(PersonCode, PersonCode.person_id == Person.id)
    base = base.where(PersonCode.list_name == list_name)
    informed = (
        select(PersonCode.person_id)
        .where(PersonCode.list_name == list_name)
        .distinct()
        .subquery("informed")
    )
    group = (Person.sex, Person.age_band, exploitation())
    numerators = await fetch(
        session,
        base.with_only_columns(*group, PersonCode.code, func.count())
        .group_by(*group, PersonCode.code)
        .order_by(*group, PersonCode.code),
    )
    denominators = {
        tuple(r[:3]): int(r[3])
        for r in await fetch(
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
    base = victim_rows(period, centre).join(VictimContext, VictimContext.person_id == Person.id)
    base = base.where(
        VictimContext.recruiter_relation.is_not(None),
        VictimContext.recruiter_relation != "unknown",
    )
    group = (Person.sex, Person.age_band, exploitation())
    numerators = await fetch(
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
    industry = func.coalesce(Exploitation.industry, lit("unknown"))
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
        tuple(await fetch(session, query)),
    )
