from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from phonograph.store.models.base import Base, UTCDateTime
from phonograph.store.models.call import URL_MAX_CHARS

# A transcription's id: ``TR`` + 32 hex (legacy) or ``voice_transcription_`` + 26 (v3 batch).
TRANSCRIPTION_ID_MAX_CHARS = 64
# The v3 ``Idempotency-Key`` header: at most this many characters.
IDEMPOTENCY_KEY_MAX_CHARS = 128
# A BCP-47 language tag (RFC 5646 §4.4.1 advises room for 35 characters).
LANGUAGE_MAX_CHARS = 35
ERROR_MESSAGE_MAX_CHARS = 512
# None is stored as SQL NULL, not as the JSON text ``null``.
NULLABLE_JSON = JSON(none_as_null=True)


class TranscriptionRow(Base):
    """A transcription job and, once it ran, its transcript: a legacy ``TR…`` (``<Record transcribe>``,
    phonograph's own create) or a v3 batch ``voice_transcription_…``. The table is the job queue:
    workers claim ``queued`` rows (or ``in-progress`` ones whose lease expired) and settle them."""

    __tablename__ = "transcriptions"
    # Listing is per account, newest first, keyset-paged on (date_created, sid) (store/paging.py);
    # a replayed v3 create is found by its Idempotency-Key, unique per account (NULLs never clash).
    __table_args__ = (
        Index("ix_transcriptions_account_sid_date_created_sid", "account_sid", "date_created", "sid"),
        Index("ix_transcriptions_account_sid_idempotency_key", "account_sid", "idempotency_key", unique=True),
    )

    sid: Mapped[str] = mapped_column(String(TRANSCRIPTION_ID_MAX_CHARS), primary_key=True)
    # legacy | batch
    kind: Mapped[str] = mapped_column(String(8))
    # record-verb | configuration | api | cli
    origin: Mapped[str] = mapped_column(String(16))
    account_sid: Mapped[str] = mapped_column(String(34), ForeignKey("accounts.sid"))
    recording_sid: Mapped[str | None] = mapped_column(String(34), index=True, nullable=True)
    # A v3 ``MEDIA_URL`` job transcribes this URL's audio instead of a recording.
    media_url: Mapped[str | None] = mapped_column(String(URL_MAX_CHARS), nullable=True)
    # v3 ``audioStartedAt``: the recording's start, or what a ``MEDIA_URL`` request said.
    audio_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    call_sid: Mapped[str | None] = mapped_column(String(34), nullable=True)
    # queued | in-progress | completed | failed (the API rooms map them to their own names).
    status: Mapped[str] = mapped_column(String(16), index=True)
    configuration_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The Transcription configuration body the job used (camelCase, as stored).
    resolved_configuration: Mapped[dict[str, Any] | None] = mapped_column(NULLABLE_JSON, nullable=True)
    # [{type, address, name, audioChannelIndex}, ...]
    participants: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    language: Mapped[str | None] = mapped_column(String(LANGUAGE_MAX_CHARS), nullable=True)
    callback_url: Mapped[str | None] = mapped_column(String(URL_MAX_CHARS), nullable=True)
    callback_method: Mapped[str] = mapped_column(String(8), default="POST")
    idempotency_key: Mapped[str | None] = mapped_column(String(IDEMPOTENCY_KEY_MAX_CHARS), nullable=True)
    # The v3 create body, to tell a replay (same body) from a reused key (another body).
    request_body: Mapped[dict[str, Any] | None] = mapped_column(NULLABLE_JSON, nullable=True)
    duration_s: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # 0..1 while the engine runs.
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    text: Mapped[str | None] = mapped_column(Text, nullable=True)
    sentences: Mapped[list[dict[str, Any]] | None] = mapped_column(NULLABLE_JSON, nullable=True)
    error_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error_message: Mapped[str | None] = mapped_column(String(ERROR_MESSAGE_MAX_CHARS), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # While in-progress: until when the worker that claimed it holds it (a crashed worker's expires).
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    date_created: Mapped[datetime] = mapped_column(UTCDateTime())
    date_updated: Mapped[datetime] = mapped_column(UTCDateTime())
