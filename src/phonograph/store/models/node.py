from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from phonograph.store.models.base import Base, UTCDateTime

NODE_ID_MAX_CHARS = 128


class NodeRow(Base):
    """A phonograph process sharing the database: its lease on the live calls, recordings and
    conferences it owns (``owner_node`` on their rows), and its load at the last heartbeat.

    A node whose lease lapsed is taken over by another: ``taken_over_by`` names the node that
    claimed its live rows and settled them. The node clears it when it registers again."""

    __tablename__ = "nodes"

    id: Mapped[str] = mapped_column(String(NODE_ID_MAX_CHARS), primary_key=True)
    # The running process's own token (register): a second process with the same id replaces it.
    incarnation: Mapped[str] = mapped_column(String(32))
    address: Mapped[str] = mapped_column(String(255))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime())
    lease_expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    draining: Mapped[bool] = mapped_column(Boolean, default=False)
    live_calls: Mapped[int] = mapped_column(Integer, default=0)
    live_recordings: Mapped[int] = mapped_column(Integer, default=0)
    taken_over_by: Mapped[str | None] = mapped_column(String(NODE_ID_MAX_CHARS), nullable=True)
    taken_over_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
