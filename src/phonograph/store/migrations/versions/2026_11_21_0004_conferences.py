"""Conferences and their participants, and the accounts' dual-channel conference recording setting.

Revision ID: 2026_11_21_0004
Revises: 2026_11_21_0003
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from phonograph.store.models.base import UTCDateTime

revision = "2026_11_21_0004"
down_revision = "2026_11_21_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conferences",
        sa.Column("sid", sa.String(length=34), nullable=False),
        sa.Column("account_sid", sa.String(length=34), nullable=False),
        sa.Column("friendly_name", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("region", sa.String(length=8), nullable=False),
        sa.Column("reason_conference_ended", sa.String(length=64), nullable=True),
        sa.Column("call_sid_ending_conference", sa.String(length=34), nullable=True),
        sa.Column("status_callback", sa.String(length=2048), nullable=True),
        sa.Column("status_callback_method", sa.String(length=8), nullable=False),
        sa.Column("status_callback_events", sa.JSON(), nullable=False),
        sa.Column("callback_sequence", sa.Integer(), nullable=False),
        sa.Column("date_created", UTCDateTime(), nullable=False),
        sa.Column("date_updated", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_sid"],
            ["accounts.sid"],
        ),
        sa.PrimaryKeyConstraint("sid"),
    )
    with op.batch_alter_table("conferences", schema=None) as batch_op:
        batch_op.create_index(
            "ix_conferences_account_sid_date_created_sid",
            ["account_sid", "date_created", "sid"],
            unique=False,
        )
        batch_op.create_index(
            "ix_conferences_account_sid_friendly_name", ["account_sid", "friendly_name"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_conferences_status"), ["status"], unique=False)

    op.create_table(
        "participants",
        sa.Column("call_sid", sa.String(length=34), nullable=False),
        sa.Column("conference_sid", sa.String(length=34), nullable=False),
        sa.Column("account_sid", sa.String(length=34), nullable=False),
        sa.Column("label", sa.String(length=128), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("muted", sa.Boolean(), nullable=False),
        sa.Column("hold", sa.Boolean(), nullable=False),
        sa.Column("coaching", sa.Boolean(), nullable=False),
        sa.Column("call_sid_to_coach", sa.String(length=34), nullable=True),
        sa.Column("start_conference_on_enter", sa.Boolean(), nullable=False),
        sa.Column("end_conference_on_exit", sa.Boolean(), nullable=False),
        sa.Column("date_created", UTCDateTime(), nullable=False),
        sa.Column("date_updated", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_sid"],
            ["accounts.sid"],
        ),
        sa.ForeignKeyConstraint(
            ["conference_sid"],
            ["conferences.sid"],
        ),
        sa.PrimaryKeyConstraint("call_sid"),
        sa.UniqueConstraint("conference_sid", "label"),
    )
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_participants_conference_sid"), ["conference_sid"], unique=False)

    # Existing accounts get the default: mono conference recordings (twilio.com/docs/voice/api/recording). A
    # literal default, as in 2026_11_21_0003: with an expression SQLite's batch would copy and drop
    # ``accounts``, which the foreign keys of the tables that reference accounts refuse once rows exist.
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("dual_channel_conference_recording", sa.Boolean(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    # Not in a batch, for the same reason: SQLite (3.35+) and PostgreSQL drop the column in place.
    op.drop_column("accounts", "dual_channel_conference_recording")

    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_participants_conference_sid"))

    op.drop_table("participants")

    with op.batch_alter_table("conferences", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conferences_status"))
        batch_op.drop_index("ix_conferences_account_sid_friendly_name")
        batch_op.drop_index("ix_conferences_account_sid_date_created_sid")

    op.drop_table("conferences")
