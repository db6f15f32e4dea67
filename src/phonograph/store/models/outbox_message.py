from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from phonograph.store.models.base import Base, UTCDateTime
from phonograph.store.models.call import URL_MAX_CHARS


class OutboxMessageRow(Base):
    """A webhook promised to an app (a status callback), written in the transaction of the state
    change it reports (docs/architecture.md: outbox); once delivered or given up it stays, with
    each attempt's outcome, as the callback log, until ``PHONOGRAPH_CALLBACK_RETENTION_DAYS``."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        # The worker's look for due messages, and an account's log newest first.
        Index("ix_outbox_messages_state_next_attempt_at", "state", "next_attempt_at"),
        Index("ix_outbox_messages_account_sid_id", "account_sid", "id"),
    )

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
    # "pending" (to be delivered), "delivered" or "failed" (given up); see OutboxState.
    state: Mapped[str] = mapped_column(String(16), default="pending", server_default="pending")
    # What the callback is about, from its parameters: the console's and the log's filters.
    call_sid: Mapped[str | None] = mapped_column(String(34), index=True, nullable=True)
    recording_sid: Mapped[str | None] = mapped_column(String(34), index=True, nullable=True)
    # The message this one re-sends (POST /phonograph/v1/Callbacks/{id}/Replay).
    replay_of: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # One object per attempt, oldest first, the last MAX_LOGGED_ATTEMPTS (store/repos/outbox.py).
    attempt_log: Mapped[list[dict[str, object]]] = mapped_column(JSON, default=list, server_default="[]")
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True, nullable=True)
