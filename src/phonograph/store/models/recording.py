from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from phonograph.store.models.base import Base, UTCDateTime
from phonograph.store.models.call import URL_MAX_CHARS
from phonograph.store.models.node import NODE_ID_MAX_CHARS

# <Start><Recording name> (TwiML reference): phonograph keeps up to this many characters.
RECORDING_NAME_MAX_CHARS = 255
MEDIA_KEY_MAX_CHARS = 512


class RecordingRow(Base):
    """A recording (``RE…``) of a call leg or a conference, from its start to its stored media."""

    __tablename__ = "recordings"
    # Listing is per account, newest first, keyset-paged on (date_created, sid) (store/paging.py).
    __table_args__ = (
        Index("ix_recordings_account_sid_date_created_sid", "account_sid", "date_created", "sid"),
    )

    sid: Mapped[str] = mapped_column(String(34), primary_key=True)
    account_sid: Mapped[str] = mapped_column(String(34), ForeignKey("accounts.sid"))
    # For <Dial record> the parent leg: the account resource's call_sid "always refers to the
    # parent leg of a two-leg call" (twilio-oai api.v2010.account.recording).
    call_sid: Mapped[str | None] = mapped_column(String(34), index=True, nullable=True)
    conference_sid: Mapped[str | None] = mapped_column(String(34), nullable=True)
    source: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), index=True)
    channels: Mapped[int] = mapped_column(Integer)
    track: Mapped[str] = mapped_column(String(16))
    trim: Mapped[str] = mapped_column(String(16))
    start_time: Mapped[datetime] = mapped_column(UTCDateTime())
    duration_s: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    status_callback: Mapped[str | None] = mapped_column(String(URL_MAX_CHARS), nullable=True)
    status_callback_method: Mapped[str] = mapped_column(String(8))
    status_callback_events: Mapped[list[str]] = mapped_column(JSON)
    configuration_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # Unique per call among that call's recordings; the calls room checks it, not the database.
    name: Mapped[str | None] = mapped_column(String(RECORDING_NAME_MAX_CHARS), nullable=True)
    # Blob-store key of the WAV once the recording completed (store/blobs.py).
    media_key: Mapped[str | None] = mapped_column(String(MEDIA_KEY_MAX_CHARS), nullable=True)
    # What is transcribed once the recording completes: a legacy transcription for
    # ``<Record transcribe>`` (its callback ``transcribe_callback``), and one batch transcription per
    # feature of the recording's configuration (Transcription configuration ids,
    # twilio.com/docs/configurations/recording-configuration-resource).
    transcribe: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    transcribe_callback: Mapped[str | None] = mapped_column(String(URL_MAX_CHARS), nullable=True)
    transcription_features: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    # Made while its account was in PCI mode (at its start or its end): never transcribed, even once
    # PCI mode is off again, as Twilio was seen to behave (twilio.com/docs/voice/pci-workflows, a third-party
    # live test).
    pci_mode: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # The node whose process holds this live recording (store/models/node.py); None on rows written
    # before nodes existed, which the next node to start claims.
    owner_node: Mapped[str | None] = mapped_column(String(NODE_ID_MAX_CHARS), index=True, nullable=True)
    # The pause ledger: each pause as it lies in the stored media (recording/ledger.py), written
    # when the recording completes.
    pauses: Mapped[list[dict[str, object]]] = mapped_column(JSON, default=list, server_default="[]")
    date_created: Mapped[datetime] = mapped_column(UTCDateTime())
    date_updated: Mapped[datetime] = mapped_column(UTCDateTime())
