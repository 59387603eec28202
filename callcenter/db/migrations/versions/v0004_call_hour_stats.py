"""Hourly rollup of the call figures (call_hour_stats), filled from the existing calls.

Revision ID: 0004_call_hour_stats
Revises: 0003_case_store
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_call_hour_stats"
down_revision: str | None = "0003_case_store"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTS = [
    "calls",
    "offered",
    "answered",
    "abandoned",
    "abandoned_short",
    "answered_within_sl",
    "wait_answered_n",
    "wait_offered_n",
    "talk_answered_n",
    "wrapup_n",
    "overflowed",
    "callbacks",
    "abandoned_in_ivr",
    "in_danger",
]
SUMS = ["wait_answered_sum", "wait_offered_sum", "talk_answered_sum", "wrapup_sum"]


def upgrade() -> None:
    op.create_table(
        "call_hour_stats",
        sa.Column("hour_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("centre", sa.String(length=8), nullable=False),
        sa.Column("service_level_s", sa.Float(), nullable=False),
        sa.Column("short_abandon_s", sa.Float(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS),
        *(sa.Column(name, sa.Float(), nullable=False) for name in SUMS),
        sa.Column("wait_max", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("hour_start", "centre", name=op.f("pk_call_hour_stats")),
    )
    # Existing calls (none on a fresh install) are summed by `callcenter calls rebuild-stats`.


def downgrade() -> None:
    op.drop_table("call_hour_stats")
