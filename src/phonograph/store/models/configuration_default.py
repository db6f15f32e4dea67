from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from phonograph.store.models.base import Base


class ConfigurationDefaultRow(Base):
    """The named configuration that is an account's default for a type.

    Served at ``/v2/Configurations/{Type}/Default``.
    """

    __tablename__ = "configuration_defaults"

    account_sid: Mapped[str] = mapped_column(String(34), ForeignKey("accounts.sid"), primary_key=True)
    type: Mapped[str] = mapped_column(String(16), primary_key=True)
    configuration_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("configurations.id", ondelete="CASCADE"), index=True
    )
