"""Code lists and provinces: complete, bilingual, linked to the standards, both province lists."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from callcenter.cases import provinces
from callcenter.cases.bands import age_band, coarse_gender, minor_or_adult
from callcenter.cases.codelists import UnknownCodeError, codelist, load
from callcenter.cases.mapping import mapping_markdown

DOCS = Path(__file__).parents[2] / "docs" / "case-store.md"


def test_every_code_has_both_labels_and_lists_are_unique() -> None:
    lists = load().lists
    for name, code_list in lists.items():
        codes = code_list.values()
        assert len(codes) == len(set(codes)), name
        for code in code_list:
            assert code.vi.strip() and code.en.strip(), (name, code.code)


def test_means_of_control_are_the_16_htcds_values_plus_other() -> None:
    means = codelist("means_of_control")
    htcds = {c.htcds for c in means if c.code != "other"}
    assert len(htcds) == 16
    assert {"DebtBondage", "WithholdsDocuments", "FalsePromises", "ExcessiveWorkingHours"} <= htcds


def test_referral_services_cover_article_37() -> None:
    services = set(codelist("referral_service").values())
    assert {
        "essential_needs", "medical_care", "interpretation", "legal_information", "legal_aid",
        "travel_costs", "psychological_support", "education", "vocational_training",
        "hardship_allowance",
    } <= services  # fmt: skip


def test_unknown_code_is_refused_in_both_languages() -> None:
    with pytest.raises(UnknownCodeError, match=r"Mã không hợp lệ.*invalid code"):
        codelist("sex").check("femal")


@pytest.mark.parametrize(
    ("age", "band"),
    [(0, "0-8"), (8, "0-8"), (9, "9-17"), (17, "9-17"), (18, "18-20"), (29, "27-29"),
     (38, "30-38"), (47, "39-47"), (48, "48+"), (None, "unknown")],
)  # fmt: skip
def test_ctdc_age_bands(age: int | None, band: str) -> None:
    assert age_band(age) == band
    assert band in codelist("age_band")


def test_minors_and_coarse_gender() -> None:
    assert minor_or_adult("9-17") == "minor" and minor_or_adult("18-20") == "adult"
    assert coarse_gender("male", "transgender") == "trans_or_nonconforming"
    assert coarse_gender("female", "unknown") == "woman"
    assert coarse_gender("prefer_not_to_say", "prefer_not_to_say") == "unknown"


def test_both_province_lists_with_validity_and_conversion() -> None:
    before = provinces.units_valid_on(dt.date(2025, 6, 30))
    after = provinces.units_valid_on(dt.date(2025, 7, 1))
    assert len(before) == 63 and len(after) == 34
    assert {u.unit_id for u in before}.isdisjoint({u.unit_id for u in after})
    # every old unit converts to a current one; every new unit has at least one predecessor
    assert {provinces.current_unit(u.unit_id).unit_id for u in before} == {u.unit_id for u in after}
    assert provinces.current_unit("vn63-02").name_vi == "Tuyên Quang"  # Hà Giang merged
    assert provinces.current_unit("vn63-91").name_en == "An Giang"  # Kiên Giang merged
    assert {p.name_en for p in provinces.predecessors("vn34-79")} == {
        "Binh Duong", "Ba Ria - Vung Tau", "Ho Chi Minh City",
    }  # fmt: skip
    assert provinces.region_of("vn63-94") == "south"
    with pytest.raises(ValueError, match="unknown province"):
        provinces.unit("vn34-02")


def test_docs_carry_the_generated_mapping_table() -> None:
    assert mapping_markdown() in DOCS.read_text(encoding="utf-8")
