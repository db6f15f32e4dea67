"""Transcriptions (legacy and v3 batch), what recordings promise to transcribe, and PCI mode.

Revision ID: 2026_11_21_0005
Revises: 2026_11_21_0004
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from phonograph.store.models.base import UTCDateTime

revision = "2026_11_21_0005"
down_revision = "2026_11_21_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "transcriptions",
        sa.Column("sid", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("account_sid", sa.String(length=34), nullable=False),
        sa.Column("recording_sid", sa.String(length=34), nullable=True),
        sa.Column("call_sid", sa.String(length=34), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("configuration_id", sa.String(length=64), nullable=True),
        sa.Column("resolved_configuration", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("participants", sa.JSON(), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=True),
        sa.Column("callback_url", sa.String(length=2048), nullable=True),
        sa.Column("callback_method", sa.String(length=8), nullable=False),
        sa.Column("idempotency_key", sa.String(length=128), nullable=True),
        sa.Column("request_body", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("duration_s", sa.Integer(), nullable=True),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("sentences", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("error_code", sa.Integer(), nullable=True),
        sa.Column("error_message", sa.String(length=512), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_until", UTCDateTime(), nullable=True),
        sa.Column("date_created", UTCDateTime(), nullable=False),
        sa.Column("date_updated", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_sid"],
            ["accounts.sid"],
        ),
        sa.PrimaryKeyConstraint("sid"),
    )
    with op.batch_alter_table("transcriptions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_transcriptions_account_sid_date_created_sid",
            ["account_sid", "date_created", "sid"],
            unique=False,
        )
        batch_op.create_index(
            "ix_transcriptions_account_sid_idempotency_key", ["account_sid", "idempotency_key"], unique=True
        )
        batch_op.create_index(batch_op.f("ix_transcriptions_recording_sid"), ["recording_sid"], unique=False)
        batch_op.create_index(batch_op.f("ix_transcriptions_status"), ["status"], unique=False)

    # Existing recordings promised no transcription; existing accounts are not in PCI mode. Literal
    # defaults, as in 2026_11_21_0003: with an expression SQLite's batch would copy and drop the
    # table, which the foreign keys that reference accounts refuse once rows exist.
    with op.batch_alter_table("recordings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("transcribe", sa.Boolean(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("transcribe_callback", sa.String(length=2048), nullable=True))
        batch_op.add_column(
            sa.Column("transcription_features", sa.JSON(), server_default="[]", nullable=False)
        )
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pci_mode", sa.Boolean(), server_default="0", nullable=False))


def downgrade() -> None:
    # Not in a batch, for the same reason: SQLite (3.35+) and PostgreSQL drop the column in place.
    op.drop_column("accounts", "pci_mode")
    op.drop_column("recordings", "transcription_features")
    op.drop_column("recordings", "transcribe_callback")
    op.drop_column("recordings", "transcribe")

    with op.batch_alter_table("transcriptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transcriptions_status"))
        batch_op.drop_index(batch_op.f("ix_transcriptions_recording_sid"))
        batch_op.drop_index("ix_transcriptions_account_sid_idempotency_key")
        batch_op.drop_index("ix_transcriptions_account_sid_date_created_sid")

    op.drop_table("transcriptions")
