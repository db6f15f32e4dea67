"""Plain values that repositories return: rooms above the store never see ORM rows."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

R = TypeVar("R")


class AccountStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    CLOSED = "closed"


@dataclass(frozen=True)
class Account:
    sid: str
    owner_account_sid: str | None
    friendly_name: str
    auth_token: str
    status: AccountStatus
    type: str
    date_created: datetime
    date_updated: datetime
    # Media settings (twilio.com/docs/voice/api/recording): HTTP auth on media URLs, HIPAA mode, which keeps
    # it on, two-channel conference recordings (the first participant to join on channel 1), and PCI mode,
    # which refuses every transcription (17531).
    enforce_media_auth: bool = True
    hipaa: bool = False
    dual_channel_conference_recording: bool = False
    pci_mode: bool = False
    # phonograph's own: status callbacks retried with backoff until delivered (webhooks/outbox.py).
    durable_callbacks: bool = False

    @property
    def is_main(self) -> bool:
        return self.owner_account_sid is None


@dataclass(frozen=True)
class ApiKey:
    sid: str
    account_sid: str
    friendly_name: str
    secret_sha256: str
    date_created: datetime
    date_updated: datetime


@dataclass(frozen=True)
class Configuration:
    id: str
    account_sid: str
    type: str
    unique_name: str | None
    description: str | None
    body: dict[str, Any]
    date_created: datetime
    date_updated: datetime


@dataclass(frozen=True)
class AccountDefaultConfiguration:
    account_sid: str
    type: str
    description: str | None
    body: dict[str, Any]
    version: int
    date_created: datetime
    date_updated: datetime


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}
"""Each record class's field names, looked up once (``fields()`` was a tenth of a list page)."""


def from_row(record: type[R], row: object, **overrides: Any) -> R:
    """A record built from the ORM row's attributes of the same names (``overrides`` win)."""
    names = _FIELD_NAMES.get(record)
    if names is None:
        names = _FIELD_NAMES[record] = tuple(field.name for field in fields(record))  # type: ignore[arg-type]
    # Loaded columns sit in the instance's __dict__: reading them there skips SQLAlchemy's
    # attribute descriptors (half of this function's time); one not loaded goes through them.
    loaded = row.__dict__
    values = {name: loaded[name] if name in loaded else getattr(row, name) for name in names}
    return record(**(values | overrides))
