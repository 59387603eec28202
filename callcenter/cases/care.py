"""Referrals, follow-ups, consent and reading a whole case."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from callcenter.cases.access import AccessDeniedError, Reader, may_work_on_centre
from callcenter.cases.codelists import codelist
from callcenter.cases.inputs import ReferralInput
from callcenter.cases.models import (
    Case,
    CaseCounsellor,
    Consent,
    Exploitation,
    FollowUp,
    Person,
    PersonCode,
    Referral,
    VictimContext,
)
from callcenter.cases.store import NotFoundError, StoreBase
from callcenter.cases.views import CaseView, FollowUpView, PersonView, ReferralView


class CareStore(StoreBase):
    async def refer(self, reader: Reader, case_id: str, data: ReferralInput) -> str:
        async with self.transaction() as session:
            await self.case_for(session, reader, case_id, "update")
            referral_id = self.new_id()
            session.add(
                Referral(
                    id=referral_id,
                    case_id=case_id,
                    person_id=data.person_id,
                    direction=data.direction,
                    agency_id=data.agency_id,
                    referred_at=data.referred_at,
                    service=data.service,
                    consent_to_share=data.consent_to_share,
                    notes_enc=self.enc(data.notes),
                )
            )
            await self.audit(session, reader, "create", "referral", referral_id)
        return referral_id

    async def record_referral_outcome(
        self, reader: Reader, referral_id: str, outcome: str, responded_at: dt.datetime
    ) -> None:
        codelist("referral_outcome").check(outcome, optional=False)
        async with self.transaction() as session:
            referral = await session.get(Referral, referral_id)
            if referral is None:
                raise NotFoundError("referral", referral_id)
            await self.case_for(session, reader, referral.case_id, "update")
            referral.outcome, referral.responded_at = outcome, responded_at
            await self.audit(session, reader, "update", "referral", referral_id)

    async def plan_follow_up(
        self, reader: Reader, case_id: str, due_at: dt.datetime, counsellor_id: str | None = None
    ) -> str:
        async with self.transaction() as session:
            await self.case_for(session, reader, case_id, "update")
            follow_up_id = self.new_id()
            session.add(
                FollowUp(
                    id=follow_up_id,
                    case_id=case_id,
                    due_at=due_at,
                    counsellor_id=counsellor_id or reader.user_id,
                )
            )
            await self.audit(session, reader, "create", "follow_up", follow_up_id)
        return follow_up_id

    async def complete_follow_up(
        self,
        reader: Reader,
        follow_up_id: str,
        *,
        outcome: str,
        risk_level: str | None,
        done_at: dt.datetime,
        notes: str | None = None,
    ) -> None:
        codelist("follow_up_outcome").check(outcome, optional=False)
        codelist("risk_level").check(risk_level)
        async with self.transaction() as session:
            follow_up = await session.get(FollowUp, follow_up_id)
            if follow_up is None:
                raise NotFoundError("follow-up", follow_up_id)
            await self.case_for(session, reader, follow_up.case_id, "update")
            follow_up.outcome, follow_up.risk_level = outcome, risk_level
            follow_up.done_at, follow_up.notes_enc = done_at, self.enc(notes)
            await self.audit(session, reader, "update", "follow_up", follow_up_id)

    async def overdue_follow_ups(self, reader: Reader, now: dt.datetime) -> list[FollowUpView]:
        """Follow-ups past due and not done, in the reader's centre (all centres if national)."""
        query = (
            select(FollowUp, Case.centre_code)
            .join(Case, Case.id == FollowUp.case_id)
            .where(FollowUp.done_at.is_(None), FollowUp.due_at < now)
            .order_by(FollowUp.due_at)
        )
        if not reader.national:
            query = query.where(Case.centre_code == reader.centre)
        if reader.role not in ("counsellor", "supervisor", "national_supervisor", "admin"):
            raise AccessDeniedError(reader, "follow-ups")
        async with self.transaction() as session:
            rows = (await session.execute(query)).all()
            for fu, _centre in rows:
                await self.audit(session, reader, "read", "follow_up", fu.id)
        return [
            FollowUpView(f.id, f.case_id, f.due_at, f.done_at, f.outcome, f.risk_level, True)
            for f, _c in rows
        ]

    async def record_consent(
        self,
        reader: Reader,
        person_id: str,
        scope: str,
        *,
        told: str | None,
        given_at: dt.datetime | None,
        withdrawn_at: dt.datetime | None = None,
    ) -> str:
        codelist("consent_scope").check(scope, optional=False)
        async with self.transaction() as session:
            person = await session.get(Person, person_id)
            if person is None:
                raise NotFoundError("person", person_id)
            await self.case_for(session, reader, person.case_id, "update")
            consent_id = self.new_id()
            session.add(
                Consent(
                    id=consent_id,
                    person_id=person_id,
                    scope=scope,
                    told_enc=self.enc(told),
                    given_at=given_at,
                    withdrawn_at=withdrawn_at,
                )
            )
            await self.audit(session, reader, "create", "consent", consent_id)
        return consent_id

    async def get_case(self, reader: Reader, case_id: str) -> CaseView:
        """The whole case with identifiers decrypted; audited as a read."""
        async with self.transaction() as session:
            case = await self.case_for(session, reader, case_id, "read")
            return await self._case_view(session, case)

    async def _case_view(self, session: AsyncSession, case: Case) -> CaseView:
        now = self.clock()
        persons = list(
            (await session.execute(select(Person).where(Person.case_id == case.id))).scalars()
        )
        ids = [p.id for p in persons]
        contexts = {
            v.person_id: v
            for v in (
                await session.execute(select(VictimContext).where(VictimContext.person_id.in_(ids)))
            ).scalars()
        }
        exploitation: dict[str, list[str]] = {}
        for pid, etype in await session.execute(
            select(Exploitation.person_id, Exploitation.exploitation_type).where(
                Exploitation.person_id.in_(ids)
            )
        ):
            exploitation.setdefault(pid, []).append(etype)
        means: dict[str, list[str]] = {}
        for pid, code in await session.execute(
            select(PersonCode.person_id, PersonCode.code).where(
                PersonCode.person_id.in_(ids), PersonCode.list_name == "means_of_control"
            )
        ):
            means.setdefault(pid, []).append(code)
        referrals = (
            (await session.execute(select(Referral).where(Referral.case_id == case.id)))
            .scalars()
            .all()
        )
        follow_ups = (
            (await session.execute(select(FollowUp).where(FollowUp.case_id == case.id)))
            .scalars()
            .all()
        )
        team = (
            await session.execute(
                select(CaseCounsellor.user_id).where(CaseCounsellor.case_id == case.id)
            )
        ).scalars()
        return CaseView(
            id=case.id,
            reference=case.reference,
            status=case.status,
            centre=case.centre_code,
            opened_at=case.opened_at,
            closed_at=case.closed_at,
            sensitivity=case.sensitivity,
            summary=self.dec(case.summary_enc),
            counsellors=tuple(sorted(team)),
            persons=tuple(
                PersonView(
                    id=p.id,
                    role=p.role,
                    given_name=self.dec(p.given_name_enc),
                    family_name=self.dec(p.family_name_enc),
                    birth_date=self.dec(p.birth_date_enc),
                    id_number=self.dec(p.id_number_enc),
                    phone=self.dec(p.phone_enc),
                    address=self.dec(p.address_enc),
                    age_at_contact=p.age_at_contact,
                    age_band=p.age_band,
                    sex=p.sex,
                    gender_identity=p.gender_identity,
                    citizenship=p.citizenship,
                    province=p.province,
                    trafficking_status=contexts[p.id].trafficking_status
                    if p.id in contexts
                    else None,
                    legal_status=contexts[p.id].legal_status if p.id in contexts else None,
                    exploitation_types=tuple(sorted(exploitation.get(p.id, []))),
                    means_of_control=tuple(sorted(means.get(p.id, []))),
                )
                for p in sorted(persons, key=lambda p: p.created_at)
            ),
            referrals=tuple(
                ReferralView(
                    r.id,
                    r.agency_id,
                    r.service,
                    r.referred_at,
                    r.outcome,
                    r.responded_at,
                    self.dec(r.notes_enc),
                )
                for r in sorted(referrals, key=lambda r: r.referred_at)
            ),
            follow_ups=tuple(
                FollowUpView(
                    f.id,
                    f.case_id,
                    f.due_at,
                    f.done_at,
                    f.outcome,
                    f.risk_level,
                    f.done_at is None and f.due_at < now,
                )
                for f in sorted(follow_ups, key=lambda f: f.due_at)
            ),
        )

    async def cases_of_centre(self, reader: Reader, centre: str) -> list[str]:
        """Ids of the open cases of a centre (no personal data)."""
        if not may_work_on_centre(reader, centre):
            raise AccessDeniedError(reader, f"cases of {centre}")
        async with self.db.sessions() as session:
            query = select(Case.id).where(
                Case.centre_code == centre, Case.status.in_(("active", "follow_up"))
            )
            return list((await session.execute(query)).scalars())
