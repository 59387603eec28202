"""Fallback calls from Asterisk's own CDR and queue_log files (the recorded lab files)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from callcenter.calls.asterisk_logs import parse_cdr, parse_queue_log
from callcenter.calls.facts import CallArrived, CallQueued, CallSentToFallback
from callcenter.calls.importer import (
    ImportConfig,
    ImportSummary,
    import_fallback_calls,
    read_fallback_calls,
)
from callcenter.calls.models import CallOfferRow, CallRow
from callcenter.calls.outcomes import CallOutcome, RecordSource
from callcenter.calls.recorder import CallRecorder
from callcenter.db import Database
from callcenter.flow.config import CounsellorEntry, FlowConfig
from callcenter.settings import CallRecordSettings, Settings
from routing.model import Gender
from tests.conftest import ASTERISK_FIXTURES

REC = ASTERISK_FIXTURES / "recordings"
CDR_CUSTOM = REC / "cdr-custom-Master.csv"
CDR_CSV = REC / "cdr-csv-Master.csv"
QUEUE_LOG = REC / "queue_log.txt"
CONFIG = ImportConfig(node="lab", queue_centres={"hanoi": "HN"})


def test_both_cdr_layouts_read_the_same_calls() -> None:
    utc = ZoneInfo("UTC")
    custom = parse_cdr(CDR_CUSTOM.read_text().splitlines(), tz=utc)
    plain = parse_cdr(CDR_CSV.read_text().splitlines(), tz=utc)
    assert [(r.uniqueid, r.dstchannel, r.disposition, r.start) for r in custom] == [
        (r.uniqueid, r.dstchannel, r.disposition, r.start) for r in plain
    ]
    assert custom[1].queue == "hanoi" and custom[0].queue is None  # 1802 is the echo test
    assert custom[2].start == datetime(2026, 11, 22, 21, 2, 45, tzinfo=UTC)


def test_the_recorded_queue_calls_become_fallback_records() -> None:
    cdr = parse_cdr(CDR_CUSTOM.read_text().splitlines(), tz=ZoneInfo("UTC"))
    qlog = parse_queue_log(QUEUE_LOG.read_text().splitlines())
    facts, in_progress = read_fallback_calls(cdr, qlog, CONFIG)
    assert in_progress == 0
    assert [f.channel_id for f in facts] == ["1795381171.0", "1795381298.21", "1795381364.25"]
    assert {f.outcome for f in facts} == {CallOutcome.FALLBACK_ANSWERED}
    both = facts[2]  # the call seen in both the CDR and the queue_log
    assert both.answered_by == "HN-01" and both.home_centre == "HN"
    assert both.at == datetime(2026, 11, 22, 21, 2, 44, tzinfo=UTC)
    assert both.answered_at == datetime.fromtimestamp(1795381365, UTC)
    assert [(o.counsellor, o.outcome) for o in both.offers] == [
        ("HN-02", "no_answer"),
        ("HN-01", "answered"),
    ]
    assert facts[0].ended_at == datetime.fromtimestamp(1795381174, UTC)


def test_an_unanswered_queue_call_and_a_call_still_waiting() -> None:
    # queue_log lines in Asterisk's documented format (ABANDON|position|origposition|waittime)
    lines = [
        "1795390000|1795390000.1|hanoi|NONE|ENTERQUEUE||0912345678|1",
        "1795390000|1795390000.1|hanoi|HN-01|RINGNOANSWER|15000",
        "1795390020|1795390000.1|hanoi|NONE|ABANDON|1|1|20",
        "1795390030|1795390030.2|hanoi|NONE|ENTERQUEUE||0912345679|1",
        "1795390040|1795390040.3|other|NONE|ENTERQUEUE||0912345670|1",
        "garbage",
    ]
    facts, in_progress = read_fallback_calls([], parse_queue_log(lines), CONFIG)
    assert in_progress == 1
    (fact,) = facts
    assert fact.outcome == CallOutcome.FALLBACK_ABANDONED
    assert fact.caller_number == "0912345678"
    assert [(o.counsellor, o.outcome) for o in fact.offers] == [("HN-01", "no_answer")]


async def test_importing_the_same_files_twice_changes_nothing(
    recorder: CallRecorder, db: Database, tmp_path: Path
) -> None:
    def run() -> ImportSummary:
        return import_fallback_calls(
            recorder, CONFIG, cdr_files=[CDR_CUSTOM, CDR_CSV], queue_log_files=[QUEUE_LOG]
        )

    summary = run()
    assert (summary.calls, summary.answered, summary.in_progress) == (3, 3, 0)
    await recorder.flush(timeout_s=10)

    async def snapshot() -> list[tuple[object, ...]]:
        async with db.sessions() as session:
            calls = (await session.scalars(select(CallRow).order_by(CallRow.call_id))).all()
            offers = (await session.scalars(select(CallOfferRow))).all()
        return [
            (c.call_id, c.outcome, c.source, c.answered_by, c.wait_s, c.talk_s) for c in calls
        ] + [(o.call_id, o.offer_id, o.outcome) for o in offers]

    first = await snapshot()
    run()
    await recorder.flush(timeout_s=10)
    assert await snapshot() == first
    assert len([row for row in first if len(row) == 6]) == 3
    assert first[2][1:4] == ("fallback_answered", RecordSource.FALLBACK_IMPORT, "HN-01")
    assert first[2][4] == 0.0 and first[2][5] == 1.0  # waited 0 s (connect at entry), talked 1 s


async def test_a_call_the_service_sent_to_the_fallback_is_completed_by_the_import(
    recorder: CallRecorder, db: Database
) -> None:
    arrived = datetime(2026, 11, 22, 21, 2, 44, tzinfo=UTC)
    key = {"node": "lab", "channel_id": "1795381364.25"}
    recorder.record_many(
        [
            CallArrived(**key, at=arrived, caller_number="0912345678"),
            CallQueued(**key, at=arrived, centre="HN"),
            CallSentToFallback(**key, at=arrived + timedelta(milliseconds=500), reason="boom"),
        ]
    )
    await recorder.flush(timeout_s=10)
    async with db.sessions() as session:
        row = await session.get(CallRow, "lab/1795381364.25")
    assert row is not None and row.outcome == CallOutcome.SENT_TO_FALLBACK

    for _ in range(2):  # the second import changes nothing
        import_fallback_calls(recorder, CONFIG, cdr_files=[CDR_CUSTOM], queue_log_files=[QUEUE_LOG])
        await recorder.flush(timeout_s=10)
        async with db.sessions() as session:
            row = await session.get(CallRow, "lab/1795381364.25")
            offers = (await session.scalars(select(CallOfferRow.counsellor))).all()
        assert row is not None
        assert row.outcome == CallOutcome.FALLBACK_ANSWERED
        assert row.source == RecordSource.SERVICE  # the service's record, completed
        assert row.answered_by == "HN-01" and row.wait_s == 1.0 and row.talk_s == 1.0
        assert row.caller_hash is not None  # kept from the service's record
        assert sorted(offers) == ["HN-01", "HN-01", "HN-01", "HN-02"]  # 2 other calls: HN-01


def test_the_deployment_dialplan_s_userfield_and_a_caller_going_round_the_queue() -> None:
    """CDR as asterisk-conf/ writes it (fallback-all, centre and danger in the userfield) and
    a queue_log where the caller's 20-minute Queue() ran out once before a counsellor took it."""
    counsellor = CounsellorEntry(
        id="nguyen-thi-b", centre="DN", endpoint="PJSIP/dn-01", gender=Gender.FEMALE
    )
    settings = Settings(
        calls=CallRecordSettings(pbx_timezone="UTC"), flow=FlowConfig(counsellors=[counsellor])
    )
    config = ImportConfig.from_settings(settings)
    field = "fallback=1;queue=fallback-all;centre=DN;danger=1;lang=km;stasis=FAILED"
    cdr_line = (
        f'"""x"" <0912345678>","0912345678","111","hotline-fallback","PJSIP/trunk-00000001",'
        f'"PJSIP/dn-01-00000002","Queue","fallback-all,,,,1200","2026-11-22 10:00:00",'
        f'"2026-11-22 10:00:00","2026-11-22 10:25:00","1500","1500","ANSWERED",'
        f'"DOCUMENTATION","","1795390000.7","{field}",5'
    )
    queue_log = [
        "1795390000|1795390000.7|fallback-all|NONE|ENTERQUEUE||0912345678|1",
        "1795391200|1795390000.7|fallback-all|NONE|EXITWITHTIMEOUT|1|1|1200",
        "1795391201|1795390000.7|fallback-all|NONE|ENTERQUEUE||0912345678|1",
        "1795391230|1795390000.7|fallback-all|dn-01|CONNECT|29|1795391201.9|3",
        "1795391500|1795390000.7|fallback-all|dn-01|COMPLETECALLER|29|270|1",
        "1795390100|1795390100.8|fallback-all|NONE|ENTERQUEUE||0987654321|2",
        "1795391300|1795390100.8|fallback-all|NONE|EXITWITHTIMEOUT|1|2|1200",
        "1795391301|1795390100.8|fallback-all|NONE|ENTERQUEUE||0987654321|1",
    ]
    cdr = parse_cdr([cdr_line], tz=ZoneInfo("UTC"))
    facts, in_progress = read_fallback_calls(cdr, parse_queue_log(queue_log), config)
    assert in_progress == 1  # the second caller is still waiting (round two)
    (fact,) = facts
    assert fact.outcome == CallOutcome.FALLBACK_ANSWERED
    assert (fact.home_centre, fact.in_danger, fact.language) == ("DN", True, "km")
    assert fact.queued_at == datetime.fromtimestamp(1795390000, UTC)  # the first round
    assert fact.answered_at == datetime.fromtimestamp(1795391230, UTC)
    assert fact.answered_by == "nguyen-thi-b"  # member dn-01 is this counsellor's phone
    assert fact.answered_centre == "DN"
    assert [o.counsellor for o in fact.offers] == ["nguyen-thi-b"]
