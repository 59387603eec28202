"""What counsellors record: typed, frozen inputs, validated against the code lists on creation.

Bad input raises a bilingual :class:`ValueError` before anything is written, so nothing is lost
half-way. Direct identifiers (names, dates of birth, id numbers, phones, addresses, free text)
arrive here in clear and leave only encrypted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from callcenter.cases import provinces
from callcenter.cases.codelists import codelist

_COUNTRY_LEN = 2


def _country(value: str | None) -> None:
    if value is not None and (len(value) != _COUNTRY_LEN or not value.isupper()):
        raise ValueError(f"mã quốc gia ISO 3166 không hợp lệ / invalid ISO 3166 code: {value!r}")


def _aware(name: str, value: dt.datetime | None) -> None:
    if value is not None and value.tzinfo is None:
        raise ValueError(f"{name}: cần múi giờ / needs a time zone (store UTC)")


@dataclass(frozen=True, slots=True)
class ContactInput:
    centre: str
    started_at: dt.datetime
    kind: str
    caller_number: str | None = None  # as Asterisk gave it; withheld numbers never match
    call_id: str | None = None
    channel: str = "voice"
    ended_at: dt.datetime | None = None
    counsellor_id: str | None = None
    case_id: str | None = None
    province: str | None = None
    language: str | None = None
    request_type: str = "none"
    urgency: str = "normal"
    heard_via: str | None = None
    caller_relation: str | None = None
    caller_sex: str | None = None
    actions: tuple[str, ...] = ()
    notes: str | None = None

    def __post_init__(self) -> None:
        codelist("contact_kind").check(self.kind, optional=False)
        codelist("channel").check(self.channel, optional=False)
        codelist("request_type").check(self.request_type, optional=False)
        codelist("urgency").check(self.urgency, optional=False)
        codelist("heard_via").check(self.heard_via)
        codelist("caller_relation").check(self.caller_relation)
        codelist("sex").check(self.caller_sex)
        for action in self.actions:
            codelist("action_taken").check(action, optional=False)
        provinces.check(self.province)
        _aware("started_at", self.started_at)
        _aware("ended_at", self.ended_at)


@dataclass(frozen=True, slots=True)
class CaseInput:
    centre: str
    opened_at: dt.datetime
    lead_counsellor_id: str | None = None
    counsellors: tuple[str, ...] = ()
    sensitivity: str = "normal"
    summary: str | None = None

    def __post_init__(self) -> None:
        codelist("sensitivity").check(self.sensitivity, optional=False)
        _aware("opened_at", self.opened_at)


@dataclass(frozen=True, slots=True)
class ExploitationInput:
    exploitation_type: str
    sex_subtype: str | None = None
    industry: str | None = None
    country: str | None = None
    province: str | None = None
    started_on: dt.date | None = None
    ended_on: dt.date | None = None

    def __post_init__(self) -> None:
        codelist("exploitation_type").check(self.exploitation_type, optional=False)
        codelist("sex_exploitation_subtype").check(self.sex_subtype)
        codelist("labour_industry").check(self.industry)
        _country(self.country)
        provinces.check(self.province)


@dataclass(frozen=True, slots=True)
class EventInput:
    event_type: str
    event_date: dt.date | None = None
    country: str | None = None
    province: str | None = None
    description: str | None = None

    def __post_init__(self) -> None:
        codelist("event_type").check(self.event_type, optional=False)
        _country(self.country)
        provinces.check(self.province)


@dataclass(frozen=True, slots=True)
class VictimInput:
    trafficking_status: str = "possible"
    status_decided_by: str | None = None
    legal_status: str = "not_applicable"
    recruiter_relation: str | None = None
    cross_border: bool | None = None
    country_of_exploitation: str | None = None
    agreement_to_manage_data: bool = False
    means_of_control: tuple[str, ...] = ()
    recruitment_methods: tuple[str, ...] = ()
    recruitment_platforms: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        codelist("trafficking_status").check(self.trafficking_status, optional=False)
        codelist("status_decided_by").check(self.status_decided_by)
        codelist("legal_status").check(self.legal_status, optional=False)
        codelist("recruiter_relation").check(self.recruiter_relation)
        _country(self.country_of_exploitation)
        for name, codes in self.multi_codes():
            for code in codes:
                codelist(name).check(code, optional=False)

    def multi_codes(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        return (
            ("means_of_control", self.means_of_control),
            ("recruitment_method", self.recruitment_methods),
            ("recruitment_platform", self.recruitment_platforms),
        )


@dataclass(frozen=True, slots=True)
class PersonInput:
    role: str
    given_name: str | None = None
    family_name: str | None = None
    birth_date: dt.date | None = None
    id_number: str | None = None
    phone: str | None = None
    address: str | None = None
    ethnicity: str | None = None  # sensitive data (Law 91/2025): encrypted
    age: int | None = None
    age_estimated: bool = False
    sex: str = "unknown"
    gender_identity: str = "unknown"
    citizenship: str | None = None
    primary_language: str | None = None
    province: str | None = None
    migrant_type: str | None = None
    victim: VictimInput | None = None
    exploitations: tuple[ExploitationInput, ...] = ()
    events: tuple[EventInput, ...] = field(default=())

    def __post_init__(self) -> None:
        codelist("person_role").check(self.role, optional=False)
        codelist("sex").check(self.sex, optional=False)
        codelist("gender_identity").check(self.gender_identity, optional=False)
        codelist("migrant_type").check(self.migrant_type)
        _country(self.citizenship)
        provinces.check(self.province)
        if self.age is not None and not 0 <= self.age <= 130:
            raise ValueError(f"tuổi không hợp lệ / invalid age: {self.age}")


@dataclass(frozen=True, slots=True)
class PerpetratorInput:
    role_in_process: str
    relation_to_victim: str | None = None
    person: PersonInput | None = None
    details: str | None = None

    def __post_init__(self) -> None:
        codelist("perpetrator_role").check(self.role_in_process, optional=False)
        codelist("recruiter_relation").check(self.relation_to_victim)


@dataclass(frozen=True, slots=True)
class ReferralInput:
    agency_id: str
    service: str
    referred_at: dt.datetime
    person_id: str | None = None
    direction: str = "outgoing"
    consent_to_share: bool = False
    notes: str | None = None

    def __post_init__(self) -> None:
        codelist("referral_service").check(self.service, optional=False)
        codelist("referral_direction").check(self.direction, optional=False)
        _aware("referred_at", self.referred_at)


@dataclass(frozen=True, slots=True)
class AgencyInput:
    name: str
    agency_type: str
    province: str | None = None
    country: str = "VN"
    phone: str | None = None  # the agency's public number, E.164
    focal_person: str | None = None

    def __post_init__(self) -> None:
        codelist("agency_type").check(self.agency_type, optional=False)
        provinces.check(self.province)
        _country(self.country)
        if self.phone is not None and not (
            self.phone.startswith("+") and self.phone[1:].isdigit() and len(self.phone) <= 16
        ):
            raise ValueError(
                f"số điện thoại E.164 không hợp lệ / not an E.164 number: {self.phone}"
            )
