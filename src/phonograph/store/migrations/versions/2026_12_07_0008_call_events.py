"""Call events: the requests made to apps about calls and their answers (the Events list).

Revision ID: 2026_12_07_0008
Revises: 2026_12_06_0007
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from phonograph.store.models.base import UTCDateTime

revision = "2026_12_07_0008"
down_revision = "2026_12_06_0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "call_events",
        sa.Column("sid", sa.String(length=34), nullable=False),
        sa.Column("account_sid", sa.String(length=34), nullable=False),
        sa.Column("call_sid", sa.String(length=34), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("request_url", sa.String(length=2048), nullable=False),
        sa.Column("request_method", sa.String(length=8), nullable=False),
        sa.Column("request_params", sa.JSON(), nullable=False),
        sa.Column("response_code", sa.Integer(), nullable=True),
        sa.Column("response_content_type", sa.String(length=255), nullable=True),
        sa.Column("response_body", sa.Text(), nullable=True),
        sa.Column("error_code", sa.Integer(), nullable=True),
        sa.Column("request_duration_ms", sa.Integer(), nullable=False),
        sa.Column("date_created", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["account_sid"], ["accounts.sid"]),
        sa.PrimaryKeyConstraint("sid"),
    )
    with op.batch_alter_table("call_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_call_events_account_sid"), ["account_sid"], unique=False)
        batch_op.create_index(batch_op.f("ix_call_events_call_sid"), ["call_sid"], unique=False)
        batch_op.create_index(batch_op.f("ix_call_events_date_created"), ["date_created"], unique=False)


def downgrade() -> None:
    op.drop_table("call_events")
