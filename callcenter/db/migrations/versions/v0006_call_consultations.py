"""Consultations of consult transfers (call_consultations, callcenter/calls/models.py).

Revision ID: 0006_call_consultations
Revises: 0005_callback_requests
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_call_consultations"
down_revision: str | None = "0005_callback_requests"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "call_consultations",
        sa.Column("call_id", sa.String(length=200), nullable=False),
        sa.Column("consult_id", sa.String(length=128), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=24), nullable=True),
        sa.Column("from_counsellor", sa.String(length=64), nullable=True),
        sa.Column("to_counsellor", sa.String(length=64), nullable=True),
        sa.Column("to_centre", sa.String(length=8), nullable=True),
        sa.Column("to_agency", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["calls.call_id"],
            name=op.f("fk_call_consultations_call_id_calls"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("call_id", "consult_id", name=op.f("pk_call_consultations")),
    )


def downgrade() -> None:
    op.drop_table("call_consultations")
