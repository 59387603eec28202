"""Contacts, callers and the repeat-caller history (the screen-pop's look-up).

A caller is found by the keyed hash of the number (``Crypto.hash_phone``); withheld or anonymous
numbers hash to nothing and never match each other. The look-up reads two indexed ranges
(``cs_caller.phone_hash`` unique, ``cs_contact(caller_id, started_at)``) and the caller's cases.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from callcenter.cases.access import AccessDeniedError, Reader, may_work_on_centre
from callcenter.cases.inputs import ContactInput
from callcenter.cases.models import Caller, Case, Contact, ContactAction
from callcenter.cases.store import StoreBase
from callcenter.cases.views import CallerHistory, ContactSummary, OpenCaseSummary

OPEN_STATUSES = ("active", "follow_up")
HISTORY_LIMIT = 20


class ContactStore(StoreBase):
    async def _caller(
        self, session: AsyncSession, number: str | None, at: dt.datetime
    ) -> Caller | None:
        phone_hash = self.crypto.hash_phone(number)
        if phone_hash is None:
            return None
        caller = (
            await session.execute(select(Caller).where(Caller.phone_hash == phone_hash))
        ).scalar_one_or_none()
        if caller is None:
            caller = Caller(
                id=self.new_id(),
                phone_hash=phone_hash,
                phone_enc=self.crypto.encrypt_phone(number),
                first_seen_at=at,
                last_seen_at=at,
            )
            session.add(caller)
            await session.flush()
        else:
            caller.last_seen_at = max(caller.last_seen_at, at)
        return caller

    async def record_contact(self, reader: Reader, data: ContactInput) -> str:
        """Write one contact (idempotent on ``call_id``: the same call gives the same contact)."""
        if not may_work_on_centre(reader, data.centre):
            raise AccessDeniedError(reader, f"record a contact at {data.centre}")
        async with self.transaction() as session:
            if data.call_id is not None:
                existing = (
                    await session.execute(select(Contact.id).where(Contact.call_id == data.call_id))
                ).scalar_one_or_none()
                if existing is not None:
                    return existing
            if data.case_id is not None:
                await self.case_for(session, reader, data.case_id, "update")
            caller = await self._caller(session, data.caller_number, data.started_at)
            contact_id = self.new_id()
            session.add(
                Contact(
                    id=contact_id,
                    call_id=data.call_id,
                    channel=data.channel,
                    centre_code=data.centre,
                    started_at=data.started_at,
                    ended_at=data.ended_at,
                    counsellor_id=data.counsellor_id,
                    caller_id=caller.id if caller else None,
                    case_id=data.case_id,
                    province=data.province,
                    language=data.language,
                    kind=data.kind,
                    request_type=data.request_type,
                    urgency=data.urgency,
                    heard_via=data.heard_via,
                    caller_relation=data.caller_relation,
                    caller_sex=data.caller_sex,
                    notes_enc=self.enc(data.notes),
                )
            )
            await session.flush()
            for action in sorted(set(data.actions)):
                session.add(ContactAction(contact_id=contact_id, action=action))
            await self.audit(session, reader, "create", "contact", contact_id)
        return contact_id

    async def link_contact(self, reader: Reader, contact_id: str, case_id: str) -> None:
        async with self.transaction() as session:
            contact = await session.get(Contact, contact_id)
            if contact is None or not may_work_on_centre(reader, contact.centre_code):
                raise AccessDeniedError(reader, f"contact {contact_id}")
            await self.case_for(session, reader, case_id, "update")
            contact.case_id = case_id
            await self.audit(session, reader, "update", "contact", contact_id)

    async def set_caller_safety(
        self,
        reader: Reader,
        caller_number: str,
        *,
        never_call_back: bool,
        safe_to_call_back: bool | None,
        safe_times: str | None = None,
        note: str | None = None,
    ) -> None:
        if reader.role not in ("counsellor", "supervisor", "national_supervisor", "admin"):
            raise AccessDeniedError(reader, "caller safety flags")
        async with self.transaction() as session:
            caller = await self._caller(session, caller_number, self.clock())
            if caller is None:
                raise ValueError("số bị ẩn, không thể gắn cờ / withheld number: no caller to flag")
            caller.never_call_back = never_call_back
            caller.safe_to_call_back = False if never_call_back else safe_to_call_back
            caller.safe_times_enc = self.enc(safe_times)
            caller.safety_note_enc = self.enc(note)
            await self.audit(session, reader, "update", "caller", caller.id)

    async def caller_history(
        self, reader: Reader, *, caller_hash: str | None = None, number: str | None = None
    ) -> CallerHistory:
        """Earlier contacts, open cases and safety flags of a caller (by hash or raw number)."""
        if reader.role not in ("counsellor", "supervisor", "national_supervisor", "admin"):
            raise AccessDeniedError(reader, "caller history / lịch sử người gọi")
        phone_hash = caller_hash if caller_hash is not None else self.crypto.hash_phone(number)
        if phone_hash is None:
            return EMPTY_HISTORY
        async with self.transaction() as session:
            found = await lookup(session, phone_hash)
            if found is None:
                return EMPTY_HISTORY
            await self.audit(session, reader, "read", "caller", found.caller_id)
            return CallerHistory(
                caller_id=found.caller_id,
                contacts=found.contacts,
                open_cases=found.open_cases,
                never_call_back=found.never_call_back,
                safe_to_call_back=found.safe_to_call_back,
                safe_times=self.dec(found.safe_times_enc),
            )


EMPTY_HISTORY = CallerHistory(None, (), (), False, None, None)


async def lookup(session: AsyncSession, phone_hash: str) -> Found | None:
    """The read part of the repeat-caller look-up: usually one indexed query, no audit.

    Caller, its latest contacts and their cases come back in one statement (index on
    ``phone_hash``, then a backward scan of ``(caller_id, started_at)``). Only a caller with more
    contacts than fit in the history needs a second query, for open cases linked to older ones.
    """
    rows = (
        await session.execute(
            select(
                Caller.id,
                Caller.never_call_back,
                Caller.safe_to_call_back,
                Caller.safe_times_enc,
                Contact.id,
                Contact.started_at,
                Contact.centre_code,
                Contact.kind,
                Contact.request_type,
                Contact.urgency,
                Contact.case_id,
                Contact.counsellor_id,
                Case.reference,
                Case.status,
                Case.centre_code,
                Case.opened_at,
            )
            .select_from(Caller)
            .outerjoin(Contact, Contact.caller_id == Caller.id)
            .outerjoin(Case, Case.id == Contact.case_id)
            .where(Caller.phone_hash == phone_hash)
            .order_by(Contact.started_at.desc())
            .limit(HISTORY_LIMIT)
        )
    ).all()
    if not rows:
        return None
    caller_id, never, safe, safe_times_enc = rows[0][:4]
    contacts = tuple(
        ContactSummary(r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11])
        for r in rows
        if r[4] is not None
    )
    open_cases = {
        r[10]: OpenCaseSummary(r[10], r[12], r[13], r[14], r[15])
        for r in rows
        if r[10] is not None and r[13] in OPEN_STATUSES
    }
    if len(rows) == HISTORY_LIMIT:
        older = await session.execute(
            select(Case.id, Case.reference, Case.status, Case.centre_code, Case.opened_at)
            .join(Contact, Contact.case_id == Case.id)
            .where(Contact.caller_id == caller_id, Case.status.in_(OPEN_STATUSES))
            .distinct()
        )
        for row in older:
            open_cases.setdefault(row[0], OpenCaseSummary(*row))
    return Found(
        caller_id=caller_id,
        never_call_back=never,
        safe_to_call_back=safe,
        safe_times_enc=safe_times_enc,
        contacts=contacts,
        open_cases=tuple(sorted(open_cases.values(), key=lambda c: c.opened_at)),
    )


@dataclass(frozen=True, slots=True)
class Found:
    caller_id: str
    never_call_back: bool
    safe_to_call_back: bool | None
    safe_times_enc: str | None
    contacts: tuple[ContactSummary, ...]
    open_cases: tuple[OpenCaseSummary, ...]
