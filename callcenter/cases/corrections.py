"""Corrections: a counsellor fixes what was recorded about a person, audited as an update.

The person keeps its id (referrals and consent stay linked); its own columns are rewritten and
its victim context, codes, forms of exploitation and events are replaced by the corrected ones.
A person whose identifiers were purged by retention cannot be given new identifiers this way.
"""

from __future__ import annotations

from sqlalchemy import delete

from callcenter.cases.access import Reader
from callcenter.cases.inputs import PersonInput
from callcenter.cases.models import (
    Exploitation,
    Person,
    PersonCode,
    TraffickingEvent,
    VictimContext,
)
from callcenter.cases.store import NotFoundError, PeopleStore


class CorrectionStore(PeopleStore):
    async def correct_person(self, reader: Reader, person_id: str, data: PersonInput) -> None:
        async with self.transaction() as session:
            person = await session.get(Person, person_id)
            if person is None:
                raise NotFoundError("person", person_id)
            await self.case_for(session, reader, person.case_id, "update")
            if person.pii_purged_at is not None:
                raise ValueError(
                    "định danh đã bị xóa theo thời hạn lưu giữ / identifiers were purged "
                    "(retention); record a new person instead"
                )
            for name, value in self.person_fields(data).items():
                setattr(person, name, value)
            for model in (VictimContext, PersonCode, Exploitation, TraffickingEvent):
                await session.execute(delete(model).where(model.person_id == person_id))
            self.person_children(session, person_id, data)
            await self.audit(session, reader, "update", "person", person_id)
