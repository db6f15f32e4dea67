"""Calls engine: calls, incoming phone numbers, virtual phones, the webhook outbox, notifications.

Revision ID: 2026_11_21_0002
Revises: 2026_11_21_0001
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from phonograph.store.models.base import UTCDateTime

revision = "2026_11_21_0002"
down_revision = "2026_11_21_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calls",
        sa.Column("sid", sa.String(length=34), nullable=False),
        sa.Column("account_sid", sa.String(length=34), nullable=False),
        sa.Column("parent_call_sid", sa.String(length=34), nullable=True),
        sa.Column("phone_number_sid", sa.String(length=34), nullable=True),
        sa.Column("to", sa.String(length=255), nullable=False),
        sa.Column("from", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("direction", sa.String(length=24), nullable=False),
        sa.Column("answered_by", sa.String(length=32), nullable=True),
        sa.Column("forwarded_from", sa.String(length=255), nullable=True),
        sa.Column("caller_name", sa.String(length=64), nullable=True),
        sa.Column("start_time", UTCDateTime(), nullable=True),
        sa.Column("end_time", UTCDateTime(), nullable=True),
        sa.Column("duration_s", sa.Integer(), nullable=True),
        sa.Column("url", sa.String(length=2048), nullable=True),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("twiml", sa.Text(), nullable=True),
        sa.Column("fallback_url", sa.String(length=2048), nullable=True),
        sa.Column("fallback_method", sa.String(length=8), nullable=False),
        sa.Column("status_callback", sa.String(length=2048), nullable=True),
        sa.Column("status_callback_method", sa.String(length=8), nullable=False),
        sa.Column("status_callback_events", sa.JSON(), nullable=False),
        sa.Column("timeout_s", sa.Integer(), nullable=False),
        sa.Column("time_limit_s", sa.Integer(), nullable=False),
        sa.Column("send_digits", sa.String(length=32), nullable=True),
        sa.Column("recording", sa.JSON(), nullable=False),
        sa.Column("callback_sequence", sa.Integer(), nullable=False),
        sa.Column("date_created", UTCDateTime(), nullable=False),
        sa.Column("date_updated", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_sid"],
            ["accounts.sid"],
        ),
        sa.PrimaryKeyConstraint("sid"),
    )
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_calls_account_sid"), ["account_sid"], unique=False)
        batch_op.create_index(batch_op.f("ix_calls_date_created"), ["date_created"], unique=False)
        batch_op.create_index(batch_op.f("ix_calls_parent_call_sid"), ["parent_call_sid"], unique=False)

    op.create_table(
        "incoming_phone_numbers",
        sa.Column("sid", sa.String(length=34), nullable=False),
        sa.Column("account_sid", sa.String(length=34), nullable=False),
        sa.Column("phone_number", sa.String(length=32), nullable=False),
        sa.Column("friendly_name", sa.String(length=64), nullable=False),
        sa.Column("voice_url", sa.String(length=2048), nullable=True),
        sa.Column("voice_method", sa.String(length=8), nullable=False),
        sa.Column("voice_fallback_url", sa.String(length=2048), nullable=True),
        sa.Column("voice_fallback_method", sa.String(length=8), nullable=False),
        sa.Column("status_callback", sa.String(length=2048), nullable=True),
        sa.Column("status_callback_method", sa.String(length=8), nullable=False),
        sa.Column("date_created", UTCDateTime(), nullable=False),
        sa.Column("date_updated", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_sid"],
            ["accounts.sid"],
        ),
        sa.PrimaryKeyConstraint("sid"),
        sa.UniqueConstraint("phone_number"),
    )
    with op.batch_alter_table("incoming_phone_numbers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incoming_phone_numbers_account_sid"), ["account_sid"], unique=False
        )

    op.create_table(
        "notifications",
        sa.Column("sid", sa.String(length=34), nullable=False),
        sa.Column("account_sid", sa.String(length=34), nullable=False),
        sa.Column("call_sid", sa.String(length=34), nullable=True),
        sa.Column("error_code", sa.Integer(), nullable=False),
        sa.Column("log", sa.Integer(), nullable=False),
        sa.Column("message_text", sa.Text(), nullable=False),
        sa.Column("request_url", sa.String(length=2048), nullable=False),
        sa.Column("request_method", sa.String(length=8), nullable=False),
        sa.Column("request_variables", sa.Text(), nullable=False),
        sa.Column("response_body", sa.Text(), nullable=False),
        sa.Column("response_headers", sa.Text(), nullable=False),
        sa.Column("message_date", UTCDateTime(), nullable=False),
        sa.Column("date_created", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_sid"],
            ["accounts.sid"],
        ),
        sa.PrimaryKeyConstraint("sid"),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notifications_account_sid"), ["account_sid"], unique=False)
        batch_op.create_index(batch_op.f("ix_notifications_call_sid"), ["call_sid"], unique=False)

    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("account_sid", sa.String(length=34), nullable=False),
        sa.Column("ordering_key", sa.String(length=64), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("date_created", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_sid"],
            ["accounts.sid"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_messages_account_sid"), ["account_sid"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_outbox_messages_next_attempt_at"), ["next_attempt_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_outbox_messages_ordering_key"), ["ordering_key"], unique=False)

    op.create_table(
        "virtual_phones",
        sa.Column("sid", sa.String(length=34), nullable=False),
        sa.Column("account_sid", sa.String(length=34), nullable=False),
        sa.Column("phone_number", sa.String(length=32), nullable=False),
        sa.Column("answer", sa.String(length=16), nullable=False),
        sa.Column("answer_after_s", sa.Float(), nullable=False),
        sa.Column("twiml", sa.Text(), nullable=True),
        sa.Column("date_created", UTCDateTime(), nullable=False),
        sa.Column("date_updated", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_sid"],
            ["accounts.sid"],
        ),
        sa.PrimaryKeyConstraint("sid"),
        sa.UniqueConstraint("account_sid", "phone_number"),
    )
    with op.batch_alter_table("virtual_phones", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_virtual_phones_account_sid"), ["account_sid"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("virtual_phones", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_virtual_phones_account_sid"))

    op.drop_table("virtual_phones")
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_messages_ordering_key"))
        batch_op.drop_index(batch_op.f("ix_outbox_messages_next_attempt_at"))
        batch_op.drop_index(batch_op.f("ix_outbox_messages_account_sid"))

    op.drop_table("outbox_messages")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notifications_call_sid"))
        batch_op.drop_index(batch_op.f("ix_notifications_account_sid"))

    op.drop_table("notifications")
    with op.batch_alter_table("incoming_phone_numbers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incoming_phone_numbers_account_sid"))

    op.drop_table("incoming_phone_numbers")
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calls_parent_call_sid"))
        batch_op.drop_index(batch_op.f("ix_calls_date_created"))
        batch_op.drop_index(batch_op.f("ix_calls_account_sid"))

    op.drop_table("calls")
