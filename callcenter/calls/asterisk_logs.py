"""Parsers of Asterisk's own call logs: CDR CSV files and queue_log.

* CDR: ``cdr_csv``'s Master.csv (accountcode, src, dst, dcontext, clid, channel, dstchannel,
  lastapp, lastdata, start, answer, end, duration, billsec, disposition, amaflags, uniqueid,
  userfield) and the ``cdr_custom`` Master.csv of asterisk-conf/ (clid, src, dst, dcontext,
  channel, dstchannel, lastapp, lastdata, start, answer, end, duration, billsec, disposition,
  amaflags, accountcode, uniqueid, userfield, sequence). Told apart by their column count.
* queue_log: ``epoch|callid|queue|agent|event|data1|data2|...``.

Bad lines are collected with their line number (never silently dropped, never fatal).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

CDR_CSV_COLUMNS = [
    "accountcode",
    "src",
    "dst",
    "dcontext",
    "clid",
    "channel",
    "dstchannel",
    "lastapp",
    "lastdata",
    "start",
    "answer",
    "end",
    "duration",
    "billsec",
    "disposition",
    "amaflags",
    "uniqueid",
    "userfield",
]
CDR_CUSTOM_COLUMNS = [
    "clid",
    "src",
    "dst",
    "dcontext",
    "channel",
    "dstchannel",
    "lastapp",
    "lastdata",
    "start",
    "answer",
    "end",
    "duration",
    "billsec",
    "disposition",
    "amaflags",
    "accountcode",
    "uniqueid",
    "userfield",
    "sequence",
]


@dataclass(frozen=True, slots=True)
class CdrRecord:
    uniqueid: str
    src: str
    dst: str
    channel: str
    dstchannel: str
    lastapp: str
    lastdata: str
    start: datetime
    answer: datetime | None
    end: datetime
    disposition: str
    userfield: str
    sequence: int

    @property
    def queue(self) -> str | None:
        if self.lastapp.lower() != "queue":
            return None
        return self.lastdata.split(",", 1)[0] or None


@dataclass(frozen=True, slots=True)
class QueueLogLine:
    at: datetime
    callid: str
    queue: str
    agent: str
    event: str
    data: tuple[str, ...]


@dataclass
class ParseErrors:
    lines: list[tuple[str, int, str]] = field(default_factory=list)  # (source, line no, reason)

    def add(self, source: str, line_no: int, reason: str) -> None:
        self.lines.append((source, line_no, reason))


def _local_time(value: str, tz: ZoneInfo) -> datetime | None:
    value = value.strip()
    if not value:
        return None
    return datetime.fromisoformat(value).replace(tzinfo=tz).astimezone(UTC)


def parse_cdr(
    lines: Iterable[str], *, tz: ZoneInfo, source: str = "cdr", errors: ParseErrors | None = None
) -> list[CdrRecord]:
    """CDR rows of either CSV layout; times are read in ``tz`` (cdr.conf ``usegmtime=no``)."""
    errors = errors if errors is not None else ParseErrors()
    records: list[CdrRecord] = []
    for line_no, row in enumerate(csv.reader(lines), start=1):
        if not row:
            continue
        if len(row) == len(CDR_CUSTOM_COLUMNS):
            values = dict(zip(CDR_CUSTOM_COLUMNS, row, strict=True))
        elif len(row) == len(CDR_CSV_COLUMNS):
            values = dict(zip(CDR_CSV_COLUMNS, row, strict=True))
            values["sequence"] = str(line_no)
        else:
            errors.add(source, line_no, f"{len(row)} columns, expected 18 or 19")
            continue
        try:
            start = _local_time(values["start"], tz)
            end = _local_time(values["end"], tz)
            if start is None or end is None or not values["uniqueid"]:
                raise ValueError("missing start, end or uniqueid")
            records.append(
                CdrRecord(
                    uniqueid=values["uniqueid"],
                    src=values["src"],
                    dst=values["dst"],
                    channel=values["channel"],
                    dstchannel=values["dstchannel"],
                    lastapp=values["lastapp"],
                    lastdata=values["lastdata"],
                    start=start,
                    answer=_local_time(values["answer"], tz),
                    end=end,
                    disposition=values["disposition"].upper(),
                    userfield=values["userfield"],
                    sequence=int(values["sequence"] or 0),
                )
            )
        except ValueError as exc:
            errors.add(source, line_no, str(exc))
    return records


def parse_queue_log(
    lines: Iterable[str], *, source: str = "queue_log", errors: ParseErrors | None = None
) -> list[QueueLogLine]:
    errors = errors if errors is not None else ParseErrors()
    parsed: list[QueueLogLine] = []
    for line_no, line in enumerate(lines, start=1):
        line = line.rstrip("\r\n")
        if not line.strip():
            continue
        parts = line.split("|")
        if len(parts) < 5:
            errors.add(source, line_no, "fewer than 5 fields")
            continue
        try:
            at = datetime.fromtimestamp(float(parts[0]), UTC)
        except ValueError:
            errors.add(source, line_no, f"bad time {parts[0]!r}")
            continue
        parsed.append(
            QueueLogLine(
                at=at,
                callid=parts[1],
                queue=parts[2],
                agent=parts[3],
                event=parts[4].upper(),
                data=tuple(parts[5:]),
            )
        )
    return parsed
