"""The case store facade: one object the API, CLI and tests use.

``CaseStore(db, crypto)`` bundles :class:`~callcenter.cases.store.PeopleStore` (users,
agencies, cases, people), :class:`~callcenter.cases.contacts.ContactStore` (contacts, callers,
repeat-caller history) and :class:`~callcenter.cases.care.CareStore` (referrals, follow-ups,
consent, reading a case) and :class:`~callcenter.cases.corrections.CorrectionStore`
(correcting a person). Every method takes the reader's role and centre and is audited.
"""

from __future__ import annotations

from callcenter.cases.access import AccessDeniedError, Reader
from callcenter.cases.care import CareStore
from callcenter.cases.contacts import ContactStore
from callcenter.cases.corrections import CorrectionStore
from callcenter.cases.store import NotFoundError, PeopleStore


class CaseStore(ContactStore, CareStore, CorrectionStore, PeopleStore):
    """All case-store operations."""


__all__ = ["AccessDeniedError", "CaseStore", "NotFoundError", "Reader"]
