"""The callback log: outbox messages are kept after delivery (or giving up) with each attempt's
outcome, the call and recording they are about, and the message they replay; a recording keeps
its pause ledger; console sessions ended by a logout.

Revision ID: 2026_12_08_0014
Revises: 2026_12_07_0013
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from phonograph.store.models.base import UTCDateTime

revision = "2026_12_08_0014"
down_revision = "2026_12_07_0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("state", sa.String(length=16), server_default="pending", nullable=False)
        )
        batch_op.add_column(sa.Column("call_sid", sa.String(length=34), nullable=True))
        batch_op.add_column(sa.Column("recording_sid", sa.String(length=34), nullable=True))
        batch_op.add_column(sa.Column("replay_of", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("attempt_log", sa.JSON(), server_default="[]", nullable=False))
        batch_op.add_column(sa.Column("finished_at", UTCDateTime(), nullable=True))
        batch_op.create_index("ix_outbox_messages_state_next_attempt_at", ["state", "next_attempt_at"])
        batch_op.create_index("ix_outbox_messages_account_sid_id", ["account_sid", "id"])
        batch_op.create_index(batch_op.f("ix_outbox_messages_call_sid"), ["call_sid"])
        batch_op.create_index(batch_op.f("ix_outbox_messages_recording_sid"), ["recording_sid"])
        batch_op.create_index(batch_op.f("ix_outbox_messages_finished_at"), ["finished_at"])
    with op.batch_alter_table("recordings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pauses", sa.JSON(), server_default="[]", nullable=False))
    op.create_table(
        "console_logouts",
        sa.Column("session_digest", sa.String(length=64), primary_key=True),
        sa.Column("expires_at", UTCDateTime(), nullable=False, index=True),
    )


def downgrade() -> None:
    op.drop_table("console_logouts")
    with op.batch_alter_table("recordings", schema=None) as batch_op:
        batch_op.drop_column("pauses")
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_messages_finished_at"))
        batch_op.drop_index(batch_op.f("ix_outbox_messages_recording_sid"))
        batch_op.drop_index(batch_op.f("ix_outbox_messages_call_sid"))
        batch_op.drop_index("ix_outbox_messages_account_sid_id")
        batch_op.drop_index("ix_outbox_messages_state_next_attempt_at")
        for column in ("finished_at", "attempt_log", "replay_of", "recording_sid", "call_sid", "state"):
            batch_op.drop_column(column)
