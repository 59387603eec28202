"""Contact statistics (DOMAIN.md items 1 and 2), in Viet Nam time, provinces converted."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from callcenter.cases import provinces
from callcenter.cases.access import Reader, statistics_centres
from callcenter.cases.localtime import local_hour, local_month
from callcenter.cases.models import (
    Contact,
)
from callcenter.cases.stats_base import (
    Period,
    StatTable,
    convert_province,
    fetch,
    lit,
)


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
        tuple(await fetch(session, query)),
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
        tuple(await fetch(session, query)),
    )


async def contacts_by_relation(session: AsyncSession, reader: Reader, period: Period) -> StatTable:
    """2. Contacts by caller relation x caller's sex x region x province."""
    centre = statistics_centres(reader)
    relation = func.coalesce(Contact.caller_relation, lit("unknown"))
    sex = func.coalesce(Contact.caller_sex, lit("unknown"))
    query = (
        select(relation, sex, Contact.province, func.count())
        .where(Contact.started_at >= period.start, Contact.started_at < period.end)
        .group_by(relation, sex, Contact.province)
    )
    if centre is not None:
        query = query.where(Contact.centre_code == centre)
    rows = []
    for rel, s, unit, n in await fetch(session, query):
        region = provinces.region_of(unit) if unit else "unknown"
        rows.append((rel, s, region, unit, n))
    return StatTable(
        "contacts_by_relation",
        "Liên hệ theo quan hệ người gọi, giới tính, vùng, tỉnh",
        "Contacts by caller relation, sex, region and province",
        ("caller_relation", "sex", "region", "province", "contacts"),
        tuple(convert_province(rows, 3)),
    )
