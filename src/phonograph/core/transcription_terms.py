"""The transcription vocabulary two rooms spell the same way: a job's status, kind and origin.

The ``recording`` room promises transcriptions when a recording completes (recording/transcriptions.py)
and the ``transcription`` room runs them; neither may import the other (docs/architecture.md rooms), so the
values stored in a ``transcriptions`` row are defined once here. The status machine itself is the
transcription room's (transcription/state.py).
"""

from __future__ import annotations

from enum import StrEnum


class TranscriptionStatus(StrEnum):
    QUEUED = "queued"
    IN_PROGRESS = "in-progress"
    COMPLETED = "completed"
    FAILED = "failed"


class TranscriptionKind(StrEnum):
    LEGACY = "legacy"  # ``TR…``: v2010 Transcriptions
    BATCH = "batch"  # ``voice_transcription_…``: v3 Transcriptions


class Origin(StrEnum):
    """What asked for the transcription."""

    RECORD_VERB = "record-verb"  # <Record transcribe>
    CONFIGURATION = "configuration"  # a Recording configuration's transcription feature
    API = "api"  # POST /v3/Transcriptions
    CLI = "cli"  # phonograph's own create (``phonograph transcribe``)


LEGACY_SID_PREFIX = "TR"
BATCH_ID_PREFIX = "voice_transcription"


MODELS_FOLDER = "models"
"""The speech-to-text models' folder in a data dir (transcription/models.py), which
``phonograph reset`` keeps."""

WHEELS_MODEL = "base"
"""The speech-to-text model the ``models`` extra's wheels hold: ``phonograph models install``'s
default (transcription/models.py installs it)."""
