from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from phonograph.store.models.base import FRIENDLY_NAME_MAX_CHARS, Base, UTCDateTime


class ApiKeyRow(Base):
    """An API key (``SK…``). Only a SHA-256 of the secret is kept: it is shown once, at creation."""

    __tablename__ = "api_keys"

    sid: Mapped[str] = mapped_column(String(34), primary_key=True)
    account_sid: Mapped[str] = mapped_column(String(34), ForeignKey("accounts.sid"), index=True)
    friendly_name: Mapped[str] = mapped_column(String(FRIENDLY_NAME_MAX_CHARS))
    secret_sha256: Mapped[str] = mapped_column(String(64))
    date_created: Mapped[datetime] = mapped_column(UTCDateTime())
    date_updated: Mapped[datetime] = mapped_column(UTCDateTime())
