"""Commands: controls sent to the node that owns a live call, and their replies.

Revision ID: 2026_12_07_0010
Revises: 2026_12_07_0009
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from phonograph.store.models.base import UTCDateTime

revision = "2026_12_07_0010"
down_revision = "2026_12_07_0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "commands",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("target_node", sa.String(length=128), nullable=False),
        sa.Column("origin_node", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("claimed_at", UTCDateTime(), nullable=True),
        sa.Column("done_at", UTCDateTime(), nullable=True),
        sa.Column("reply", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("commands", schema=None) as batch_op:
        batch_op.create_index(
            "ix_commands_target_node_claimed_at_id", ["target_node", "claimed_at", "id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_commands_created_at"), ["created_at"], unique=False)


def downgrade() -> None:
    op.drop_table("commands")
