"""v3 MEDIA_URL transcriptions and their audioStartedAt; recordings made in PCI mode.

Revision ID: 2026_11_21_0006
Revises: 2026_11_21_0005
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from phonograph.store.models.base import UTCDateTime

revision = "2026_11_21_0006"
down_revision = "2026_11_21_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("transcriptions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("media_url", sa.String(length=2048), nullable=True))
        batch_op.add_column(sa.Column("audio_started_at", UTCDateTime(), nullable=True))
    # A recording's transcriptions start when it did (v3 audioStartedAt), now stored with them.
    op.execute(
        "UPDATE transcriptions SET audio_started_at = (SELECT recordings.start_time FROM recordings"
        " WHERE recordings.sid = transcriptions.recording_sid) WHERE recording_sid IS NOT NULL"
    )
    # A literal default, as in 2026_11_21_0005 (SQLite's batch would otherwise copy the table).
    # Recordings made before this revision are not known to be PCI ones.
    with op.batch_alter_table("recordings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pci_mode", sa.Boolean(), server_default="0", nullable=False))


def downgrade() -> None:
    op.drop_column("recordings", "pci_mode")
    op.drop_column("transcriptions", "audio_started_at")
    op.drop_column("transcriptions", "media_url")
