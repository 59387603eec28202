"""What store reads return: frozen views with identifiers decrypted for authorised readers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PersonView:
    id: str
    role: str
    given_name: str | None
    family_name: str | None
    birth_date: str | None
    id_number: str | None
    phone: str | None
    address: str | None
    age_at_contact: int | None
    age_band: str
    sex: str
    gender_identity: str
    citizenship: str | None
    province: str | None
    trafficking_status: str | None
    legal_status: str | None
    exploitation_types: tuple[str, ...]
    means_of_control: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ReferralView:
    id: str
    agency_id: str
    service: str
    referred_at: dt.datetime
    outcome: str
    responded_at: dt.datetime | None
    notes: str | None


@dataclass(frozen=True, slots=True)
class FollowUpView:
    id: str
    case_id: str
    due_at: dt.datetime
    done_at: dt.datetime | None
    outcome: str | None
    risk_level: str | None
    overdue: bool


@dataclass(frozen=True, slots=True)
class CaseView:
    id: str
    reference: str
    status: str
    centre: str
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    sensitivity: str
    summary: str | None
    counsellors: tuple[str, ...]
    persons: tuple[PersonView, ...]
    referrals: tuple[ReferralView, ...]
    follow_ups: tuple[FollowUpView, ...]


@dataclass(frozen=True, slots=True)
class ContactSummary:
    id: str
    started_at: dt.datetime
    centre: str
    kind: str
    request_type: str
    urgency: str
    case_id: str | None
    counsellor_id: str | None


@dataclass(frozen=True, slots=True)
class OpenCaseSummary:
    id: str
    reference: str
    status: str
    centre: str
    opened_at: dt.datetime


@dataclass(frozen=True, slots=True)
class CallerHistory:
    """What the screen-pop shows about a repeat caller (no identifier in it)."""

    caller_id: str | None
    contacts: tuple[ContactSummary, ...]
    open_cases: tuple[OpenCaseSummary, ...]
    never_call_back: bool
    safe_to_call_back: bool | None
    safe_times: str | None

    @property
    def known(self) -> bool:
        return self.caller_id is not None
