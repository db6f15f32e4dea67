from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from phonograph.store.models.base import Base, UTCDateTime
from phonograph.store.models.call import URL_MAX_CHARS


class CallEventRow(Base):
    """One request phonograph made to an app (a TwiML fetch or a status callback) and the app's
    answer, as Twilio's Call Event resource shows them (twilio.com/docs/voice/api/call-event-resource).
    ``response_code`` is None when no answer came (a refused address, a timeout)."""

    __tablename__ = "call_events"

    sid: Mapped[str] = mapped_column(String(34), primary_key=True)
    account_sid: Mapped[str] = mapped_column(String(34), ForeignKey("accounts.sid"), index=True)
    call_sid: Mapped[str | None] = mapped_column(String(34), index=True, nullable=True)
    # "twiml" (a document fetched for the call) or "callback" (a status callback).
    kind: Mapped[str] = mapped_column(String(16))
    request_url: Mapped[str] = mapped_column(String(URL_MAX_CHARS))
    request_method: Mapped[str] = mapped_column(String(8))
    request_params: Mapped[list[list[str]]] = mapped_column(JSON)
    response_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    response_content_type: Mapped[str | None] = mapped_column(String(255), nullable=True)
    response_body: Mapped[str | None] = mapped_column(Text, nullable=True)
    error_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    request_duration_ms: Mapped[int] = mapped_column(Integer)
    date_created: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
