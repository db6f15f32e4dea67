from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from phonograph.store.models.base import Base, UTCDateTime
from phonograph.store.models.node import NODE_ID_MAX_CHARS

PHONE_ADDRESS_MAX_CHARS = 255
URL_MAX_CHARS = 2048


class CallRow(Base):
    """A call leg (``CA…``): its public fields, and what the engine needs to run and report it."""

    __tablename__ = "calls"

    sid: Mapped[str] = mapped_column(String(34), primary_key=True)
    account_sid: Mapped[str] = mapped_column(String(34), ForeignKey("accounts.sid"), index=True)
    parent_call_sid: Mapped[str | None] = mapped_column(String(34), index=True, nullable=True)
    phone_number_sid: Mapped[str | None] = mapped_column(String(34), nullable=True)
    to: Mapped[str] = mapped_column(String(PHONE_ADDRESS_MAX_CHARS))
    from_: Mapped[str] = mapped_column("from", String(PHONE_ADDRESS_MAX_CHARS))
    status: Mapped[str] = mapped_column(String(16))
    direction: Mapped[str] = mapped_column(String(24))
    answered_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    forwarded_from: Mapped[str | None] = mapped_column(String(PHONE_ADDRESS_MAX_CHARS), nullable=True)
    caller_name: Mapped[str | None] = mapped_column(String(64), nullable=True)
    start_time: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    end_time: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    duration_s: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # The engine's part: how to run the call and whom to tell about it.
    url: Mapped[str | None] = mapped_column(String(URL_MAX_CHARS), nullable=True)
    method: Mapped[str] = mapped_column(String(8))
    twiml: Mapped[str | None] = mapped_column(Text, nullable=True)
    fallback_url: Mapped[str | None] = mapped_column(String(URL_MAX_CHARS), nullable=True)
    fallback_method: Mapped[str] = mapped_column(String(8))
    status_callback: Mapped[str | None] = mapped_column(String(URL_MAX_CHARS), nullable=True)
    status_callback_method: Mapped[str] = mapped_column(String(8))
    status_callback_events: Mapped[list[str]] = mapped_column(JSON)
    timeout_s: Mapped[int] = mapped_column(Integer)
    time_limit_s: Mapped[int] = mapped_column(Integer)
    send_digits: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # Recording parameters as given (PascalCase keys); the recording issue gives them behaviour.
    recording: Mapped[dict[str, Any]] = mapped_column(JSON)
    # SequenceNumber of the next status callback (Twilio numbers them from 0 per call).
    callback_sequence: Mapped[int] = mapped_column(Integer, default=0)
    # The node whose process holds this live call (store/models/node.py); None on rows written
    # before nodes existed, which the next node to start claims.
    owner_node: Mapped[str | None] = mapped_column(String(NODE_ID_MAX_CHARS), index=True, nullable=True)
    date_created: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    date_updated: Mapped[datetime] = mapped_column(UTCDateTime())
