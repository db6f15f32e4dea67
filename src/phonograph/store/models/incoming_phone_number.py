from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from phonograph.store.models.base import FRIENDLY_NAME_MAX_CHARS, Base, UTCDateTime
from phonograph.store.models.call import URL_MAX_CHARS


class IncomingPhoneNumberRow(Base):
    """A number (``PN…``) an account owns; calls to it run its ``voice_url``. Unique server-wide."""

    __tablename__ = "incoming_phone_numbers"

    sid: Mapped[str] = mapped_column(String(34), primary_key=True)
    account_sid: Mapped[str] = mapped_column(String(34), ForeignKey("accounts.sid"), index=True)
    phone_number: Mapped[str] = mapped_column(String(32), unique=True)
    friendly_name: Mapped[str] = mapped_column(String(FRIENDLY_NAME_MAX_CHARS))
    voice_url: Mapped[str | None] = mapped_column(String(URL_MAX_CHARS), nullable=True)
    voice_method: Mapped[str] = mapped_column(String(8))
    voice_fallback_url: Mapped[str | None] = mapped_column(String(URL_MAX_CHARS), nullable=True)
    voice_fallback_method: Mapped[str] = mapped_column(String(8))
    status_callback: Mapped[str | None] = mapped_column(String(URL_MAX_CHARS), nullable=True)
    status_callback_method: Mapped[str] = mapped_column(String(8))
    date_created: Mapped[datetime] = mapped_column(UTCDateTime())
    date_updated: Mapped[datetime] = mapped_column(UTCDateTime())
