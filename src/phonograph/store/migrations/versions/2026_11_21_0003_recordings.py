"""Recordings, and the accounts' media settings (enforce_media_auth, hipaa).

Revision ID: 2026_11_21_0003
Revises: 2026_11_21_0002
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from phonograph.store.models.base import UTCDateTime

revision = "2026_11_21_0003"
down_revision = "2026_11_21_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recordings",
        sa.Column("sid", sa.String(length=34), nullable=False),
        sa.Column("account_sid", sa.String(length=34), nullable=False),
        sa.Column("call_sid", sa.String(length=34), nullable=True),
        sa.Column("conference_sid", sa.String(length=34), nullable=True),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("channels", sa.Integer(), nullable=False),
        sa.Column("track", sa.String(length=16), nullable=False),
        sa.Column("trim", sa.String(length=16), nullable=False),
        sa.Column("start_time", UTCDateTime(), nullable=False),
        sa.Column("duration_s", sa.Integer(), nullable=True),
        sa.Column("error_code", sa.Integer(), nullable=True),
        sa.Column("status_callback", sa.String(length=2048), nullable=True),
        sa.Column("status_callback_method", sa.String(length=8), nullable=False),
        sa.Column("status_callback_events", sa.JSON(), nullable=False),
        sa.Column("configuration_id", sa.String(length=64), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("media_key", sa.String(length=512), nullable=True),
        sa.Column("date_created", UTCDateTime(), nullable=False),
        sa.Column("date_updated", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_sid"],
            ["accounts.sid"],
        ),
        sa.PrimaryKeyConstraint("sid"),
    )
    with op.batch_alter_table("recordings", schema=None) as batch_op:
        batch_op.create_index(
            "ix_recordings_account_sid_date_created_sid", ["account_sid", "date_created", "sid"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_recordings_call_sid"), ["call_sid"], unique=False)
        batch_op.create_index(batch_op.f("ix_recordings_status"), ["status"], unique=False)

    # Existing accounts get the defaults: media auth enforced, HIPAA off
    # (twilio.com/docs/voice/api/recording). The defaults are literals ('1' and '0' read as booleans on SQLite
    # and PostgreSQL alike): with an expression (sa.true()) SQLite's batch would copy ``accounts`` and drop
    # the original, which the foreign keys of the tables that reference accounts refuse once rows exist.
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("enforce_media_auth", sa.Boolean(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("hipaa", sa.Boolean(), server_default="0", nullable=False))


def downgrade() -> None:
    # Not in a batch, for the same reason: SQLite's batch would copy and drop ``accounts``.
    # SQLite (3.35+) and PostgreSQL both drop a plain column in place.
    op.drop_column("accounts", "hipaa")
    op.drop_column("accounts", "enforce_media_auth")

    with op.batch_alter_table("recordings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recordings_status"))
        batch_op.drop_index(batch_op.f("ix_recordings_call_sid"))
        batch_op.drop_index("ix_recordings_account_sid_date_created_sid")

    op.drop_table("recordings")
