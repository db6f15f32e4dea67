"""Room ``transcription``: offline speech-to-text of recordings, as jobs.

- ``engine``: the ``SpeechToText`` protocol and ``WhisperEngine`` (faster-whisper, an optional
  extra imported on first use);
- ``audio``: a recording's WAV (or a ``mediaUrl``'s WAV or MP3) as 16 kHz float channels;
  ``transcript``: segments → sentences;
- ``media_url``: fetching a v3 ``MEDIA_URL`` job's audio (11200, 11205);
- ``rules``: PCI/HIPAA, eligibility, channels and length (17531, 17533, 17554, 13617);
- ``worker``: jobs taken from the database (the queue), run, and settled with their callbacks;
- ``service``: what the API creates, reads and deletes;
- ``configuration``: the v2 Transcription configuration body.

Imports only core, media and store.
"""

from phonograph.transcription.callbacks import transcript_url, transcription_url
from phonograph.transcription.configuration import TranscriptionConfiguration
from phonograph.transcription.engine import Segment, SpeechToText, WhisperEngine, whisper_language
from phonograph.transcription.media_url import MediaFetcher
from phonograph.transcription.service import DEFAULT_QUEUE_LIMIT, BatchSource, TranscriptionService
from phonograph.transcription.state import (
    BATCH_ID_PREFIX,
    LEGACY_SID_PREFIX,
    UNFINISHED,
    ComplianceRefused,
    ConfigurationDeleted,
    EngineUnavailable,
    IdempotencyKeyReused,
    MediaTooShort,
    MediaUnavailable,
    MissingSource,
    Origin,
    OutOfTranscribeRange,
    QueueFull,
    RecordingNotEligible,
    TranscriptionConfigurationNotFound,
    TranscriptionKind,
    TranscriptionNotFound,
    TranscriptionStatus,
    V3Status,
    from_v3_status,
    legacy_status,
    v3_status,
)
from phonograph.transcription.worker import TranscriptionWorker

__all__ = [
    "BATCH_ID_PREFIX",
    "DEFAULT_QUEUE_LIMIT",
    "LEGACY_SID_PREFIX",
    "UNFINISHED",
    "BatchSource",
    "ComplianceRefused",
    "ConfigurationDeleted",
    "EngineUnavailable",
    "IdempotencyKeyReused",
    "MediaFetcher",
    "MediaTooShort",
    "MediaUnavailable",
    "MissingSource",
    "Origin",
    "OutOfTranscribeRange",
    "QueueFull",
    "RecordingNotEligible",
    "Segment",
    "SpeechToText",
    "TranscriptionConfiguration",
    "TranscriptionConfigurationNotFound",
    "TranscriptionKind",
    "TranscriptionNotFound",
    "TranscriptionService",
    "TranscriptionStatus",
    "TranscriptionWorker",
    "V3Status",
    "WhisperEngine",
    "from_v3_status",
    "legacy_status",
    "transcript_url",
    "transcription_url",
    "v3_status",
    "whisper_language",
]
