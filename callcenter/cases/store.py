"""The case store's write and read paths: role- and centre-checked, audited, encrypted.

Every public method takes the :class:`~callcenter.cases.access.Reader`; each read or change of
case data writes an audit entry in the same transaction. Time and ids are injected.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import AsyncIterator, Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from callcenter.cases import audit, bands
from callcenter.cases.access import AccessDeniedError, Reader, may_open_case, may_work_on_centre
from callcenter.cases.codelists import codelist
from callcenter.cases.inputs import AgencyInput, CaseInput, PerpetratorInput, PersonInput
from callcenter.cases.localtime import to_local
from callcenter.cases.models import (
    Agency,
    Case,
    CaseCounsellor,
    Exploitation,
    PerpetratorContext,
    Person,
    PersonCode,
    TraffickingEvent,
    User,
    VictimContext,
)
from callcenter.db import Database, utcnow
from callcenter.privacy import Crypto


class NotFoundError(LookupError):
    def __init__(self, entity: str, entity_id: str) -> None:
        super().__init__(f"Không tìm thấy {entity} {entity_id} / {entity} {entity_id} not found")


def _new_id() -> str:
    return str(uuid.uuid4())


class StoreBase:
    """Shared plumbing: database, crypto, clock, ids, audit."""

    def __init__(
        self,
        db: Database,
        crypto: Crypto,
        *,
        clock: Callable[[], dt.datetime] = utcnow,
        new_id: Callable[[], str] = _new_id,
    ) -> None:
        self.db = db
        self.crypto = crypto
        self.clock = clock
        self.new_id = new_id

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A transaction that will write to the audit chain (every store operation does)."""
        async with self.db.sessions.begin() as session:
            await audit.begin_append(session)
            yield session

    def enc(self, value: str | None) -> str | None:
        return self.crypto.encrypt_optional(value)

    def dec(self, token: str | None) -> str | None:
        return self.crypto.decrypt_optional(token)

    async def audit(
        self, session: AsyncSession, reader: Reader, action: str, entity: str, entity_id: str
    ) -> None:
        await audit.append(
            session,
            self.crypto.hash_value,
            reader,
            action=action,
            entity=entity,
            entity_id=entity_id,
            at=self.clock(),
        )

    async def case_for(
        self, session: AsyncSession, reader: Reader, case_id: str, action: str
    ) -> Case:
        """Load a case the reader may work on, or audit the refusal and raise."""
        case = await session.get(Case, case_id)
        if case is None:
            raise NotFoundError("case", case_id)
        team = frozenset(
            (
                await session.execute(
                    select(CaseCounsellor.user_id).where(CaseCounsellor.case_id == case_id)
                )
            ).scalars()
        )
        if not may_open_case(reader, case.centre_code, case.sensitivity, team):
            raise AccessDeniedError(reader, f"case {case.reference}")
        await self.audit(session, reader, action, "case", case_id)
        return case


class PeopleStore(StoreBase):
    """Users, agencies, cases, people (with victim context, exploitation, events), perpetrators."""

    async def add_user(
        self, reader: Reader, user_id: str, display_name: str, role: str, centre: str | None
    ) -> None:
        codelist("user_role").check(role, optional=False)
        if not reader.national:
            raise AccessDeniedError(reader, "manage users / quản lý người dùng")
        async with self.transaction() as session:
            session.add(User(id=user_id, display_name=display_name, role=role, centre_code=centre))
            await self.audit(session, reader, "create", "user", user_id)

    async def add_agency(self, reader: Reader, data: AgencyInput) -> str:
        if reader.role not in ("supervisor", "national_supervisor", "admin"):
            raise AccessDeniedError(reader, "agency directory / danh bạ cơ quan")
        agency_id = self.new_id()
        async with self.transaction() as session:
            session.add(
                Agency(
                    id=agency_id,
                    name=data.name,
                    agency_type=data.agency_type,
                    province=data.province,
                    country=data.country,
                    phone=data.phone,
                    focal_person_enc=self.enc(data.focal_person),
                )
            )
            await self.audit(session, reader, "create", "agency", agency_id)
        return agency_id

    async def agencies(
        self, province: str | None = None, agency_type: str | None = None
    ) -> list[Agency]:
        """The directory (no personal data except the encrypted focal person)."""
        query = select(Agency).where(Agency.active.is_(True)).order_by(Agency.name)
        if province is not None:
            query = query.where(Agency.province == province)
        if agency_type is not None:
            query = query.where(Agency.agency_type == agency_type)
        async with self.db.sessions() as session:
            return list((await session.execute(query)).scalars())

    async def open_case(self, reader: Reader, data: CaseInput) -> str:
        if not may_work_on_centre(reader, data.centre):
            raise AccessDeniedError(reader, f"open a case at {data.centre}")
        case_id = self.new_id()
        local = to_local(data.opened_at)
        reference = f"{data.centre}-{local.year}-{case_id[:8].upper()}"
        async with self.transaction() as session:
            session.add(
                Case(
                    id=case_id,
                    reference=reference,
                    status="active",
                    opened_at=data.opened_at,
                    centre_code=data.centre,
                    lead_counsellor_id=data.lead_counsellor_id,
                    sensitivity=data.sensitivity,
                    summary_enc=self.enc(data.summary),
                )
            )
            await session.flush()
            team = set(data.counsellors)
            if data.lead_counsellor_id:
                team.add(data.lead_counsellor_id)
            for user_id in sorted(team):
                session.add(CaseCounsellor(case_id=case_id, user_id=user_id))
            await self.audit(session, reader, "create", "case", case_id)
        return case_id

    async def close_case(
        self, reader: Reader, case_id: str, *, status: str, reason: str, at: dt.datetime
    ) -> None:
        if status not in ("closed", "closed_referred"):
            raise ValueError("trạng thái đóng phải là closed hoặc closed_referred / bad status")
        codelist("closure_reason").check(reason, optional=False)
        async with self.transaction() as session:
            case = await self.case_for(session, reader, case_id, "update")
            case.status, case.closure_reason, case.closed_at = status, reason, at

    async def set_status(self, reader: Reader, case_id: str, status: str) -> None:
        codelist("case_status").check(status, optional=False)
        async with self.transaction() as session:
            case = await self.case_for(session, reader, case_id, "update")
            case.status = status

    async def add_person(self, reader: Reader, case_id: str, data: PersonInput) -> str:
        async with self.transaction() as session:
            case = await self.case_for(session, reader, case_id, "update")
            person_id = await self._person_rows(session, case.id, data)
            await self.audit(session, reader, "create", "person", person_id)
        return person_id

    def person_fields(self, data: PersonInput) -> dict[str, object]:
        """The person's own columns (identifiers encrypted), as written or corrected."""
        return {
            "role": data.role,
            "given_name_enc": self.enc(data.given_name),
            "family_name_enc": self.enc(data.family_name),
            "birth_date_enc": self.enc(data.birth_date.isoformat() if data.birth_date else None),
            "id_number_enc": self.enc(data.id_number),
            "phone_enc": self.enc(data.phone),
            "address_enc": self.enc(data.address),
            "ethnicity_enc": self.enc(data.ethnicity),
            "age_at_contact": data.age,
            "age_estimated": data.age_estimated,
            "age_band": bands.age_band(data.age),
            "sex": data.sex,
            "gender_identity": data.gender_identity,
            "citizenship": data.citizenship,
            "primary_language": data.primary_language,
            "province": data.province,
            "migrant_type": data.migrant_type,
        }

    async def _person_rows(self, session: AsyncSession, case_id: str, data: PersonInput) -> str:
        person_id = self.new_id()
        session.add(
            Person(
                id=person_id, case_id=case_id, created_at=self.clock(), **self.person_fields(data)
            )
        )
        await session.flush()  # no ORM relationships: parents are flushed before children
        self.person_children(session, person_id, data)
        return person_id

    def person_children(self, session: AsyncSession, person_id: str, data: PersonInput) -> None:
        """Victim context, multi-select codes, exploitation and events of a person."""
        if data.victim is not None:
            v = data.victim
            session.add(
                VictimContext(
                    person_id=person_id,
                    trafficking_status=v.trafficking_status,
                    status_decided_by=v.status_decided_by,
                    legal_status=v.legal_status,
                    recruiter_relation=v.recruiter_relation,
                    cross_border=v.cross_border,
                    country_of_exploitation=v.country_of_exploitation,
                    agreement_to_manage_data=v.agreement_to_manage_data,
                )
            )
            for list_name, codes in v.multi_codes():
                for code in sorted(set(codes)):
                    session.add(PersonCode(person_id=person_id, list_name=list_name, code=code))
        for e in data.exploitations:
            session.add(
                Exploitation(
                    id=self.new_id(),
                    person_id=person_id,
                    exploitation_type=e.exploitation_type,
                    sex_subtype=e.sex_subtype,
                    industry=e.industry,
                    country=e.country,
                    province=e.province,
                    started_on=e.started_on,
                    ended_on=e.ended_on,
                )
            )
        for ev in data.events:
            session.add(
                TraffickingEvent(
                    id=self.new_id(),
                    person_id=person_id,
                    event_type=ev.event_type,
                    event_date=ev.event_date,
                    country=ev.country,
                    province=ev.province,
                    description_enc=self.enc(ev.description),
                )
            )

    async def add_perpetrator(self, reader: Reader, case_id: str, data: PerpetratorInput) -> str:
        async with self.transaction() as session:
            case = await self.case_for(session, reader, case_id, "update")
            person_id = (
                await self._person_rows(session, case.id, data.person) if data.person else None
            )
            context_id = self.new_id()
            session.add(
                PerpetratorContext(
                    id=context_id,
                    case_id=case_id,
                    person_id=person_id,
                    role_in_process=data.role_in_process,
                    relation_to_victim=data.relation_to_victim,
                    details_enc=self.enc(data.details),
                )
            )
            await self.audit(session, reader, "create", "perpetrator", context_id)
        return context_id
