from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from phonograph.store.models.base import Base, UTCDateTime
from phonograph.store.models.call import URL_MAX_CHARS


class OutboxMessageRow(Base):
    """A webhook promised to an app (a status callback), written in the transaction of the state
    change it reports and deleted only once delivered or given up (docs/architecture.md: outbox)."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_sid: Mapped[str] = mapped_column(String(34), ForeignKey("accounts.sid"), index=True)
    # Messages with the same key are delivered one at a time, in id order (one call's callbacks).
    ordering_key: Mapped[str] = mapped_column(String(64), index=True)
    url: Mapped[str] = mapped_column(String(URL_MAX_CHARS))
    method: Mapped[str] = mapped_column(String(8))
    params: Mapped[list[list[str]]] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    date_created: Mapped[datetime] = mapped_column(UTCDateTime())
