"""Shared pieces of the statistics: the period, the table type, person x form rows."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, String, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.expression import Executable

from callcenter.cases import provinces
from callcenter.cases.models import (
    Case,
    Exploitation,
    Person,
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


def lit(value: str) -> ColumnElement[str]:
    """A constant rendered inline (not a bound parameter), so GROUP BY matches the SELECT."""
    if not all(ch.isalnum() or ch in "_-+" for ch in value):
        raise ValueError(f"unsafe SQL constant {value!r}")
    return literal_column(f"'{value}'", String())


# Each person's distinct forms of exploitation: joined to people, every (person, form) row is
# unique, so tables count rows (fast hash aggregates) instead of COUNT(DISTINCT person).
FORMS = select(Exploitation.person_id, Exploitation.exploitation_type).distinct().subquery("forms")


def exploitation() -> ColumnElement[str]:
    return func.coalesce(FORMS.c.exploitation_type, lit("unknown"))


def victim_rows(period: Period, centre: str | None) -> Select[Any]:
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


async def fetch(session: AsyncSession, query: Executable) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in (await session.execute(query)).all()]


def convert_province(rows: list[tuple[Any, ...]], index: int) -> list[tuple[Any, ...]]:
    """Replace a province unit id by its current (34-unit) name, re-adding the counts."""
    merged: dict[tuple[Any, ...], int] = defaultdict(int)
    for row in rows:
        unit = row[index]
        name = provinces.current_unit(unit).name_en if unit else "unknown"
        key = (*row[:index], name, *row[index + 1 : -1])
        merged[key] += int(row[-1])
    return sorted((*k, v) for k, v in merged.items())
