"""Viet Nam's provincial units: the 63 valid until 30 June 2025 and the 34 from 1 July 2025.

Data: ``codelists/provinces-2025.csv`` (shipped with the code). Codes are the General Statistics
Office (GSO / Tổng cục Thống kê) provincial codes; the old->new conversion follows Resolution
202/2025/QH15 of the National Assembly on the arrangement of provincial-level units (whole
provinces merged, effective 1 July 2025). The PyPI package ``vietnam-provinces`` was checked: its
wheel (2025.10.1) carries only the 34 new units and no licence metadata (the repository says
GPL-3.0-or-later), so the list is shipped here as data with its sources named.

A unit id carries its list, because the GSO re-used old codes for the new units (``vn63-15`` is
the former Yên Bái, ``vn34-15`` the new Lào Cai). Records keep the id that was valid when they were
written; statistics convert to the current list with :func:`current_unit`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources

REFORM_DATE = dt.date(2025, 7, 1)
REGIONS = ("north", "central", "south")


class UnknownProvinceError(ValueError):
    def __init__(self, unit_id: object) -> None:
        super().__init__(
            f"Mã tỉnh không hợp lệ: {unit_id!r} / unknown province unit: {unit_id!r} "
            "(expected e.g. 'vn34-01' or 'vn63-02')"
        )


@dataclass(frozen=True, slots=True)
class ProvinceUnit:
    unit_id: str
    gso_code: str
    name_vi: str
    name_en: str
    valid_from: dt.date
    valid_to: dt.date | None
    successor: str | None
    region: str

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@cache
def _units() -> dict[str, ProvinceUnit]:
    text = resources.files("callcenter.cases.codelists").joinpath("provinces-2025.csv")
    rows = csv.DictReader(io.StringIO(text.read_text(encoding="utf-8")))
    units: dict[str, ProvinceUnit] = {}
    for row in rows:
        units[row["unit_id"]] = ProvinceUnit(
            unit_id=row["unit_id"],
            gso_code=row["gso_code"],
            name_vi=row["name_vi"],
            name_en=row["name_en"],
            valid_from=dt.date.fromisoformat(row["valid_from"]),
            valid_to=dt.date.fromisoformat(row["valid_to"]) if row["valid_to"] else None,
            successor=row["successor"] or None,
            region=row["region"],
        )
    return units


def all_units() -> tuple[ProvinceUnit, ...]:
    return tuple(_units().values())


def units_valid_on(day: dt.date) -> tuple[ProvinceUnit, ...]:
    """The list in force on ``day`` (63 units before 1 July 2025, 34 from then on)."""
    return tuple(u for u in _units().values() if u.valid_on(day))


def unit(unit_id: str) -> ProvinceUnit:
    try:
        return _units()[unit_id]
    except KeyError:
        raise UnknownProvinceError(unit_id) from None


def check(unit_id: str | None) -> str | None:
    """Validate an optional unit id; returns it unchanged."""
    if unit_id is not None:
        unit(unit_id)
    return unit_id


def current_unit(unit_id: str) -> ProvinceUnit:
    """The unit of the current (34-unit) list that now covers ``unit_id``."""
    u = unit(unit_id)
    while u.successor is not None:
        u = unit(u.successor)
    return u


def predecessors(unit_id: str) -> tuple[ProvinceUnit, ...]:
    """The former units merged into ``unit_id`` (empty for a unit of the old list)."""
    return tuple(u for u in _units().values() if u.successor == unit_id)


def region_of(unit_id: str) -> str:
    """north / central / south: the default home region, hence the default centre."""
    return unit(unit_id).region


DEFAULT_CENTRE_BY_REGION = {"north": "HN", "central": "DN", "south": "AG"}
