"""Import the calls Asterisk's fallback queues handled while the service was down.

Asterisk replays nothing to a client that was away, so those calls are known only from its own
CDR and queue_log files. ``read_fallback_calls`` turns them into :class:`FallbackCallImported`
facts (one per call, keyed like the service's own records: ``<node>/<caller uniqueid>``), and
``import_fallback_calls`` records them through the recorder (so the outbox covers a database
outage at start-up too). A call that already has a record is left as it is, so importing the
same files twice changes nothing.

The dialplan (asterisk-conf/extensions.conf) puts what it knows in ``CDR(userfield)`` as
``key=value`` pairs separated by ``;`` (``fallback=1;queue=fallback-all;centre=HN;danger=1;
lang=vi``); centre, language, province and the danger flag are copied into the record.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from callcenter.calls.asterisk_logs import (
    CdrRecord,
    ParseErrors,
    QueueLogLine,
    parse_cdr,
    parse_queue_log,
)
from callcenter.calls.facts import FallbackCallImported, ImportedOffer
from callcenter.calls.outcomes import CallOutcome, OfferOutcome
from callcenter.calls.recorder import CallRecorder
from callcenter.settings import Settings

END_EVENTS = {
    "COMPLETECALLER",
    "COMPLETEAGENT",
    "ABANDON",
    "EXITWITHTIMEOUT",
    "EXITEMPTY",
    "EXITWITHKEY",
    "TRANSFER",
    "BLINDTRANSFER",
    "ATTENDEDTRANSFER",
    "AGENTDUMP",
}
UNANSWERED_END = {
    "ABANDON": CallOutcome.FALLBACK_ABANDONED,
    "EXITWITHKEY": CallOutcome.FALLBACK_ABANDONED,
    "EXITWITHTIMEOUT": CallOutcome.NO_COUNSELLOR,
    "EXITEMPTY": CallOutcome.NO_COUNSELLOR,
}
DISPOSITION_OUTCOME = {
    "ANSWERED": OfferOutcome.ANSWERED,
    "NO ANSWER": OfferOutcome.NO_ANSWER,
    "BUSY": OfferOutcome.BUSY,
    "FAILED": OfferOutcome.UNREACHABLE,
    "CONGESTION": OfferOutcome.UNREACHABLE,
}


@dataclass(frozen=True)
class ImportConfig:
    """``node``: this Asterisk's name; ``queue_centres``: fallback queue name -> centre code;
    ``pbx_timezone``: the zone of CDR local times; ``endpoint_counsellors``: PJSIP endpoint (and
    queue member) name -> counsellor id, from the flow's counsellors in settings (a name not
    there is upper-cased, ``hn-01`` -> ``HN-01``, as the lab's member names are)."""

    node: str
    queue_centres: Mapping[str, str]
    pbx_timezone: str = "UTC"
    endpoint_counsellors: Mapping[str, str] = field(default_factory=dict)
    counsellor_centres: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Settings) -> ImportConfig:
        phones = {c.endpoint.split("/", 1)[-1]: c.id for c in settings.flow.counsellors}
        return cls(
            node=settings.service.node,
            queue_centres=dict(settings.calls.fallback_queues),
            pbx_timezone=settings.calls.pbx_timezone,
            endpoint_counsellors=phones,
            counsellor_centres={c.id: c.centre for c in settings.flow.counsellors},
        )

    def centre_of(self, counsellor: str, default: str | None) -> str | None:
        return self.counsellor_centres.get(counsellor, default)

    def counsellor(self, endpoint_or_agent: str) -> str:
        known = self.endpoint_counsellors
        found = known.get(endpoint_or_agent) or known.get(endpoint_or_agent.lower())
        return found or endpoint_or_agent.upper()


@dataclass(frozen=True, slots=True)
class ImportSummary:
    calls: int
    answered: int
    unanswered: int
    in_progress: int  # seen but not finished yet: left for a later import
    bad_lines: tuple[tuple[str, int, str], ...]


def _endpoint(channel: str) -> str:
    """``PJSIP/hn-02-00000012`` -> ``hn-02``."""
    name = channel.split("/", 1)[-1]
    head, sep, tail = name.rpartition("-")
    return head if sep and len(tail) == 8 else name


def _userfield(value: str) -> dict[str, str]:
    pairs = (part.split("=", 1) for part in value.split(";") if "=" in part)
    return {k.strip().lower(): v.strip() for k, v in pairs}


def read_fallback_calls(
    cdr_records: Iterable[CdrRecord],
    queue_lines: Iterable[QueueLogLine],
    config: ImportConfig,
    *,
    since: datetime | None = None,
) -> tuple[list[FallbackCallImported], int]:
    """Fallback-queue calls from parsed logs, and how many are still in progress."""
    by_call_cdr: dict[str, list[CdrRecord]] = defaultdict(list)
    for rec in cdr_records:
        by_call_cdr[rec.uniqueid].append(rec)
    by_call_ql: dict[str, list[QueueLogLine]] = defaultdict(list)
    for line in queue_lines:
        if line.queue in config.queue_centres and line.callid not in ("NONE", "MANAGER", ""):
            by_call_ql[line.callid].append(line)
    ids = set(by_call_ql) | {
        uid
        for uid, recs in by_call_cdr.items()
        if any(r.queue in config.queue_centres for r in recs)
    }
    facts: list[FallbackCallImported] = []
    in_progress = 0
    for uid in sorted(ids):
        fact = _one_call(uid, by_call_cdr.get(uid, []), by_call_ql.get(uid, []), config)
        if fact is None:
            in_progress += 1
        elif since is None or fact.at >= since:
            facts.append(fact)
    return facts, in_progress


def _one_call(
    uid: str, cdrs: list[CdrRecord], qlog: list[QueueLogLine], config: ImportConfig
) -> FallbackCallImported | None:
    cdrs = sorted(cdrs, key=lambda r: (r.start, r.sequence))
    qlog = sorted(qlog, key=lambda q: q.at)
    first: dict[str, QueueLogLine] = {}
    for q in qlog:  # a caller may go round the queue again (Queue() timeout, then again)
        first.setdefault(q.event, q)
    end_event = next((q for q in reversed(qlog) if q.event in END_EVENTS), None)
    if not cdrs and (end_event is None or qlog[-1].event == "ENTERQUEUE"):
        return None  # still waiting or talking: a later import will see its end
    extra: dict[str, str] = {}
    for r in cdrs:  # asterisk-conf/ writes key=value pairs; later records win
        extra.update({k: v for k, v in _userfield(r.userfield).items() if v})
    queue = next((q.queue for q in qlog), None) or next((r.queue for r in cdrs if r.queue), "")
    centre = extra.get("centre") or config.queue_centres.get(queue or "") or None
    enter = first.get("ENTERQUEUE")
    connect = first.get("CONNECT")
    arrived = cdrs[0].start if cdrs else (enter.at if enter else qlog[0].at)
    ended = max(r.end for r in cdrs) if cdrs else end_event.at  # type: ignore[union-attr]
    offers = _offers(cdrs, qlog, config, centre)
    answered_at: datetime | None = None
    answered_by: str | None = None
    if connect is not None:
        answered_at, answered_by = connect.at, config.counsellor(connect.agent)
    else:
        taken = next((r for r in cdrs if r.dstchannel and r.disposition == "ANSWERED"), None)
        if taken is not None:
            answered_at = taken.answer or taken.start
            answered_by = config.counsellor(_endpoint(taken.dstchannel))
    if answered_at is not None:
        outcome = CallOutcome.FALLBACK_ANSWERED
    elif end_event is not None:
        outcome = UNANSWERED_END.get(end_event.event, CallOutcome.FALLBACK_ABANDONED)
    else:
        outcome = CallOutcome.FALLBACK_ABANDONED
    caller = cdrs[0].src if cdrs else (enter.data[1] if enter and len(enter.data) > 1 else None)
    return FallbackCallImported(
        node=config.node,
        channel_id=uid,
        at=arrived,
        caller_number=caller,
        dialled=cdrs[0].dst if cdrs else None,
        channel_name=cdrs[0].channel if cdrs else None,
        queued_at=enter.at if enter else arrived,
        answered_at=answered_at,
        ended_at=max(ended, answered_at) if answered_at else ended,
        home_centre=centre,
        answered_by=answered_by,
        answered_centre=config.counsellor_centres.get(answered_by or ""),
        language=extra.get("lang") or extra.get("language"),
        province=extra.get("province"),
        in_danger=extra.get("danger", "0") in ("1", "yes", "true"),
        outcome=outcome,
        offers=tuple(offers),
    )


def _offers(
    cdrs: list[CdrRecord], qlog: list[QueueLogLine], config: ImportConfig, centre: str | None
) -> list[ImportedOffer]:
    unique: dict[str, CdrRecord] = {}
    for r in cdrs:  # the same leg may be in both CDR files
        if r.dstchannel:
            unique.setdefault(r.dstchannel, r)
    offers = [
        ImportedOffer(
            offer_id=r.dstchannel,
            counsellor=config.counsellor(_endpoint(r.dstchannel)),
            centre=config.counsellor_centres.get(
                config.counsellor(_endpoint(r.dstchannel)), centre
            ),
            offered_at=r.start,
            ended_at=r.end,
            outcome=DISPOSITION_OUTCOME.get(r.disposition, OfferOutcome.UNREACHABLE),
        )
        for r in unique.values()
    ]
    if offers:
        return offers
    for q in qlog:  # no CDR: the queue_log tells who rang and how it ended
        if q.event in ("RINGNOANSWER", "RINGCANCELED", "CONNECT"):
            ring_ms = q.data[0] if q.event == "RINGNOANSWER" and q.data else "0"
            ring_s = int(ring_ms) / 1000 if ring_ms.isdigit() else 0.0
            outcome = {
                "RINGNOANSWER": OfferOutcome.NO_ANSWER,
                "RINGCANCELED": OfferOutcome.CALLER_HUNG_UP,
                "CONNECT": OfferOutcome.ANSWERED,
            }[q.event]
            offers.append(
                ImportedOffer(
                    offer_id=f"ql:{q.agent}:{q.at.timestamp():.0f}:{q.event}",
                    counsellor=config.counsellor(q.agent),
                    centre=config.centre_of(config.counsellor(q.agent), centre),
                    offered_at=q.at - timedelta(seconds=ring_s),
                    ended_at=q.at,
                    outcome=outcome,
                )
            )
    return offers


def import_fallback_calls(
    recorder: CallRecorder,
    config: ImportConfig,
    *,
    cdr_files: Iterable[Path] = (),
    queue_log_files: Iterable[Path] = (),
    since: datetime | None = None,
) -> ImportSummary:
    """Read the files and record every finished fallback call (idempotent)."""
    tz = ZoneInfo(config.pbx_timezone)
    errors = ParseErrors()
    cdrs: list[CdrRecord] = []
    for path in cdr_files:
        with path.open(newline="", encoding="utf-8", errors="replace") as fh:
            cdrs += parse_cdr(fh, tz=tz, source=str(path), errors=errors)
    qlog: list[QueueLogLine] = []
    for path in queue_log_files:
        with path.open(encoding="utf-8", errors="replace") as fh:
            qlog += parse_queue_log(fh, source=str(path), errors=errors)
    facts, in_progress = read_fallback_calls(cdrs, qlog, config, since=since)
    recorder.record_many(facts)
    answered = sum(f.outcome == CallOutcome.FALLBACK_ANSWERED for f in facts)
    return ImportSummary(
        calls=len(facts),
        answered=answered,
        unanswered=len(facts) - answered,
        in_progress=in_progress,
        bad_lines=tuple(errors.lines),
    )
