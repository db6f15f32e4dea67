from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from phonograph.store.models.base import Base, UTCDateTime
from phonograph.store.models.call import URL_MAX_CHARS


class NotificationRow(Base):
    """An error or warning about a call (``NO…``), as Twilio's debugger records it: 11200, 12100, ..."""

    __tablename__ = "notifications"

    sid: Mapped[str] = mapped_column(String(34), primary_key=True)
    account_sid: Mapped[str] = mapped_column(String(34), ForeignKey("accounts.sid"), index=True)
    call_sid: Mapped[str | None] = mapped_column(String(34), index=True, nullable=True)
    error_code: Mapped[int] = mapped_column(Integer)
    # Twilio's levels: 0 = error, 1 = warning.
    log: Mapped[int] = mapped_column(Integer)
    message_text: Mapped[str] = mapped_column(Text)
    request_url: Mapped[str] = mapped_column(String(URL_MAX_CHARS))
    request_method: Mapped[str] = mapped_column(String(8))
    request_variables: Mapped[str] = mapped_column(Text)
    response_body: Mapped[str] = mapped_column(Text)
    response_headers: Mapped[str] = mapped_column(Text)
    message_date: Mapped[datetime] = mapped_column(UTCDateTime())
    date_created: Mapped[datetime] = mapped_column(UTCDateTime())
