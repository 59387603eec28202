"""Keys rotate without downtime: re-encrypt every identifier column, then drop the old key."""

from __future__ import annotations

from cryptography.fernet import Fernet

from callcenter.cases.models import encrypted_columns
from callcenter.cases.service import CaseStore
from callcenter.db import Database
from callcenter.privacy import Crypto, generate_key_material
from callcenter.privacy.rotation import reencrypt_column
from tests.cases.factories import HN_COUNSELLOR, IDS, T0, realistic_case, seed_users


async def test_rotation_over_every_encrypted_column(database: Database) -> None:
    old = generate_key_material()
    store = CaseStore(database, old.crypto(), clock=lambda: T0)
    await seed_users(store)
    ids = await realistic_case(store)
    new_key = Fernet.generate_key().decode()
    both = Crypto([new_key, *old.encryption_keys], old.hash_key)  # new key first, old still read
    changed = 0
    for table, column in encrypted_columns():
        changed += await reencrypt_column(database.sessions, both, table, column)
    assert changed >= 15
    only_new = Crypto([new_key], old.hash_key)  # the old key is gone
    view = await CaseStore(database, only_new, clock=lambda: T0).get_case(
        HN_COUNSELLOR, ids["case"]
    )
    assert any(p.address == IDS.address for p in view.persons)
    assert view.summary == IDS.case_summary
