from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from phonograph.store.models.base import Base, UTCDateTime


class ConsoleLogoutRow(Base):
    """A console session that logged out before it expired (console/sessions.py): its signed
    cookie is refused from then on, on every node. Forgotten once the session would have expired."""

    __tablename__ = "console_logouts"

    # A digest of the session's id, never the cookie itself.
    session_digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
