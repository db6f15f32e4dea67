from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from phonograph.store.models.base import DESCRIPTION_MAX_CHARS, Base, UTCDateTime


class AccountDefaultConfigurationRow(Base):
    """The account-wide default configuration of a type (``/v2/AccountDefaultConfiguration/{Type}``).

    ``version`` grows on every write and makes the ETag that ``If-Match`` is checked against.
    """

    __tablename__ = "account_default_configurations"

    account_sid: Mapped[str] = mapped_column(String(34), ForeignKey("accounts.sid"), primary_key=True)
    type: Mapped[str] = mapped_column(String(16), primary_key=True)
    description: Mapped[str | None] = mapped_column(String(DESCRIPTION_MAX_CHARS), nullable=True)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer)
    date_created: Mapped[datetime] = mapped_column(UTCDateTime())
    date_updated: Mapped[datetime] = mapped_column(UTCDateTime())
