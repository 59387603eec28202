"""Earlier calls of the same (pseudonymous) caller, for the screen-pop."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from callcenter.calls.models import CallRow


@dataclass(frozen=True, slots=True)
class EarlierCall:
    call_id: str
    arrived_at: datetime
    outcome: str | None
    home_centre: str | None
    answered_by: str | None
    in_danger: bool
    talk_s: float | None


async def earlier_calls(
    session: AsyncSession,
    caller_hash: str | None,
    *,
    before: datetime | None = None,
    limit: int = 10,
) -> list[EarlierCall]:
    """The caller's most recent calls, newest first. A withheld number (hash None) has none:
    callers without a number are never taken for one another."""
    if caller_hash is None:
        return []
    query = select(CallRow).where(CallRow.caller_hash == caller_hash)
    if before is not None:
        query = query.where(CallRow.arrived_at < before)
    rows = await session.scalars(query.order_by(CallRow.arrived_at.desc()).limit(limit))
    return [
        EarlierCall(
            call_id=r.call_id,
            arrived_at=r.arrived_at,
            outcome=r.outcome,
            home_centre=r.home_centre,
            answered_by=r.answered_by,
            in_danger=r.in_danger,
            talk_s=r.talk_s,
        )
        for r in rows
    ]
