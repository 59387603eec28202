"""Anonymised exports for agencies and published (suppressed) aggregate tables.

* :func:`victim_export`: CTDC-style rows, one per victim, k-anonymous over the quasi-identifiers
  (see :mod:`callcenter.cases.anonymity`), with per-recipient pseudonymous ids, years not dates,
  age bands not ages, provinces not communes, coarse gender. Direct identifiers are never read:
  the query selects no encrypted column.
* :func:`publish`: a statistics table collapsed to two dimensions, cells under k suppressed with
  complementary suppression (:mod:`callcenter.cases.suppression`).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from callcenter.cases import audit, bands
from callcenter.cases.access import Reader, statistics_centres
from callcenter.cases.anonymity import AnonymisedExport, VictimRecord, k_anonymise
from callcenter.cases.codelists import codelist
from callcenter.cases.localtime import to_local
from callcenter.cases.models import Case, Exploitation, Person, PersonCode, VictimContext
from callcenter.cases.statistics import VICTIM_ROLES, Period, StatTable
from callcenter.cases.suppression import DEFAULT_K, SuppressedTable, suppress, to_rows
from callcenter.privacy import Crypto


def _flag_columns() -> dict[str, str]:
    """means_of_control code -> CTDC column name (one 0/1 column each)."""
    return {c.code: c.ctdc or f"meansOfControl_{c.code}" for c in codelist("means_of_control")}


async def _records(session: AsyncSession, period: Period, centre: str | None) -> list[VictimRecord]:
    query = (
        select(
            Person.id,
            Person.sex,
            Person.gender_identity,
            Person.age_band,
            Person.province,
            Person.citizenship,
            Case.opened_at,
            VictimContext.trafficking_status,
            VictimContext.recruiter_relation,
        )
        .join(Case, Case.id == Person.case_id)
        .outerjoin(VictimContext, VictimContext.person_id == Person.id)
        .where(
            Person.role.in_(VICTIM_ROLES),
            Case.opened_at >= period.start,
            Case.opened_at < period.end,
        )
    )
    if centre is not None:
        query = query.where(Case.centre_code == centre)
    people = (await session.execute(query)).all()
    ids = [p[0] for p in people]
    forms: dict[str, set[str]] = defaultdict(set)
    means: dict[str, set[str]] = defaultdict(set)
    for chunk in range(0, len(ids), 5000):
        part = ids[chunk : chunk + 5000]
        for pid, etype in await session.execute(
            select(Exploitation.person_id, Exploitation.exploitation_type).where(
                Exploitation.person_id.in_(part)
            )
        ):
            forms[pid].add(etype)
        for pid, code in await session.execute(
            select(PersonCode.person_id, PersonCode.code).where(
                PersonCode.person_id.in_(part), PersonCode.list_name == "means_of_control"
            )
        ):
            means[pid].add(code)
    flags = _flag_columns()
    records = []
    for pid, sex, gi, band, province, citizenship, opened_at, status, relation in people:
        attributes = {
            "traffickingStatus": status or "possible",
            "recruiterRelation": relation or "unknown",
        }
        for code, column in flags.items():
            attributes[column] = "1" if code in means[pid] else "0"
        records.append(
            VictimRecord(
                key=pid,
                gender=bands.coarse_gender(sex, gi),
                age_band=band,
                province=province,
                year=to_local(opened_at).year,
                citizenship=citizenship,
                exploitation=frozenset(forms[pid] - {"unknown"}),
                attributes=attributes,
            )
        )
    return records


async def victim_export(
    session: AsyncSession,
    crypto: Crypto,
    reader: Reader,
    *,
    recipient: str,
    period: Period,
    k: int = DEFAULT_K,
    now: dt.datetime,
) -> AnonymisedExport:
    """The k-anonymous victim rows for one recipient; the export is audited."""
    centre = statistics_centres(reader)
    if not recipient.strip():
        raise ValueError("cần tên đơn vị nhận / the recipient must be named")
    await audit.begin_append(session)
    records = await _records(session, period, centre)

    def pseudonym(key: str) -> str:
        return crypto.hash_value(f"export\n{recipient}\n{key}")[:16]

    result = k_anonymise(records, k=k, pseudonym=pseudonym)
    await audit.append(
        session,
        crypto.hash_value,
        reader,
        action="export",
        entity="victim_export",
        entity_id=recipient[:64],
        at=now,
    )
    return result


def write_export(result: AnonymisedExport, out: TextIO) -> None:
    writer = csv.DictWriter(out, fieldnames=list(result.columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(result.rows)


def publish(
    table: StatTable, row_dim: str, col_dim: str, *, k: int = DEFAULT_K, value: str | None = None
) -> SuppressedTable:
    """Collapse ``table`` to ``row_dim`` x ``col_dim`` (summing the count column), then suppress."""
    count_col = value or table.columns[-1]
    ri, ci, vi = (table.columns.index(c) for c in (row_dim, col_dim, count_col))
    cells: dict[tuple[str, str], int] = defaultdict(int)
    for row in table.rows:
        cells[(str(row[ri]), str(row[ci]))] += int(row[vi])
    rows = sorted({r for r, _ in cells})
    cols = sorted({c for _, c in cells})
    counts = [[cells.get((r, c), 0) for c in cols] for r in rows]
    return suppress(counts, rows, cols, k=k)


def write_rows(rows: Iterable[Sequence[Any]], out: TextIO) -> None:
    csv.writer(out, lineterminator="\n").writerows(rows)


def write_published(table: SuppressedTable, out: TextIO) -> None:
    write_rows(to_rows(table, suppressed_mark=f"<{table.k}"), out)
