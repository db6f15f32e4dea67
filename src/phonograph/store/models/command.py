from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from phonograph.store.models.base import Base, UTCDateTime
from phonograph.store.models.node import NODE_ID_MAX_CHARS


class CommandRow(Base):
    """A control sent to the node that owns a live call (calls/bus.py): claimed by that node,
    executed, and answered in ``reply`` for the node that sent it."""

    __tablename__ = "commands"
    __table_args__ = (
        # The owner claims its unclaimed commands in order.
        Index("ix_commands_target_node_claimed_at_id", "target_node", "claimed_at", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    target_node: Mapped[str] = mapped_column(String(NODE_ID_MAX_CHARS))
    origin_node: Mapped[str] = mapped_column(String(NODE_ID_MAX_CHARS))
    kind: Mapped[str] = mapped_column(String(32))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # {"sid": …} or {"error": {"code", "status", "message"}}, or {"canceled": true}.
    reply: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
