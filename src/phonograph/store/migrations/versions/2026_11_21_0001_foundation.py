"""Foundation: accounts, API keys, v2 configurations and defaults.

Revision ID: 2026_11_21_0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from phonograph.store.models.base import UTCDateTime

revision = "2026_11_21_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("sid", sa.String(34), primary_key=True),
        sa.Column("owner_account_sid", sa.String(34), sa.ForeignKey("accounts.sid"), nullable=True),
        sa.Column("friendly_name", sa.String(64), nullable=False),
        sa.Column("auth_token", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("type", sa.String(8), nullable=False),
        sa.Column("date_created", UTCDateTime(), nullable=False),
        sa.Column("date_updated", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_accounts_owner_account_sid", "accounts", ["owner_account_sid"])
    op.create_table(
        "api_keys",
        sa.Column("sid", sa.String(34), primary_key=True),
        sa.Column("account_sid", sa.String(34), sa.ForeignKey("accounts.sid"), nullable=False),
        sa.Column("friendly_name", sa.String(64), nullable=False),
        sa.Column("secret_sha256", sa.String(64), nullable=False),
        sa.Column("date_created", UTCDateTime(), nullable=False),
        sa.Column("date_updated", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_api_keys_account_sid", "api_keys", ["account_sid"])
    op.create_table(
        "configurations",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("account_sid", sa.String(34), sa.ForeignKey("accounts.sid"), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("unique_name", sa.String(255), nullable=True),
        sa.Column("description", sa.String(1024), nullable=True),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("date_created", UTCDateTime(), nullable=False),
        sa.Column("date_updated", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("account_sid", "type", "unique_name"),
    )
    op.create_index("ix_configurations_account_sid", "configurations", ["account_sid"])
    op.create_table(
        "configuration_defaults",
        sa.Column("account_sid", sa.String(34), sa.ForeignKey("accounts.sid"), primary_key=True),
        sa.Column("type", sa.String(16), primary_key=True),
        sa.Column(
            "configuration_id",
            sa.String(64),
            sa.ForeignKey("configurations.id", ondelete="CASCADE"),
            nullable=False,
        ),
    )
    op.create_index(
        "ix_configuration_defaults_configuration_id", "configuration_defaults", ["configuration_id"]
    )
    op.create_table(
        "account_default_configurations",
        sa.Column("account_sid", sa.String(34), sa.ForeignKey("accounts.sid"), primary_key=True),
        sa.Column("type", sa.String(16), primary_key=True),
        sa.Column("description", sa.String(1024), nullable=True),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("date_created", UTCDateTime(), nullable=False),
        sa.Column("date_updated", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("account_default_configurations")
    op.drop_table("configuration_defaults")
    op.drop_table("configurations")
    op.drop_table("api_keys")
    op.drop_table("accounts")
