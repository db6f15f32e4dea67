"""BYOC trunking: trunks, connection policies and their targets, IP records and their mappings
to SIP Domains; a SIP Domain may name the trunk that calls in through it.

Revision ID: 2026_12_07_0013
Revises: 2026_12_07_0012
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from phonograph.store.models.base import UTCDateTime

revision = "2026_12_07_0013"
down_revision = "2026_12_07_0012"
branch_labels = None
depends_on = None


def _common() -> list[sa.Column[object]]:
    return [
        sa.Column("sid", sa.String(length=34), primary_key=True),
        sa.Column(
            "account_sid", sa.String(length=34), sa.ForeignKey("accounts.sid"), nullable=False, index=True
        ),
        sa.Column("date_created", UTCDateTime(), nullable=False),
        sa.Column("date_updated", UTCDateTime(), nullable=False),
    ]


def _name() -> sa.Column[object]:
    return sa.Column("friendly_name", sa.String(length=255), nullable=True)


def upgrade() -> None:
    op.create_table(
        "byoc_trunks",
        *_common(),
        _name(),
        sa.Column("voice_url", sa.String(length=2048), nullable=True),
        sa.Column("voice_method", sa.String(length=8), nullable=False),
        sa.Column("voice_fallback_url", sa.String(length=2048), nullable=True),
        sa.Column("voice_fallback_method", sa.String(length=8), nullable=False),
        sa.Column("status_callback_url", sa.String(length=2048), nullable=True),
        sa.Column("status_callback_method", sa.String(length=8), nullable=False),
        sa.Column("cnam_lookup_enabled", sa.Boolean(), nullable=False),
        sa.Column("connection_policy_sid", sa.String(length=34), nullable=True, index=True),
        sa.Column("from_domain_sid", sa.String(length=34), nullable=True, index=True),
    )
    op.create_table("connection_policies", *_common(), _name())
    op.create_table(
        "connection_policy_targets",
        *_common(),
        sa.Column(
            "connection_policy_sid",
            sa.String(length=34),
            sa.ForeignKey("connection_policies.sid"),
            nullable=False,
            index=True,
        ),
        _name(),
        sa.Column("target", sa.String(length=2048), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "ip_records",
        *_common(),
        _name(),
        sa.Column("ip_address", sa.String(length=45), nullable=False),
        sa.Column("cidr_prefix_length", sa.Integer(), nullable=False),
    )
    op.create_table(
        "source_ip_mappings",
        *_common(),
        sa.Column(
            "ip_record_sid", sa.String(length=34), sa.ForeignKey("ip_records.sid"), nullable=False, index=True
        ),
        sa.Column(
            "sip_domain_sid",
            sa.String(length=34),
            sa.ForeignKey("sip_domains.sid"),
            nullable=False,
            index=True,
        ),
    )
    with op.batch_alter_table("sip_domains", schema=None) as batch_op:
        batch_op.add_column(sa.Column("byoc_trunk_sid", sa.String(length=34), nullable=True))
        batch_op.create_index(batch_op.f("ix_sip_domains_byoc_trunk_sid"), ["byoc_trunk_sid"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sip_domains", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sip_domains_byoc_trunk_sid"))
        batch_op.drop_column("byoc_trunk_sid")
    op.drop_table("source_ip_mappings")
    op.drop_table("ip_records")
    op.drop_table("connection_policy_targets")
    op.drop_table("connection_policies")
    op.drop_table("byoc_trunks")
