"""Realistic case-store records for tests (names and numbers are invented)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from callcenter.cases.access import Reader
from callcenter.cases.inputs import (
    AgencyInput,
    CaseInput,
    ContactInput,
    EventInput,
    ExploitationInput,
    PerpetratorInput,
    PersonInput,
    ReferralInput,
    VictimInput,
)
from callcenter.cases.service import CaseStore

T0 = dt.datetime(2026, 3, 1, 2, 30, tzinfo=dt.UTC)  # 09:30 in Viet Nam

ADMIN = Reader("admin-1", "admin", None, "test:setup")
HN_COUNSELLOR = Reader("hn-c1", "counsellor", "HN", "POST /cases")
DN_COUNSELLOR = Reader("dn-c1", "counsellor", "DN", "GET /cases")
ANALYST = Reader("analyst-1", "analyst", None, "GET /statistics")
AUDITOR = Reader("auditor-1", "auditor", None, "GET /audit")


@dataclass(frozen=True)
class Identifiers:
    """Every direct identifier the realistic case writes; none may appear in clear at rest."""

    caller_number: str = "0912345678"
    caller_number_e164: str = "+84912345678"
    given_name: str = "Thị Hoa"
    family_name: str = "Nguyễn"
    birth_date: str = "2007-05-14"
    id_number: str = "001307012345"
    phone: str = "0987654321"
    address: str = "Số 12 ngõ 45 phố Hàng Bạc, Hoàn Kiếm"
    contact_note: str = "Cô ấy nói bị giữ hộ chiếu ở Quảng Tây"
    case_summary: str = "Hứa việc làm nhà hàng, bị bán sang Trung Quốc"
    safe_times: str = "sau 21 giờ tối thứ Bảy"
    perpetrator_name: str = "Trần Văn Khánh"
    event_description: str = "Gặp người môi giới tại chợ Lào Cai"
    referral_note: str = "Chuyển chị Hoa tới nhà tạm lánh Lào Cai"
    consent_told: str = "Đã giải thích việc chia sẻ thông tin cho công an tỉnh"

    def all(self) -> tuple[str, ...]:
        return tuple(getattr(self, name) for name in self.__dataclass_fields__)


IDS = Identifiers()


async def seed_users(store: CaseStore) -> None:
    await store.add_user(ADMIN, "hn-c1", "Counsellor HN 1", "counsellor", "HN")
    await store.add_user(ADMIN, "dn-c1", "Counsellor DN 1", "counsellor", "DN")


async def realistic_case(store: CaseStore, reader: Reader = HN_COUNSELLOR) -> dict[str, str]:
    """One contact, case, survivor, perpetrator, referral, follow-up and consent."""
    agency = await store.add_agency(
        ADMIN,
        AgencyInput(
            name="Nhà tạm lánh Lào Cai",
            agency_type="shelter",
            province="vn34-15",
            phone="+842143812345",
            focal_person="Phạm Thu Trang",
        ),
    )
    case_id = await store.open_case(
        reader,
        CaseInput(centre="HN", opened_at=T0, lead_counsellor_id="hn-c1", summary=IDS.case_summary),
    )
    contact_id = await store.record_contact(
        reader,
        ContactInput(
            centre="HN",
            started_at=T0,
            ended_at=T0 + dt.timedelta(minutes=12),
            kind="about_self",
            caller_number=IDS.caller_number,
            counsellor_id="hn-c1",
            case_id=case_id,
            province="vn63-10",
            request_type="crisis",
            urgency="urgent",
            caller_relation="self",
            caller_sex="female",
            actions=("counselling", "case_opened"),
            notes=IDS.contact_note,
        ),
    )
    person_id = await store.add_person(
        reader,
        case_id,
        PersonInput(
            role="identified_victim",
            given_name=IDS.given_name,
            family_name=IDS.family_name,
            birth_date=dt.date.fromisoformat(IDS.birth_date),
            id_number=IDS.id_number,
            phone=IDS.phone,
            address=IDS.address,
            ethnicity="H'Mông",
            age=18,
            sex="female",
            gender_identity="woman",
            citizenship="VN",
            province="vn63-10",
            migrant_type="returnee",
            victim=VictimInput(
                trafficking_status="actual",
                status_decided_by="border_guard",
                legal_status="victim",
                recruiter_relation="acquaintance",
                cross_border=True,
                country_of_exploitation="CN",
                means_of_control=("withholds_documents", "threats", "false_promises"),
                recruitment_methods=("job_offer",),
                recruitment_platforms=("zalo",),
            ),
            exploitations=(
                ExploitationInput("forced_marriage", country="CN"),
                ExploitationInput("forced_labour", industry="I", country="CN"),
            ),
            events=(
                EventInput(
                    "recruitment",
                    dt.date(2025, 11, 2),
                    "VN",
                    "vn34-15",
                    IDS.event_description,
                ),
            ),
        ),
    )
    perpetrator = await store.add_perpetrator(
        reader,
        case_id,
        PerpetratorInput(
            "recruiter",
            "acquaintance",
            PersonInput(role="perpetrator", given_name=IDS.perpetrator_name, sex="male"),
        ),
    )
    referral = await store.refer(
        reader,
        case_id,
        ReferralInput(
            agency_id=agency,
            service="essential_needs",
            referred_at=T0 + dt.timedelta(days=2),
            person_id=person_id,
            consent_to_share=True,
            notes=IDS.referral_note,
        ),
    )
    follow_up = await store.plan_follow_up(reader, case_id, T0 + dt.timedelta(days=7), "hn-c1")
    consent = await store.record_consent(
        reader, person_id, "referral_sharing", told=IDS.consent_told, given_at=T0
    )
    await store.set_caller_safety(
        reader,
        IDS.caller_number,
        never_call_back=False,
        safe_to_call_back=True,
        safe_times=IDS.safe_times,
    )
    return {
        "agency": agency,
        "case": case_id,
        "contact": contact_id,
        "person": person_id,
        "perpetrator": perpetrator,
        "referral": referral,
        "follow_up": follow_up,
        "consent": consent,
    }
