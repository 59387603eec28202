"""Case-store tables (SQLAlchemy 2, typed). One code path for PostgreSQL and SQLite.

Every field with an HTCDS or CTDC counterpart names it in ``info`` (``htcds``/``ctdc``); the
mapping table in docs/case-store.md is generated from these (``callcenter cases mapping``).
Columns ending in ``_enc`` hold Fernet tokens from :class:`callcenter.privacy.Crypto`: direct
identifiers are never stored in clear. Code-list columns hold codes from
:mod:`callcenter.cases.codelists`; province columns hold unit ids from
:mod:`callcenter.cases.provinces`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, Column, Date, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column

import callcenter.calls.models  # noqa: F401  (the calls table a contact links to)
from callcenter.db.base import Base

ID = String(36)
CODE = String(40)
PROVINCE = String(8)
COUNTRY = String(2)


def _info(htcds: str | None = None, ctdc: str | None = None, pii: bool = False) -> dict[str, Any]:
    info: dict[str, Any] = {}
    if htcds:
        info["htcds"] = htcds
    if ctdc:
        info["ctdc"] = ctdc
    if pii:
        info["pii"] = True
    return info


class Centre(Base):
    """A regional call centre (HN / DN / AG)."""

    __tablename__ = "cs_centre"
    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    name_vi: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))


class User(Base):
    """A counsellor or other user; ``id`` is the counsellor id used in call records."""

    __tablename__ = "cs_user"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(CODE)
    centre_code: Mapped[str | None] = mapped_column(ForeignKey("cs_centre.code"))
    gender: Mapped[str | None] = mapped_column(CODE)
    languages: Mapped[str] = mapped_column(String(100), default="vi")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Agency(Base):
    """Directory of agencies that take referrals (``org_``)."""

    __tablename__ = "cs_agency"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), info=_info("org_Name"))
    agency_type: Mapped[str] = mapped_column(CODE, info=_info("org_Type"))
    province: Mapped[str | None] = mapped_column(PROVINCE, info=_info("org_ShippingState"))
    country: Mapped[str] = mapped_column(COUNTRY, default="VN", info=_info("org_ShippingCountry"))
    phone: Mapped[str | None] = mapped_column(String(20), info=_info("org_Phone"))
    focal_person_enc: Mapped[str | None] = mapped_column(Text, info=_info(pii=True))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Caller(Base):
    """A pseudonymous caller: keyed hash of the number for matching, the number encrypted."""

    __tablename__ = "cs_caller"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    phone_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    phone_enc: Mapped[str | None] = mapped_column(Text, info=_info(pii=True))
    first_seen_at: Mapped[dt.datetime]
    last_seen_at: Mapped[dt.datetime]
    never_call_back: Mapped[bool] = mapped_column(Boolean, default=False)
    safe_to_call_back: Mapped[bool | None] = mapped_column(Boolean)
    safe_times_enc: Mapped[str | None] = mapped_column(Text, info=_info(pii=True))
    safety_note_enc: Mapped[str | None] = mapped_column(Text, info=_info(pii=True))
    pii_purged_at: Mapped[dt.datetime | None]


class Case(Base):
    """A case (``cas_``)."""

    __tablename__ = "cs_case"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    status: Mapped[str] = mapped_column(CODE, info=_info("cas_Status"))
    closure_reason: Mapped[str | None] = mapped_column(CODE)
    opened_at: Mapped[dt.datetime]
    closed_at: Mapped[dt.datetime | None]
    centre_code: Mapped[str] = mapped_column(ForeignKey("cs_centre.code"))
    lead_counsellor_id: Mapped[str | None] = mapped_column(ForeignKey("cs_user.id"))
    sensitivity: Mapped[str] = mapped_column(CODE, default="normal")
    summary_enc: Mapped[str | None] = mapped_column(Text, info=_info("cco_Comment", pii=True))
    pii_purged_at: Mapped[dt.datetime | None]
    __table_args__ = (Index("ix_cs_case_centre_status", "centre_code", "status"),)


class CaseCounsellor(Base):
    """The counsellors working on a case."""

    __tablename__ = "cs_case_counsellor"
    case_id: Mapped[str] = mapped_column(
        ForeignKey("cs_case.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(ForeignKey("cs_user.id"), primary_key=True)


class Contact(Base):
    """One contact (a call; later SMS or chat) and what the counsellor recorded about it."""

    __tablename__ = "cs_contact"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    call_id: Mapped[str | None] = mapped_column(
        String(200), ForeignKey("calls.call_id", ondelete="SET NULL"), unique=True
    )
    channel: Mapped[str] = mapped_column(CODE, default="voice")
    centre_code: Mapped[str] = mapped_column(ForeignKey("cs_centre.code"))
    started_at: Mapped[dt.datetime]
    ended_at: Mapped[dt.datetime | None]
    counsellor_id: Mapped[str | None] = mapped_column(ForeignKey("cs_user.id"))
    caller_id: Mapped[str | None] = mapped_column(ForeignKey("cs_caller.id"))
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cs_case.id"))
    province: Mapped[str | None] = mapped_column(PROVINCE)
    language: Mapped[str | None] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(CODE)
    request_type: Mapped[str] = mapped_column(CODE, default="none")
    urgency: Mapped[str] = mapped_column(CODE, default="normal")
    heard_via: Mapped[str | None] = mapped_column(CODE)
    caller_relation: Mapped[str | None] = mapped_column(CODE)
    caller_sex: Mapped[str | None] = mapped_column(CODE)
    notes_enc: Mapped[str | None] = mapped_column(Text, info=_info("cco_Comment", pii=True))
    pii_purged_at: Mapped[dt.datetime | None]
    __table_args__ = (
        Index("ix_cs_contact_caller_started", "caller_id", "started_at"),
        Index("ix_cs_contact_started", "started_at"),
        Index("ix_cs_contact_case", "case_id"),
    )


class ContactAction(Base):
    """Actions taken during a contact (multi-select, ``action_taken`` list)."""

    __tablename__ = "cs_contact_action"
    contact_id: Mapped[str] = mapped_column(
        ForeignKey("cs_contact.id", ondelete="CASCADE"), primary_key=True
    )
    action: Mapped[str] = mapped_column(CODE, primary_key=True)


class Person(Base):
    """A person in a case (``prs_``): survivor, person at risk, perpetrator..."""

    __tablename__ = "cs_person"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cs_case.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(CODE)
    given_name_enc: Mapped[str | None] = mapped_column(Text, info=_info("prs_FirstName", pii=True))
    family_name_enc: Mapped[str | None] = mapped_column(
        Text, info=_info("prs_SecondName", pii=True)
    )
    birth_date_enc: Mapped[str | None] = mapped_column(Text, info=_info("prs_Birthdate", pii=True))
    id_number_enc: Mapped[str | None] = mapped_column(Text, info=_info(pii=True))
    phone_enc: Mapped[str | None] = mapped_column(Text, info=_info("prs_MobilePhone", pii=True))
    address_enc: Mapped[str | None] = mapped_column(Text, info=_info("prs_MailingStreet", pii=True))
    ethnicity_enc: Mapped[str | None] = mapped_column(Text, info=_info(pii=True))
    age_at_contact: Mapped[int | None] = mapped_column(Integer)
    age_estimated: Mapped[bool] = mapped_column(Boolean, default=False)
    age_band: Mapped[str] = mapped_column(String(8), default="unknown", info=_info(ctdc="ageBroad"))
    sex: Mapped[str] = mapped_column(CODE, default="unknown", info=_info("prs_Gender", "gender"))
    gender_identity: Mapped[str] = mapped_column(
        CODE, default="unknown", info=_info("prs_Gender", "gender")
    )
    citizenship: Mapped[str | None] = mapped_column(
        COUNTRY, info=_info("prs_Nationality", "citizenship")
    )
    primary_language: Mapped[str | None] = mapped_column(String(8))
    province: Mapped[str | None] = mapped_column(PROVINCE, info=_info("prs_MailingState"))
    migrant_type: Mapped[str | None] = mapped_column(CODE)
    created_at: Mapped[dt.datetime]
    pii_purged_at: Mapped[dt.datetime | None]
    __table_args__ = (Index("ix_cs_person_case", "case_id"),)


class VictimContext(Base):
    """Victim context of a person (``vic_``)."""

    __tablename__ = "cs_victim_context"
    person_id: Mapped[str] = mapped_column(
        ForeignKey("cs_person.id", ondelete="CASCADE"), primary_key=True
    )
    trafficking_status: Mapped[str] = mapped_column(CODE, default="possible")
    status_decided_by: Mapped[str | None] = mapped_column(CODE)
    legal_status: Mapped[str] = mapped_column(CODE, default="not_applicable")
    recruiter_relation: Mapped[str | None] = mapped_column(
        CODE, info=_info(ctdc="recruiterRelation*")
    )
    cross_border: Mapped[bool | None] = mapped_column(Boolean)
    country_of_exploitation: Mapped[str | None] = mapped_column(
        COUNTRY, info=_info("vic_LocationOfExploitation", "CountryOfExploitation")
    )
    agreement_to_manage_data: Mapped[bool] = mapped_column(
        Boolean, default=False, info=_info("vic_AgreementToManagePersonalData")
    )


class PersonCode(Base):
    """Multi-select codes of a victim context: means of control, recruitment method, platform."""

    __tablename__ = "cs_person_code"
    person_id: Mapped[str] = mapped_column(
        ForeignKey("cs_person.id", ondelete="CASCADE"), primary_key=True
    )
    list_name: Mapped[str] = mapped_column(CODE, primary_key=True)
    code: Mapped[str] = mapped_column(CODE, primary_key=True)
    __table_args__ = (Index("ix_cs_person_code_list_code", "list_name", "code"),)


class Exploitation(Base):
    """One form of exploitation of a victim (0..n)."""

    __tablename__ = "cs_exploitation"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("cs_person.id", ondelete="CASCADE"))
    exploitation_type: Mapped[str] = mapped_column(CODE, info=_info(ctdc="is*Exploit"))
    sex_subtype: Mapped[str | None] = mapped_column(CODE, info=_info("vic_TypeOfSexExploitation"))
    industry: Mapped[str | None] = mapped_column(
        String(8), info=_info("vic_LabourIndustry", "typeOfLabour*")
    )
    country: Mapped[str | None] = mapped_column(COUNTRY, info=_info("vic_LocationOfExploitation"))
    province: Mapped[str | None] = mapped_column(PROVINCE)
    started_on: Mapped[dt.date | None] = mapped_column(Date)
    ended_on: Mapped[dt.date | None] = mapped_column(Date)
    __table_args__ = (Index("ix_cs_exploitation_person", "person_id"),)


class TraffickingEvent(Base):
    """A trafficking event (``hte_``): recruitment, transit or exploitation."""

    __tablename__ = "cs_trafficking_event"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("cs_person.id", ondelete="CASCADE"))
    event_type: Mapped[str] = mapped_column(CODE, info=_info("hte_Type"))
    event_date: Mapped[dt.date | None] = mapped_column(Date, info=_info("hte_Date"))
    country: Mapped[str | None] = mapped_column(COUNTRY, info=_info("hte_Country"))
    province: Mapped[str | None] = mapped_column(PROVINCE, info=_info("hte_State"))
    description_enc: Mapped[str | None] = mapped_column(
        Text, info=_info("hte_Description", pii=True)
    )


class PerpetratorContext(Base):
    """What is known of a perpetrator (``per_``); the person row holds role ``perpetrator``."""

    __tablename__ = "cs_perpetrator_context"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cs_case.id", ondelete="CASCADE"))
    person_id: Mapped[str | None] = mapped_column(ForeignKey("cs_person.id", ondelete="CASCADE"))
    role_in_process: Mapped[str] = mapped_column(CODE, info=_info("per_RoleInProcess"))
    relation_to_victim: Mapped[str | None] = mapped_column(
        CODE, info=_info(ctdc="recruiterRelation*")
    )
    details_enc: Mapped[str | None] = mapped_column(Text, info=_info("per_RoleDetails", pii=True))


class Referral(Base):
    """A referral to or from an agency (``cas_ReferredOrganisation`` / incoming)."""

    __tablename__ = "cs_referral"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cs_case.id", ondelete="CASCADE"))
    person_id: Mapped[str | None] = mapped_column(ForeignKey("cs_person.id", ondelete="CASCADE"))
    direction: Mapped[str] = mapped_column(CODE, default="outgoing")
    agency_id: Mapped[str] = mapped_column(
        ForeignKey("cs_agency.id"), info=_info("cas_ReferredOrganisation")
    )
    referred_at: Mapped[dt.datetime] = mapped_column(info=_info("cas_IncomingReferralDate"))
    service: Mapped[str] = mapped_column(CODE)
    consent_to_share: Mapped[bool] = mapped_column(Boolean, default=False)
    outcome: Mapped[str] = mapped_column(CODE, default="pending")
    responded_at: Mapped[dt.datetime | None]
    notes_enc: Mapped[str | None] = mapped_column(
        Text, info=_info("cas_IncomingReferralDetails", pii=True)
    )
    __table_args__ = (Index("ix_cs_referral_case", "case_id"),)


class FollowUp(Base):
    """A planned follow-up; overdue when ``done_at`` is empty after ``due_at``."""

    __tablename__ = "cs_follow_up"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cs_case.id", ondelete="CASCADE"))
    counsellor_id: Mapped[str | None] = mapped_column(ForeignKey("cs_user.id"))
    due_at: Mapped[dt.datetime]
    done_at: Mapped[dt.datetime | None]
    outcome: Mapped[str | None] = mapped_column(CODE)
    risk_level: Mapped[str | None] = mapped_column(CODE)
    notes_enc: Mapped[str | None] = mapped_column(Text, info=_info(pii=True))
    __table_args__ = (
        Index("ix_cs_follow_up_case", "case_id"),
        Index("ix_cs_follow_up_open_due", "done_at", "due_at"),
    )


class Consent(Base):
    """Consent of a person (``con_``): what they were told, when given or withdrawn."""

    __tablename__ = "cs_consent"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("cs_person.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(CODE)
    told_enc: Mapped[str | None] = mapped_column(Text, info=_info(pii=True))
    given_at: Mapped[dt.datetime | None]
    withdrawn_at: Mapped[dt.datetime | None]


class AuditEntry(Base):
    """Append-only, hash-chained audit log (database triggers refuse UPDATE and DELETE)."""

    __tablename__ = "cs_audit"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime]
    actor_id: Mapped[str] = mapped_column(String(64))
    actor_role: Mapped[str] = mapped_column(CODE)
    actor_centre: Mapped[str | None] = mapped_column(String(8))
    action: Mapped[str] = mapped_column(String(16))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(64))
    route: Mapped[str] = mapped_column(String(200))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    __table_args__ = (Index("ix_cs_audit_entity", "entity", "entity_id"),)


CASE_TABLES = tuple(
    Base.metadata.tables[m.__tablename__]
    for m in (
        Centre, User, Agency, Caller, Case, CaseCounsellor, Contact, ContactAction, Person,
        VictimContext, PersonCode, Exploitation, TraffickingEvent, PerpetratorContext, Referral,
        FollowUp, Consent, AuditEntry,
    )
)  # fmt: skip


def encrypted_columns() -> list[tuple[Table, Column[Any]]]:
    """Every column holding an encrypted identifier (for key rotation with
    ``callcenter.privacy.rotation.reencrypt_column``)."""
    return [(t, c) for t in CASE_TABLES for c in t.columns if c.info.get("pii")]
