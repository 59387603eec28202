"""Tables of the call records: one row per call, its offers and its transfers.

The natural key of a call is ``call_id = "<asterisk node>/<caller channel uniqueid>"``; offers and
transfers have natural keys too, so every write can be an insert-or-ignore (idempotent).
The caller is stored only as a keyed hash (for repeat-caller matching) and encrypted.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from callcenter.db.base import Base


class CallRow(Base):
    __tablename__ = "calls"

    call_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    node: Mapped[str] = mapped_column(String(64))
    channel_id: Mapped[str] = mapped_column(String(64))
    channel_name: Mapped[str | None] = mapped_column(String(128))
    source: Mapped[str] = mapped_column(String(16))
    dialled: Mapped[str | None] = mapped_column(String(32))
    caller_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    caller_number_enc: Mapped[str | None] = mapped_column(Text)

    arrived_at: Mapped[datetime]
    ivr_done_at: Mapped[datetime | None]
    queued_at: Mapped[datetime | None]
    first_offered_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    callback_requested_at: Mapped[datetime | None]
    fallback_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    wrapup_ended_at: Mapped[datetime | None]

    language: Mapped[str | None] = mapped_column(String(16))
    province: Mapped[str | None] = mapped_column(String(16))
    home_centre: Mapped[str | None] = mapped_column(String(8))
    in_danger: Mapped[bool] = mapped_column(Boolean, default=False)
    answered_centre: Mapped[str | None] = mapped_column(String(8))
    answered_by: Mapped[str | None] = mapped_column(String(64))
    centres: Mapped[list[str]] = mapped_column(JSON, default=list)
    counsellors: Mapped[list[str]] = mapped_column(JSON, default=list)

    wait_s: Mapped[float | None] = mapped_column(Float)
    talk_s: Mapped[float | None] = mapped_column(Float)
    wrapup_s: Mapped[float | None] = mapped_column(Float)
    outcome: Mapped[str | None] = mapped_column(String(32))
    hangup_by: Mapped[str | None] = mapped_column(String(16))

    # Never loaded (lazy="raise"); declared so the unit of work inserts a call before its
    # offers and transfers.
    offers: Mapped[list[CallOfferRow]] = relationship(lazy="raise", passive_deletes=True)
    transfers: Mapped[list[CallTransferRow]] = relationship(lazy="raise", passive_deletes=True)
    consultations: Mapped[list[CallConsultRow]] = relationship(lazy="raise", passive_deletes=True)

    __table_args__ = (
        Index("ix_calls_arrived_at", "arrived_at"),
        Index("ix_calls_home_centre_arrived_at", "home_centre", "arrived_at"),
        Index("ix_calls_answered_by_arrived_at", "answered_by", "arrived_at"),
    )


class CallOfferRow(Base):
    """One counsellor's phone ringing for the call; ``offer_id`` is the counsellor leg's id."""

    __tablename__ = "call_offers"

    call_id: Mapped[str] = mapped_column(
        String(200), ForeignKey("calls.call_id", ondelete="CASCADE"), primary_key=True
    )
    offer_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    counsellor: Mapped[str] = mapped_column(String(64))
    centre: Mapped[str | None] = mapped_column(String(8))
    offered_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(16))


class CallTransferRow(Base):
    __tablename__ = "call_transfers"

    call_id: Mapped[str] = mapped_column(
        String(200), ForeignKey("calls.call_id", ondelete="CASCADE"), primary_key=True
    )
    transfer_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    transferred_at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(16))
    from_counsellor: Mapped[str | None] = mapped_column(String(64))
    to_counsellor: Mapped[str | None] = mapped_column(String(64))
    to_centre: Mapped[str | None] = mapped_column(String(8))
    to_agency: Mapped[str | None] = mapped_column(String(64))


class CallConsultRow(Base):
    """One consultation (consult transfer): the counsellor talked with a target while the caller
    held; ``outcome`` as :class:`callcenter.calls.outcomes.ConsultOutcome`."""

    __tablename__ = "call_consultations"

    call_id: Mapped[str] = mapped_column(
        String(200), ForeignKey("calls.call_id", ondelete="CASCADE"), primary_key=True
    )
    consult_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    started_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(24))
    from_counsellor: Mapped[str | None] = mapped_column(String(64))
    to_counsellor: Mapped[str | None] = mapped_column(String(64))
    to_centre: Mapped[str | None] = mapped_column(String(8))
    to_agency: Mapped[str | None] = mapped_column(String(64))


class CallHourStatsRow(Base):
    """Sums of the call figures per hour of arrival (UTC) and home centre, kept up to date by
    the recorder in the same transaction as the calls, so long-period statistics read a few
    thousand rows instead of every call. ``centre`` is '' for calls without a home centre."""

    __tablename__ = "call_hour_stats"

    hour_start: Mapped[datetime] = mapped_column(primary_key=True)
    centre: Mapped[str] = mapped_column(String(8), primary_key=True)
    service_level_s: Mapped[float] = mapped_column(Float)
    short_abandon_s: Mapped[float] = mapped_column(Float)
    calls: Mapped[int]
    offered: Mapped[int]
    answered: Mapped[int]
    abandoned: Mapped[int]
    abandoned_short: Mapped[int]
    answered_within_sl: Mapped[int]
    wait_answered_sum: Mapped[float] = mapped_column(Float)
    wait_answered_n: Mapped[int]
    wait_offered_sum: Mapped[float] = mapped_column(Float)
    wait_offered_n: Mapped[int]
    wait_max: Mapped[float | None] = mapped_column(Float)
    talk_answered_sum: Mapped[float] = mapped_column(Float)
    talk_answered_n: Mapped[int]
    wrapup_sum: Mapped[float] = mapped_column(Float)
    wrapup_n: Mapped[int]
    overflowed: Mapped[int]
    callbacks: Mapped[int]
    abandoned_in_ivr: Mapped[int]
    in_danger: Mapped[int]


# Callback requests live in their own module; imported here so Base.metadata has them.
from callcenter.calls.callback_models import (  # noqa: E402
    CallbackAttemptRow as CallbackAttemptRow,
)
from callcenter.calls.callback_models import (  # noqa: E402
    CallbackRequestRow as CallbackRequestRow,
)
