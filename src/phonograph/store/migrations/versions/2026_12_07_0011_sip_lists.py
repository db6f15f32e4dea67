"""SIP lists: credential lists with their credentials (digest hashes, never passwords), and IP
access control lists with their addresses.

Revision ID: 2026_12_07_0011
Revises: 2026_12_07_0010
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from phonograph.store.models.base import UTCDateTime

revision = "2026_12_07_0011"
down_revision = "2026_12_07_0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table, name_chars in (("sip_credential_lists", 64), ("sip_ip_access_control_lists", 255)):
        op.create_table(
            table,
            sa.Column("sid", sa.String(length=34), nullable=False),
            sa.Column("account_sid", sa.String(length=34), nullable=False),
            sa.Column("date_created", UTCDateTime(), nullable=False),
            sa.Column("date_updated", UTCDateTime(), nullable=False),
            sa.Column("friendly_name", sa.String(length=name_chars), nullable=False),
            sa.ForeignKeyConstraint(["account_sid"], ["accounts.sid"]),
            sa.PrimaryKeyConstraint("sid"),
        )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f"ix_{table}_account_sid"), ["account_sid"], unique=False)
    op.create_table(
        "sip_credentials",
        sa.Column("sid", sa.String(length=34), nullable=False),
        sa.Column("account_sid", sa.String(length=34), nullable=False),
        sa.Column("credential_list_sid", sa.String(length=34), nullable=False),
        sa.Column("username", sa.String(length=32), nullable=False),
        sa.Column("ha1_md5", sa.String(length=32), nullable=False),
        sa.Column("ha1_sha256", sa.String(length=64), nullable=False),
        sa.Column("date_created", UTCDateTime(), nullable=False),
        sa.Column("date_updated", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["account_sid"], ["accounts.sid"]),
        sa.ForeignKeyConstraint(["credential_list_sid"], ["sip_credential_lists.sid"]),
        sa.PrimaryKeyConstraint("sid"),
        sa.UniqueConstraint("credential_list_sid", "username"),
    )
    with op.batch_alter_table("sip_credentials", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sip_credentials_account_sid"), ["account_sid"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_sip_credentials_credential_list_sid"), ["credential_list_sid"], unique=False
        )
    op.create_table(
        "sip_ip_addresses",
        sa.Column("sid", sa.String(length=34), nullable=False),
        sa.Column("account_sid", sa.String(length=34), nullable=False),
        sa.Column("ip_access_control_list_sid", sa.String(length=34), nullable=False),
        sa.Column("friendly_name", sa.String(length=255), nullable=False),
        sa.Column("ip_address", sa.String(length=45), nullable=False),
        sa.Column("cidr_prefix_length", sa.Integer(), nullable=False),
        sa.Column("date_created", UTCDateTime(), nullable=False),
        sa.Column("date_updated", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["account_sid"], ["accounts.sid"]),
        sa.ForeignKeyConstraint(["ip_access_control_list_sid"], ["sip_ip_access_control_lists.sid"]),
        sa.PrimaryKeyConstraint("sid"),
    )
    with op.batch_alter_table("sip_ip_addresses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sip_ip_addresses_account_sid"), ["account_sid"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_sip_ip_addresses_ip_access_control_list_sid"),
            ["ip_access_control_list_sid"],
            unique=False,
        )


def downgrade() -> None:
    op.drop_table("sip_ip_addresses")
    op.drop_table("sip_credentials")
    op.drop_table("sip_ip_access_control_lists")
    op.drop_table("sip_credential_lists")
