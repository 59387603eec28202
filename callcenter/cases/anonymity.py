"""k-anonymous, CTDC-style victim rows for agencies (pure functions).

Quasi-identifiers: gender (coarse), age band, province, year, citizenship, form of exploitation.
Every combination of them in the output occurs at least ``k`` times. The algorithm is greedy
full-domain generalisation: while more than ``max_suppressed_share`` of the rows sit in classes
smaller than ``k``, raise by one level the quasi-identifier whose coarsening leaves the fewest such
rows; then drop (suppress) the rows still in small classes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from callcenter.cases import bands, provinces

QUASI_IDENTIFIERS = ("gender", "age_band", "province", "year", "citizenship", "exploitation")
STAR = "*"
LAST_RESORT = "gender"

_COARSE_EXPLOITATION = {
    "sexual_exploitation": "sexual",
    "forced_labour": "labour",
    "child_labour": "labour",
    "forced_begging": "labour",
    "forced_criminality": "labour",
    "servitude": "labour",
    "forced_marriage": "marriage",
}


@dataclass(frozen=True, slots=True)
class VictimRecord:
    """One victim, already stripped of direct identifiers (internal key for pseudonyms only)."""

    key: str
    gender: str
    age_band: str
    province: str | None  # province unit id (either list)
    year: int
    citizenship: str | None
    exploitation: frozenset[str]
    attributes: dict[str, str] = field(default_factory=dict)  # non-identifying CTDC columns


def _province(value: str | None, level: int) -> str:
    if value is None:
        return "unknown" if level < 2 else STAR
    unit = provinces.current_unit(value)
    return (unit.name_en, unit.region, STAR)[level]


def _age(value: str, level: int) -> str:
    return (value, bands.minor_or_adult(value), STAR)[level]


def _year(value: int, level: int) -> str:
    start = value - value % 2
    return (str(value), f"{start}-{start + 1}", STAR)[level]


def _citizenship(value: str | None, level: int) -> str:
    if value is None:
        return "unknown" if level < 2 else STAR
    return (value, "VN" if value == "VN" else "foreign", STAR)[level]


def _exploitation(value: frozenset[str], level: int) -> str:
    if level == 0:
        return "+".join(sorted(value)) if value else "unknown"
    if level == 1:
        groups = {_COARSE_EXPLOITATION.get(v, "other") for v in value}
        return "unknown" if not groups else groups.pop() if len(groups) == 1 else "multiple"
    return STAR


def _gender(value: str, level: int) -> str:
    return (value, STAR)[level]


_HIERARCHY: dict[str, tuple[int, Callable[[VictimRecord, int], str]]] = {
    "gender": (1, lambda r, lv: _gender(r.gender, lv)),
    "age_band": (2, lambda r, lv: _age(r.age_band, lv)),
    "province": (2, lambda r, lv: _province(r.province, lv)),
    "year": (2, lambda r, lv: _year(r.year, lv)),
    "citizenship": (2, lambda r, lv: _citizenship(r.citizenship, lv)),
    "exploitation": (2, lambda r, lv: _exploitation(r.exploitation, lv)),
}


@dataclass(frozen=True, slots=True)
class AnonymisedExport:
    columns: tuple[str, ...]
    rows: tuple[dict[str, str], ...]
    levels: dict[str, int]
    k: int
    suppressed: int  # rows dropped because no coarsening made their class large enough


def _generalise(records: Sequence[VictimRecord], levels: dict[str, int]) -> list[tuple[str, ...]]:
    return [tuple(_HIERARCHY[q][1](r, levels[q]) for q in QUASI_IDENTIFIERS) for r in records]


def _small_rows(keys: list[tuple[str, ...]], k: int) -> int:
    counts = Counter(keys)
    return sum(n for n in counts.values() if n < k)


def k_anonymise(
    records: Sequence[VictimRecord],
    *,
    k: int,
    pseudonym: Callable[[str], str],
    max_suppressed_share: float = 0.05,
) -> AnonymisedExport:
    """Generalise and suppress until every quasi-identifier combination occurs >= k times.

    ``pseudonym`` maps a record's internal key to the recipient's pseudonymous id (a keyed hash
    that differs per recipient, so two recipients cannot join their files on it).
    """
    if k < 2:
        raise ValueError("k must be at least 2")
    levels = dict.fromkeys(QUASI_IDENTIFIERS, 0)
    keys = _generalise(records, levels)
    budget = int(max_suppressed_share * len(records))
    while _small_rows(keys, k) > budget:
        best: tuple[int, str] | None = None
        open_qis = [q for q in QUASI_IDENTIFIERS if levels[q] < _HIERARCHY[q][0]]
        if any(q != LAST_RESORT for q in open_qis):  # gender is given up only at the very end
            open_qis = [q for q in open_qis if q != LAST_RESORT]
        for q in open_qis:
            trial = {**levels, q: levels[q] + 1}
            small = _small_rows(_generalise(records, trial), k)
            if best is None or small < best[0]:
                best = (small, q)
        if best is None:
            break
        levels[best[1]] += 1
        keys = _generalise(records, levels)
    counts = Counter(keys)
    attribute_names = sorted({a for r in records for a in r.attributes})
    columns = ("id", *QUASI_IDENTIFIERS, *attribute_names)
    rows = []
    for record, key in zip(records, keys, strict=True):
        if counts[key] < k:
            continue
        row = {"id": pseudonym(record.key), **dict(zip(QUASI_IDENTIFIERS, key, strict=True))}
        for name in attribute_names:
            row[name] = record.attributes.get(name, "")
        rows.append(row)
    rows.sort(key=lambda row: row["id"])  # the order carries no information
    return AnonymisedExport(
        columns=columns,
        rows=tuple(rows),
        levels=levels,
        k=k,
        suppressed=len(records) - len(rows),
    )
