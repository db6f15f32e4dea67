"""An account's choice of durable callback delivery (retries with backoff beyond Twilio's).

Revision ID: 2026_12_06_0007
Revises: 2026_11_21_0006
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "2026_12_06_0007"
down_revision = "2026_11_21_0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A literal default, as in 2026_11_21_0005 (SQLite's batch would otherwise copy the table).
    # Existing accounts get Twilio's delivery, as new ones do.
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("durable_callbacks", sa.Boolean(), server_default="0", nullable=False))


def downgrade() -> None:
    op.drop_column("accounts", "durable_callbacks")
