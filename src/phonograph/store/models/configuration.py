from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from phonograph.store.models.base import DESCRIPTION_MAX_CHARS, UNIQUE_NAME_MAX_CHARS, Base, UTCDateTime


class ConfigurationRow(Base):
    """A v2 configuration (Recording or Transcription); ``body`` is its validated JSON form."""

    __tablename__ = "configurations"
    __table_args__ = (UniqueConstraint("account_sid", "type", "unique_name"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_sid: Mapped[str] = mapped_column(String(34), ForeignKey("accounts.sid"), index=True)
    type: Mapped[str] = mapped_column(String(16))
    unique_name: Mapped[str | None] = mapped_column(String(UNIQUE_NAME_MAX_CHARS), nullable=True)
    description: Mapped[str | None] = mapped_column(String(DESCRIPTION_MAX_CHARS), nullable=True)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    date_created: Mapped[datetime] = mapped_column(UTCDateTime())
    date_updated: Mapped[datetime] = mapped_column(UTCDateTime())
