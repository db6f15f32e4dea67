from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from phonograph.store.models.base import FRIENDLY_NAME_MAX_CHARS, Base, UTCDateTime


class AccountRow(Base):
    """An account: the bootstrap (main) account owns itself; subaccounts are owned by it."""

    __tablename__ = "accounts"

    sid: Mapped[str] = mapped_column(String(34), primary_key=True)
    owner_account_sid: Mapped[str | None] = mapped_column(
        String(34), ForeignKey("accounts.sid"), index=True, nullable=True
    )
    friendly_name: Mapped[str] = mapped_column(String(FRIENDLY_NAME_MAX_CHARS))
    auth_token: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    type: Mapped[str] = mapped_column(String(8))
    # HTTP auth on recording media is on unless the account opens it; a HIPAA account cannot
    # (twilio.com/docs/voice/api/recording "Enforce HTTP Auth on Media URLs";
    # AccountRepo.change_media_settings).
    enforce_media_auth: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    hipaa: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # Twilio's "Dual-channel Recording for Conference": the first participant to join on channel 1,
    # everyone else mixed on channel 2; off, conference recordings are mono
    # (twilio.com/docs/voice/api/recording).
    dual_channel_conference_recording: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default="0"
    )
    # PCI mode: transcription of every kind is refused (17531; twilio.com/docs/voice/pci-workflows).
    pci_mode: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # Callbacks retried with backoff until delivered, instead of Twilio's one retry on a failed
    # connection (webhooks/outbox.py).
    durable_callbacks: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    date_created: Mapped[datetime] = mapped_column(UTCDateTime())
    date_updated: Mapped[datetime] = mapped_column(UTCDateTime())
