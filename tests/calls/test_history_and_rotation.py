from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from callcenter.calls.history import earlier_calls
from callcenter.calls.models import CallRow
from callcenter.calls.recorder import CallRecorder
from callcenter.db import Database
from callcenter.privacy import Crypto, KeyMaterial, generate_key_material
from callcenter.privacy.rotation import reencrypt_column

from .helpers import T0, answered_call


async def test_earlier_calls_of_the_same_caller_newest_first(
    recorder: CallRecorder, db: Database, crypto: Crypto
) -> None:
    recorder.record_many(
        answered_call(1, caller="0912345678")
        + answered_call(2, start=T0 + timedelta(days=1), caller="+84 912 345 678")
        + answered_call(3, caller="0987654321")
        + answered_call(4, caller="anonymous")
        + answered_call(5, caller=None)
    )
    await recorder.flush(timeout_s=10)
    async with db.sessions() as session:
        mine = await earlier_calls(session, crypto.hash_phone("0912345678"))
        nobody = await earlier_calls(session, crypto.hash_phone("anonymous"))
    assert [c.call_id.rsplit(".", 1)[1] for c in mine] == ["2", "1"]
    assert nobody == []  # withheld numbers are never one repeat caller


async def test_key_rotation_re_encrypts_stored_numbers_without_stopping(
    recorder: CallRecorder, db: Database, keys: KeyMaterial
) -> None:
    recorder.record_many(answered_call(1) + answered_call(2, caller="0987654321"))
    await recorder.flush(timeout_s=10)
    new_key = generate_key_material().encryption_keys[0]
    # step 1 of a rotation: the new key first, the old one still readable
    rotating = Crypto([new_key, *keys.encryption_keys], keys.hash_key)
    field = "caller_number_enc"
    assert await reencrypt_column(db.sessions, rotating, CallRow, field, batch_size=1) == 2
    assert await reencrypt_column(db.sessions, rotating, CallRow.__table__, field) == 0
    # step 2: the old key is gone and every number still reads
    only_new = Crypto([new_key], keys.hash_key)
    async with db.sessions() as session:
        tokens = (await session.scalars(select(CallRow.caller_number_enc))).all()
    assert sorted(only_new.decrypt(t) for t in tokens if t) == ["+84912345678", "+84987654321"]
