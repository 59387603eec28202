"""No direct identifier is at rest or in the logs in clear, base64 or hex; none leaves in exports.

Realistic records go in through the real paths (the call recorder with its outbox, then the case
store); then every place an identifier could leak is read raw: every table of the database, the
outbox file, the SQLite database file and its WAL, and everything logged (SQL echo included).
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import logging
from pathlib import Path

import pytest
import sqlalchemy as sa

from callcenter.calls.facts import CallArrived, CallEnded
from callcenter.calls.recorder import CallRecorder
from callcenter.cases.export import victim_export, write_export
from callcenter.cases.inputs import ContactInput
from callcenter.cases.service import CaseStore
from callcenter.cases.statistics import Period
from callcenter.db import Database
from callcenter.db.outbox import Outbox
from callcenter.privacy import Crypto
from tests.cases.factories import ANALYST, HN_COUNSELLOR, IDS, T0, realistic_case, seed_users

YEAR = Period(dt.datetime(2026, 1, 1, tzinfo=dt.UTC), dt.datetime(2027, 1, 1, tzinfo=dt.UTC))


def leak_forms(value: str) -> set[bytes]:
    """The value in clear (UTF-8), hex (both cases) and base64 / url-safe base64 at any offset."""
    raw = value.encode()
    forms = {raw, raw.hex().encode(), raw.hex().upper().encode()}
    for offset in range(3):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            text = encode(b"\0" * offset + raw).rstrip(b"=")
            start = -(-offset * 8 // 6)  # characters touched by the padding bytes
            forms.add(text[start + 1 : len(text) - 2])
    return {f for f in forms if len(f) >= 8}


def find_leaks(blob: bytes, where: str) -> list[str]:
    found = []
    for identifier in IDS.all():
        for form in leak_forms(identifier):
            if form in blob:
                found.append(f"{identifier!r} as {form[:20]!r}... in {where}")
    return found


def _scan_files(paths: list[Path]) -> list[str]:
    leaks = []
    for path in paths:
        assert path.exists() and path.stat().st_size > 0, path  # really checked, not skipped
        leaks += find_leaks(path.read_bytes(), path.name)
    return leaks


def _outbox_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("outbox.db*"))


async def _raw_tables(db: Database) -> bytes:
    chunks: list[bytes] = []
    async with db.engine.connect() as conn:
        names = await conn.run_sync(lambda c: sa.inspect(c).get_table_names())
        for name in names:
            result = await conn.execute(sa.text(f'SELECT * FROM "{name}"'))
            for row in result:
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        chunks.append(bytes(value))
                    else:
                        chunks.append(str(value).encode())
    return b"\n".join(chunks)


async def test_no_identifier_in_clear_anywhere(
    migrated_url: str, crypto: Crypto, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    db = Database.from_url(migrated_url, echo=True)  # every SQL statement and its parameters
    outbox = Outbox(tmp_path / "outbox.db")
    try:
        recorder = CallRecorder(db.sessions, outbox, crypto)
        recorder.start()
        recorder.record(
            CallArrived(node="pbx1", channel_id="1700.1", at=T0, caller_number=IDS.caller_number)
        )
        recorder.record(CallEnded(node="pbx1", channel_id="1700.1", at=T0))
        await recorder.flush(timeout_s=60)
        store = CaseStore(db, crypto, clock=lambda: T0)
        await seed_users(store)
        await realistic_case(store)
        contact = ContactInput(
            centre="HN",
            started_at=T0,
            kind="about_self",
            caller_number=IDS.caller_number,
            call_id="pbx1/1700.1",
            notes=IDS.contact_note,
        )
        first = await store.record_contact(HN_COUNSELLOR, contact)
        assert await store.record_contact(HN_COUNSELLOR, contact) == first  # one per call
        async with db.sessions() as session:
            result = await victim_export(
                session, crypto, ANALYST, recipient="MPS", period=YEAR, k=2, now=T0
            )
        out = io.StringIO()
        write_export(result, out)

        leaks = find_leaks(await _raw_tables(db), "database tables")
        # the outbox's own file and WAL: read while it is open, as a thief would
        leaks += _scan_files(_outbox_files(tmp_path))
        await recorder.stop()
        if migrated_url.startswith("sqlite"):
            db_file = Path(migrated_url.split("///", 1)[1])
            leaks += _scan_files([db_file, db_file.with_name(db_file.name + "-wal")])
        logged = "\n".join(r.getMessage() for r in caplog.records).encode()
        assert b"INSERT INTO cs_person" in logged  # the SQL echo really was captured
        leaks += find_leaks(logged, "logs")
        leaks += find_leaks(out.getvalue().encode(), "export")
        assert leaks == []
        # and the store can still read them back for an authorised counsellor
        history = await store.caller_history(HN_COUNSELLOR, number=IDS.caller_number)
        assert len(history.contacts) == 2
    finally:
        outbox.close()
        await db.dispose()


def test_the_leak_detector_finds_each_encoding() -> None:
    value = IDS.address
    for blob in (
        value.encode(),
        value.encode().hex().encode(),
        base64.b64encode(b"x" + value.encode()),
        base64.urlsafe_b64encode(b"xy" + value.encode()),
    ):
        assert find_leaks(b"prefix " + blob + b" suffix", "sample")
