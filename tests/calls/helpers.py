"""Builders of fact sequences for whole calls (what the call flow would emit)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from callcenter.calls.facts import (
    CallAnswered,
    CallArrived,
    CallEnded,
    CallOffered,
    CallQueued,
    Fact,
    IvrCompleted,
    OfferEnded,
    WrapUpEnded,
)
from callcenter.calls.outcomes import HangupBy, OfferOutcome

T0 = datetime(2026, 3, 2, 1, 0, 0, tzinfo=UTC)  # 08:00 in Viet Nam
NODE = "pbx-hn"


def answered_call(
    n: int,
    *,
    start: datetime = T0,
    caller: str | None = "0912345678",
    wait_s: float = 12.0,
    talk_s: float = 60.0,
    wrapup_s: float = 30.0,
    centre: str = "HN",
    answered_centre: str | None = None,
    counsellor: str = "HN-01",
    node: str = NODE,
) -> list[Fact]:
    ch = f"1795381364.{n}"
    ivr = start + timedelta(seconds=20)
    answered = ivr + timedelta(seconds=wait_s)
    ended = answered + timedelta(seconds=talk_s)
    where = answered_centre or centre
    return [
        CallArrived(node=node, channel_id=ch, at=start, caller_number=caller, dialled="111"),
        IvrCompleted(
            node=node, channel_id=ch, at=ivr, language="vi", province="01", home_centre=centre
        ),
        CallQueued(node=node, channel_id=ch, at=ivr, centre=centre),
        CallOffered(
            node=node,
            channel_id=ch,
            at=answered - timedelta(seconds=3),
            offer_id=f"{ch}-o1",
            counsellor=counsellor,
            centre=where,
        ),
        OfferEnded(
            node=node,
            channel_id=ch,
            at=answered,
            offer_id=f"{ch}-o1",
            outcome=OfferOutcome.ANSWERED,
        ),
        CallAnswered(node=node, channel_id=ch, at=answered, counsellor=counsellor, centre=where),
        CallEnded(node=node, channel_id=ch, at=ended, hangup_by=HangupBy.CALLER),
        WrapUpEnded(
            node=node, channel_id=ch, at=ended + timedelta(seconds=wrapup_s), counsellor=counsellor
        ),
    ]


def abandoned_in_queue(
    n: int, *, start: datetime = T0, wait_s: float = 30.0, centre: str = "HN", node: str = NODE
) -> list[Fact]:
    ch = f"1795381364.{n}"
    ivr = start + timedelta(seconds=20)
    return [
        CallArrived(node=node, channel_id=ch, at=start, caller_number="+84 98 765 4321"),
        IvrCompleted(node=node, channel_id=ch, at=ivr, language="vi", home_centre=centre),
        CallQueued(node=node, channel_id=ch, at=ivr, centre=centre),
        CallEnded(
            node=node, channel_id=ch, at=ivr + timedelta(seconds=wait_s), hangup_by=HangupBy.CALLER
        ),
    ]
