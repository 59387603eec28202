"""Durable callback requests and a record of every callback attempt.

Revision ID: 0005_callback_requests
Revises: 0004_call_hour_stats
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_callback_requests"
down_revision: str | None = "0004_call_hour_stats"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "callback_requests",
        sa.Column("call_id", sa.String(length=200), nullable=False),
        sa.Column("node", sa.String(length=64), nullable=False),
        sa.Column("caller_hash", sa.String(length=64), nullable=True),
        sa.Column("caller_number_enc", sa.Text(), nullable=True),
        sa.Column("safe_window", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("home_centre", sa.String(length=8), nullable=True),
        sa.Column("in_danger", sa.Boolean(), nullable=False),
        sa.Column("arrived_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("call_id", name=op.f("pk_callback_requests")),
    )
    op.create_index(
        "ix_callback_requests_state_node", "callback_requests", ["state", "node"], unique=False
    )
    op.create_table(
        "callback_attempts",
        sa.Column("attempt_id", sa.String(length=128), nullable=False),
        sa.Column("call_id", sa.String(length=200), nullable=False),
        sa.Column("counsellor", sa.String(length=64), nullable=True),
        sa.Column("counsellor_leg", sa.String(length=128), nullable=True),
        sa.Column("dialled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("talk_s", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("attempt_id", name=op.f("pk_callback_attempts")),
    )
    op.create_index(
        op.f("ix_callback_attempts_call_id"), "callback_attempts", ["call_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_callback_attempts_call_id"), table_name="callback_attempts")
    op.drop_table("callback_attempts")
    op.drop_index("ix_callback_requests_state_node", table_name="callback_requests")
    op.drop_table("callback_requests")
