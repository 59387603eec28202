"""Tables of callback requests and their attempts (migration 0005).

A request's natural key is the call it was made on (``call_id``, the same key as ``calls``);
an attempt's is the outbound leg's channel id (``attempt_id``). Both are written from facts
through the call recorder's outbox, idempotently. The caller is stored only as a keyed hash and
encrypted, like in ``calls``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from callcenter.db.base import Base


class CallbackRequestRow(Base):
    __tablename__ = "callback_requests"

    call_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    node: Mapped[str] = mapped_column(String(64))
    caller_hash: Mapped[str | None] = mapped_column(String(64))
    caller_number_enc: Mapped[str | None] = mapped_column(Text)
    safe_window: Mapped[str] = mapped_column(String(16))
    language: Mapped[str | None] = mapped_column(String(16))
    home_centre: Mapped[str | None] = mapped_column(String(8))
    in_danger: Mapped[bool] = mapped_column(Boolean, default=False)
    arrived_at: Mapped[datetime]  # the caller's original place in line
    requested_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # attempts dialled
    last_attempt_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_callback_requests_state_node", "state", "node"),)


class CallbackAttemptRow(Base):
    __tablename__ = "callback_attempts"

    attempt_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    call_id: Mapped[str] = mapped_column(String(200), index=True)
    counsellor: Mapped[str | None] = mapped_column(String(64))
    counsellor_leg: Mapped[str | None] = mapped_column(String(128))
    dialled_at: Mapped[datetime | None]  # None: never dialled (outside the safe window)
    ended_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(16))
    talk_s: Mapped[float | None] = mapped_column(Float)
