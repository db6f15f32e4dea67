"""Nodes: processes sharing the database, their leases, and the owner of each live row.

Revision ID: 2026_12_07_0009
Revises: 2026_12_07_0008
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from phonograph.store.models.base import UTCDateTime

revision = "2026_12_07_0009"
down_revision = "2026_12_07_0008"
branch_labels = None
depends_on = None

OWNED = ("calls", "recordings", "conferences")


def upgrade() -> None:
    op.create_table(
        "nodes",
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("incarnation", sa.String(length=32), nullable=False),
        sa.Column("address", sa.String(length=255), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("heartbeat_at", UTCDateTime(), nullable=False),
        sa.Column("lease_expires_at", UTCDateTime(), nullable=False),
        sa.Column("draining", sa.Boolean(), nullable=False),
        sa.Column("live_calls", sa.Integer(), nullable=False),
        sa.Column("live_recordings", sa.Integer(), nullable=False),
        sa.Column("taken_over_by", sa.String(length=128), nullable=True),
        sa.Column("taken_over_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("nodes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_nodes_lease_expires_at"), ["lease_expires_at"], unique=False)
    # Plain ALTERs (no batch): SQLite adds and drops a nullable column in place, where a batch would
    # copy each table, which the participants' foreign keys forbid.
    for table in OWNED:
        op.add_column(table, sa.Column("owner_node", sa.String(length=128), nullable=True))
        op.create_index(op.f(f"ix_{table}_owner_node"), table, ["owner_node"], unique=False)


def downgrade() -> None:
    for table in OWNED:
        op.drop_index(op.f(f"ix_{table}_owner_node"), table_name=table)
        op.drop_column(table, "owner_node")
    op.drop_table("nodes")
