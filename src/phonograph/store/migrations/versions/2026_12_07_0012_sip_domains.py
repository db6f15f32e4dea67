"""SIP Domains, the lists mapped to them for calls and registrations, and registered contacts.

Revision ID: 2026_12_07_0012
Revises: 2026_12_07_0011
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from phonograph.store.models.base import UTCDateTime

revision = "2026_12_07_0012"
down_revision = "2026_12_07_0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sip_domains",
        sa.Column("sid", sa.String(length=34), nullable=False),
        sa.Column("account_sid", sa.String(length=34), nullable=False),
        sa.Column("domain_name", sa.String(length=253), nullable=False),
        sa.Column("friendly_name", sa.String(length=64), nullable=True),
        sa.Column("voice_url", sa.String(length=2048), nullable=True),
        sa.Column("voice_method", sa.String(length=8), nullable=False),
        sa.Column("voice_fallback_url", sa.String(length=2048), nullable=True),
        sa.Column("voice_fallback_method", sa.String(length=8), nullable=False),
        sa.Column("voice_status_callback_url", sa.String(length=2048), nullable=True),
        sa.Column("voice_status_callback_method", sa.String(length=8), nullable=False),
        sa.Column("sip_registration", sa.Boolean(), nullable=False),
        sa.Column("secure", sa.Boolean(), nullable=False),
        sa.Column("date_created", UTCDateTime(), nullable=False),
        sa.Column("date_updated", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["account_sid"], ["accounts.sid"]),
        sa.PrimaryKeyConstraint("sid"),
        sa.UniqueConstraint("domain_name"),
    )
    with op.batch_alter_table("sip_domains", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sip_domains_account_sid"), ["account_sid"], unique=False)
    op.create_table(
        "sip_domain_mappings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("domain_sid", sa.String(length=34), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("list_sid", sa.String(length=34), nullable=False),
        sa.Column("date_created", UTCDateTime(), nullable=False),
        sa.Column("date_updated", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["domain_sid"], ["sip_domains.sid"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("domain_sid", "purpose", "list_sid"),
    )
    with op.batch_alter_table("sip_domain_mappings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sip_domain_mappings_domain_sid"), ["domain_sid"], unique=False)
        batch_op.create_index(batch_op.f("ix_sip_domain_mappings_list_sid"), ["list_sid"], unique=False)
    op.create_table(
        "sip_registrations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("domain_sid", sa.String(length=34), nullable=False),
        sa.Column("username", sa.String(length=32), nullable=False),
        sa.Column("contact", sa.String(length=1024), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("call_id", sa.String(length=255), nullable=False),
        sa.Column("cseq", sa.Integer(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("date_created", UTCDateTime(), nullable=False),
        sa.Column("date_updated", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["domain_sid"], ["sip_domains.sid"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("domain_sid", "username", "contact"),
    )
    with op.batch_alter_table("sip_registrations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sip_registrations_domain_sid"), ["domain_sid"], unique=False)
        batch_op.create_index(batch_op.f("ix_sip_registrations_expires_at"), ["expires_at"], unique=False)


def downgrade() -> None:
    op.drop_table("sip_registrations")
    op.drop_table("sip_domain_mappings")
    op.drop_table("sip_domains")
