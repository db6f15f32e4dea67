"""Declarative base and column types shared by the models."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Dialect, ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from phonograph.core import as_utc


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite (naive storage) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        utc = as_utc(value)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)


# Longest user-supplied text each column holds; the API refuses longer values with a 400
# (PostgreSQL would refuse them with an error, SQLite would silently keep them).
FRIENDLY_NAME_MAX_CHARS = 64
UNIQUE_NAME_MAX_CHARS = 255
DESCRIPTION_MAX_CHARS = 1024


class Base(DeclarativeBase):
    pass


class AccountResourceColumns:
    """What an account's resource with a SID of its own has: the SID, the account, its times."""

    sid: Mapped[str] = mapped_column(String(34), primary_key=True)
    account_sid: Mapped[str] = mapped_column(String(34), ForeignKey("accounts.sid"), index=True)
    date_created: Mapped[datetime] = mapped_column(UTCDateTime())
    date_updated: Mapped[datetime] = mapped_column(UTCDateTime())
