"""The case store: contacts, callers, cases, people, referrals and follow-ups (HTCDS-aligned).

Entry points: :mod:`callcenter.cases.models` (tables), :mod:`callcenter.cases.service` (role- and
centre-checked, audited store queries), :mod:`callcenter.cases.statistics` (agency figures),
:mod:`callcenter.cases.export` (k-anonymous export), :mod:`callcenter.cases.retention`.
"""
