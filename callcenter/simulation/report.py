"""The figures of one simulation run, per centre and in total, as text or one JSON object.

Definitions (docs/scenario.md repeats them):

- offered: calls whose home centre is this one, arriving after the warm-up;
- answered / abandoned (hung up before a counsellor answered, ringing included) / short abandoned
  (abandoned within ``short_abandon_seconds``: not counted against service) / callbacks (left a
  callback request) / still waiting when the run ended;
- service level: answered within the threshold / (offered - short abandoned);
- abandoned share: abandoned / offered;
- average speed of answer: mean wait of answered calls (arrival to answer, ringing included);
- waited share: calls not offered to a counsellor at the moment they arrived / offered;
- occupancy: time on calls and in wrap-up / time logged in, for this centre's counsellors;
- overflow out: this centre's calls answered elsewhere; overflow in: other centres' calls
  answered here; widened: this centre's calls whose reach the engine widened to other centres.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from callcenter.simulation.stats import Interval, share_interval


@dataclass(slots=True)
class CallRecord:
    """What happened to one simulated call (filled in by the event loop)."""

    call_id: str
    home: str
    arrived: float
    priority: int = 0  # routing.model.Priority
    language: str = ""
    first_offer: float | None = None
    answered: float | None = None
    answered_centre: str | None = None
    counsellor: str | None = None
    abandoned: float | None = None
    callback: float | None = None
    widened: bool = False
    interpreter: bool = False


@dataclass(frozen=True, slots=True)
class CentreFigures:
    offered: int
    answered: int
    abandoned: int
    short_abandoned: int
    callbacks: int
    still_waiting: int
    service_level: float
    service_level_ci95: Interval
    abandoned_share: float
    abandoned_share_ci95: Interval
    average_speed_of_answer: float
    longest_wait: float
    waited_share: float
    occupancy: float
    overflow_in: int
    overflow_out: int
    widened: int
    interpreter: int


@dataclass(frozen=True, slots=True)
class Report:
    scenario: str
    seed: int
    days: float
    service_level_seconds: float
    short_abandon_seconds: float
    centres: dict[str, CentreFigures]
    total: CentreFigures
    engine_events: int = 0
    decisions: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)


def _ratio(num: float, den: float) -> float:
    return num / den if den else 0.0


def figures(
    calls: list[CallRecord],
    centres: set[str] | None,
    *,
    threshold: float,
    short_abandon: float,
    batches: int,
    busy_seconds: float,
    staffed_seconds: float,
) -> CentreFigures:
    """Figures for the calls whose home is in ``centres`` (None: every call)."""
    mine = [c for c in calls if centres is None or c.home in centres]
    answered = [c for c in mine if c.answered is not None]
    waits = [c.answered - c.arrived for c in answered if c.answered is not None]
    abandoned = [c for c in mine if c.abandoned is not None]
    short = [
        c for c in abandoned if c.abandoned is not None and c.abandoned - c.arrived < short_abandon
    ]
    short_ids = {id(c) for c in short}
    sl_flags = [
        c.answered is not None and c.answered - c.arrived <= threshold
        for c in mine
        if id(c) not in short_ids
    ]
    ab_flags = [c.abandoned is not None for c in mine]
    out_ = sum(1 for c in answered if centres is not None and c.answered_centre not in centres)
    in_ = 0
    if centres is not None:
        in_ = sum(
            1
            for c in calls
            if c.answered is not None and c.answered_centre in centres and c.home not in centres
        )
    return CentreFigures(
        offered=len(mine),
        answered=len(answered),
        abandoned=len(abandoned),
        short_abandoned=len(short),
        callbacks=sum(1 for c in mine if c.callback is not None),
        still_waiting=sum(
            1 for c in mine if c.answered is None and c.abandoned is None and c.callback is None
        ),
        service_level=_ratio(sum(sl_flags), len(sl_flags)),
        service_level_ci95=share_interval(sl_flags, batches),
        abandoned_share=_ratio(len(abandoned), len(mine)),
        abandoned_share_ci95=share_interval(ab_flags, batches),
        average_speed_of_answer=_ratio(sum(waits), len(waits)),
        longest_wait=max(waits, default=0.0),
        waited_share=_ratio(
            sum(1 for c in mine if c.first_offer is None or c.first_offer > c.arrived), len(mine)
        ),
        occupancy=_ratio(busy_seconds, staffed_seconds),
        overflow_in=in_,
        overflow_out=out_,
        widened=sum(1 for c in mine if c.widened),
        interpreter=sum(1 for c in answered if c.interpreter),
    )


def _pct(x: float) -> str:
    return f"{100 * x:5.1f}%"


def _ci(i: Interval) -> str:
    return f"[{100 * i.low:.1f}-{100 * i.high:.1f}]"


def format_text(report: Report) -> str:
    """A table for people: one column per centre and a total (Vietnamese and English labels)."""
    cols = [*report.centres.items(), ("ALL", report.total)]
    t = report.service_level_seconds
    rows: list[tuple[str, list[str]]] = [
        ("offered / cuộc gọi đến", [str(f.offered) for _, f in cols]),
        ("answered / đã trả lời", [str(f.answered) for _, f in cols]),
        ("abandoned / bỏ máy", [str(f.abandoned) for _, f in cols]),
        (
            f"  within {report.short_abandon_seconds:g}s / bỏ máy sớm",
            [str(f.short_abandoned) for _, f in cols],
        ),
        ("callbacks / hẹn gọi lại", [str(f.callbacks) for _, f in cols]),
        ("still waiting / còn chờ", [str(f.still_waiting) for _, f in cols]),
        (f"service level <= {t:g}s / mức phục vụ", [_pct(f.service_level) for _, f in cols]),
        ("  95% CI", [_ci(f.service_level_ci95) for _, f in cols]),
        ("abandoned share / tỉ lệ bỏ máy", [_pct(f.abandoned_share) for _, f in cols]),
        ("  95% CI", [_ci(f.abandoned_share_ci95) for _, f in cols]),
        ("avg speed of answer / chờ TB (s)", [f"{f.average_speed_of_answer:.1f}" for _, f in cols]),
        ("longest wait / chờ lâu nhất (s)", [f"{f.longest_wait:.0f}" for _, f in cols]),
        ("waited at all / phải chờ", [_pct(f.waited_share) for _, f in cols]),
        ("occupancy / mức bận", [_pct(f.occupancy) for _, f in cols]),
        ("overflow in / nhận từ nơi khác", [str(f.overflow_in) for _, f in cols]),
        ("overflow out / chuyển đi", [str(f.overflow_out) for _, f in cols]),
        ("widened / mở rộng", [str(f.widened) for _, f in cols]),
        ("interpreter / cần phiên dịch", [str(f.interpreter) for _, f in cols]),
    ]
    label_w = max(len(label) for label, _ in rows)
    col_w = max(13, *(len(v) for _, vals in rows for v in vals))
    head = " " * label_w + "".join(f"{name:>{col_w + 2}}" for name, _ in cols)
    lines = [
        f"scenario / kịch bản: {report.scenario}   seed: {report.seed}"
        f"   days / ngày: {report.days:g}",
        head,
    ]
    lines += [
        f"{label:<{label_w}}" + "".join(f"{v:>{col_w + 2}}" for v in vals) for label, vals in rows
    ]
    return "\n".join(lines)
