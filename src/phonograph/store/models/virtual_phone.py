from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from phonograph.store.models.base import Base, UTCDateTime


class VirtualPhoneRow(Base):
    """A scripted far end (``/phonograph/v1/Phones``): how it answers, and the TwiML it runs then."""

    __tablename__ = "virtual_phones"
    __table_args__ = (UniqueConstraint("account_sid", "phone_number"),)

    sid: Mapped[str] = mapped_column(String(34), primary_key=True)
    account_sid: Mapped[str] = mapped_column(String(34), ForeignKey("accounts.sid"), index=True)
    phone_number: Mapped[str] = mapped_column(String(32))
    answer: Mapped[str] = mapped_column(String(16))
    answer_after_s: Mapped[float] = mapped_column(Float)
    twiml: Mapped[str | None] = mapped_column(Text, nullable=True)
    date_created: Mapped[datetime] = mapped_column(UTCDateTime())
    date_updated: Mapped[datetime] = mapped_column(UTCDateTime())
