"""The agencies' statistics (DOMAIN.md, items 1-8) as query functions, plus CSV.

Every person-level table is split by sex x age band x form of exploitation (SDG 16.2.2). A person
with several forms of exploitation counts once under each (``unknown`` when none is recorded),
so a table's total over forms can exceed its number of people; the ``people`` tables say so.
Percentages use as denominator only the people with information on that item. Days and months
are Viet Nam time. Provinces are reported in the current 34-unit list (older records converted).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from callcenter.cases.access import Reader
from callcenter.cases.stats_base import LABOUR_TYPES, SPLIT, VICTIM_ROLES, Period, StatTable
from callcenter.cases.stats_care import (
    cases_and_follow_ups,
    referrals,
    support_delivered,
    workload,
)
from callcenter.cases.stats_contacts import (
    contacts_by_centre_hour,
    contacts_by_centre_month,
    contacts_by_relation,
)
from callcenter.cases.stats_victims import (
    coded_item,
    forced_labour_by_industry,
    recruiter_relation,
    victims,
)

__all__ = [
    "ALL_TABLES",
    "LABOUR_TYPES",
    "SPLIT",
    "VICTIM_ROLES",
    "Period",
    "Reader",
    "StatTable",
    "cases_and_follow_ups",
    "coded_item",
    "contacts_by_centre_hour",
    "contacts_by_centre_month",
    "contacts_by_relation",
    "forced_labour_by_industry",
    "recruiter_relation",
    "referrals",
    "support_delivered",
    "to_csv_rows",
    "victims",
    "workload",
]


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
