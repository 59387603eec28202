"""No phone number in clear (nor in base64 or hex) in the tables, the database files, the outbox."""

from __future__ import annotations

import base64
from pathlib import Path

from sqlalchemy import text

from callcenter.calls.recorder import CallRecorder
from callcenter.db import Database
from callcenter.db.outbox import Outbox
from callcenter.privacy import Crypto

from .helpers import answered_call

NUMBERS = ["0912345678", "+84 98 765 4321"]


def _needles() -> list[bytes]:
    forms: set[str] = set()
    for raw in NUMBERS:
        digits = "".join(ch for ch in raw if ch.isdigit())
        national = digits[2:] if digits.startswith("84") else digits.lstrip("0")
        forms |= {raw, digits, national, "0" + national, "84" + national, "+84" + national}
    needles: list[bytes] = []
    for form in forms:
        b = form.encode()
        needles += [b, base64.b64encode(b), base64.urlsafe_b64encode(b), b.hex().encode()]
    return needles


def _assert_clean(blob: bytes, where: str) -> None:
    for needle in _needles():
        assert needle not in blob, f"{needle!r} found in {where}"


def _assert_file_clean(path: Path) -> None:
    if path.exists():
        _assert_clean(path.read_bytes(), path.name)


async def test_no_phone_number_in_clear_anywhere(
    db: Database, crypto: Crypto, tmp_path: Path
) -> None:
    outbox_path = tmp_path / "outbox.sqlite3"
    outbox = Outbox(outbox_path)
    recorder = CallRecorder(db.sessions, outbox, crypto)
    recorder.record_many(answered_call(1, caller=NUMBERS[0]) + answered_call(2, caller=NUMBERS[1]))
    # while waiting in the outbox
    _assert_file_clean(outbox_path)
    _assert_file_clean(Path(f"{outbox_path}-wal"))
    while outbox.backlog:
        await recorder.drain_once()
    outbox.close()

    async with db.engine.connect() as conn:
        for table in ("calls", "call_offers", "call_transfers"):
            rows = (await conn.execute(text(f"SELECT * FROM {table}"))).all()
            _assert_clean(repr(rows).encode(), f"table {table}")
        hashes = (await conn.execute(text("SELECT caller_hash FROM calls"))).scalars().all()
    assert len(set(hashes)) == 2 and None not in hashes
    database = db.engine.url.database
    if db.dialect == "sqlite" and database:
        for suffix in ("", "-wal"):
            _assert_file_clean(Path(database + suffix))
