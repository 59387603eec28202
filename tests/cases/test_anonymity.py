"""The agencies' export is k-anonymous over its quasi-identifiers, with per-recipient ids."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from callcenter.cases.anonymity import QUASI_IDENTIFIERS, VictimRecord, k_anonymise
from callcenter.cases.bands import age_band, coarse_gender

PROVINCES = ["vn34-01", "vn34-15", "vn34-08", "vn63-02", "vn34-79", "vn34-91", "vn34-48"]
FORMS = ["sexual_exploitation", "forced_labour", "forced_marriage", "forced_criminality"]


def _population(n: int, seed: int) -> list[VictimRecord]:
    rng = random.Random(seed)
    records = []
    for i in range(n):
        forms = frozenset(rng.sample(FORMS, rng.choice([0, 1, 1, 1, 2])))
        records.append(
            VictimRecord(
                key=f"person-{i}",
                gender=coarse_gender(
                    rng.choice(["female"] * 7 + ["male"] * 2 + ["unknown"]),
                    rng.choice(["unknown"] * 9 + ["transgender"]),
                ),
                age_band=age_band(rng.choice([None, *range(6, 60)])),
                province=rng.choice([*PROVINCES, None]),
                year=rng.choice([2024, 2025, 2026]),
                citizenship=rng.choice(["VN"] * 8 + ["LA", "KH", None]),
                exploitation=forms,
                attributes={"meansOfControlThreats": rng.choice("01")},
            )
        )
    return records


@pytest.mark.parametrize(("n", "k", "seed"), [(60, 11, 1), (400, 11, 2), (2000, 5, 3), (25, 11, 4)])
def test_every_quasi_identifier_combination_occurs_at_least_k_times(
    n: int, k: int, seed: int
) -> None:
    result = k_anonymise(_population(n, seed), k=k, pseudonym=lambda key: f"id-{key}")
    combos = Counter(tuple(row[q] for q in QUASI_IDENTIFIERS) for row in result.rows)
    assert all(count >= k for count in combos.values()), combos
    assert len(result.rows) + result.suppressed == n
    assert result.suppressed <= max(0.05 * n, n if n < k else 0)


def test_large_population_keeps_detail_and_small_one_is_coarsened() -> None:
    big = k_anonymise(_population(5000, 7), k=11, pseudonym=str)
    small = k_anonymise(_population(80, 7), k=11, pseudonym=str)
    assert sum(big.levels.values()) < sum(small.levels.values())
    assert big.levels["gender"] == 0  # gender is the last thing given up


def test_pseudonyms_differ_per_recipient_and_hide_the_key() -> None:
    people = _population(200, 9)
    a = k_anonymise(people, k=11, pseudonym=lambda key: f"A{hash(('A', key)) & 0xFFFF:x}")
    b = k_anonymise(people, k=11, pseudonym=lambda key: f"B{hash(('B', key)) & 0xFFFF:x}")
    assert {r["id"] for r in a.rows}.isdisjoint({r["id"] for r in b.rows})
    assert not any(r["id"].startswith("person-") for r in a.rows)
    assert [r["id"] for r in a.rows] == sorted(r["id"] for r in a.rows)  # order says nothing


def test_k_below_two_is_refused() -> None:
    with pytest.raises(ValueError, match="k must"):
        k_anonymise([], k=1, pseudonym=str)
