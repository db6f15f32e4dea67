"""A transcription job's status machine, its kinds and origins, and the errors of the room.

Lifecycle: queued → in-progress → completed | failed. A worker that stops mid-run puts its job back
(in-progress → queued); one that crashed leaves it in-progress under a lease that expires, and
another worker claims it again (in-progress → in-progress, ``TranscriptionRepo.claim_next``).
The API shows the status in two vocabularies: v3 (``PENDING``, ``RUNNING``, ``COMPLETED``,
``FAILED``) and v2010 (``in-progress``, ``completed``, ``failed``;
twilio.com/docs/voice/api/recording-transcription).
"""

from __future__ import annotations

from enum import StrEnum

from phonograph.core import InternalError, InvalidParameter, NotFound, PhonographError, TooManyRequests
from phonograph.core.transcription_terms import (
    BATCH_ID_PREFIX,
    LEGACY_SID_PREFIX,
    Origin,
    TranscriptionKind,
    TranscriptionStatus,
)

# The stored vocabulary is core's (core/transcription_terms.py); this room re-exports it with its machine.
__all__ = [
    "BATCH_ID_PREFIX",
    "LEGACY_SID_PREFIX",
    "TRANSITIONS",
    "UNFINISHED",
    "ComplianceRefused",
    "ConfigurationDeleted",
    "EngineUnavailable",
    "IdempotencyKeyReused",
    "IllegalTranscriptionTransition",
    "MediaTooShort",
    "Origin",
    "OutOfTranscribeRange",
    "QueueFull",
    "RecordingNotEligible",
    "TranscriptionConfigurationNotFound",
    "TranscriptionKind",
    "TranscriptionNotFound",
    "TranscriptionStatus",
    "V3Status",
    "check_transition",
    "from_v3_status",
    "legacy_status",
    "v3_status",
]

TRANSITIONS: dict[TranscriptionStatus, frozenset[TranscriptionStatus]] = {
    TranscriptionStatus.QUEUED: frozenset({TranscriptionStatus.IN_PROGRESS, TranscriptionStatus.FAILED}),
    TranscriptionStatus.IN_PROGRESS: frozenset(
        {
            TranscriptionStatus.IN_PROGRESS,  # claimed again after a crash
            TranscriptionStatus.QUEUED,  # put back by a worker that stopped
            TranscriptionStatus.COMPLETED,
            TranscriptionStatus.FAILED,
        }
    ),
    TranscriptionStatus.COMPLETED: frozenset(),
    TranscriptionStatus.FAILED: frozenset(),
}

UNFINISHED = frozenset({TranscriptionStatus.QUEUED, TranscriptionStatus.IN_PROGRESS})


class V3Status(StrEnum):
    """The v3 Transcription ``status`` (twilio.com/docs/configurations/batch-transcription-quickstart)."""

    PENDING = "PENDING"
    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"


_V3 = {
    TranscriptionStatus.QUEUED: V3Status.PENDING,
    TranscriptionStatus.IN_PROGRESS: V3Status.RUNNING,
    TranscriptionStatus.COMPLETED: V3Status.COMPLETED,
    TranscriptionStatus.FAILED: V3Status.FAILED,
}
_FROM_V3 = {v3: status for status, v3 in _V3.items()}


def v3_status(status: TranscriptionStatus | str) -> V3Status:
    return _V3[TranscriptionStatus(status)]


def from_v3_status(status: V3Status | str) -> TranscriptionStatus:
    """The stored status a v3 ``status`` names (the list filter); ``ValueError`` for other names."""
    return _FROM_V3[V3Status(status)]


def legacy_status(status: TranscriptionStatus | str) -> str:
    """The v2010 ``status``: a job not yet finished is ``in-progress``
    (twilio.com/docs/voice/api/recording-transcription)."""
    current = TranscriptionStatus(status)
    if current in UNFINISHED:
        return TranscriptionStatus.IN_PROGRESS.value
    return current.value


# -- errors ---------------------------------------------------------------------------------------


class IllegalTranscriptionTransition(InternalError):
    """A move the status machine does not allow: a bug, never a user's doing."""


class MissingSource(InvalidParameter):
    """Twilio 17500: a v3 create names neither a ``sourceId`` nor a ``mediaUrl``."""

    code = 17500


class MediaUnavailable(PhonographError):
    """A ``MEDIA_URL`` job's audio could not be fetched: 11205 when no answer came (connection,
    DNS, timeout), 11200 when the answer was not a 2xx or was too large. The codes of every
    other fetch Twilio makes (https://www.twilio.com/docs/api/errors/11200)."""

    code = 11200
    status = 502


class TranscriptionConfigurationNotFound(InvalidParameter):
    """Twilio 17501: ``transcriptionConfigurationId`` names no Transcription configuration."""

    code = 17501


class ComplianceRefused(PhonographError):
    """Twilio 17531: transcription is off for PCI accounts (every kind) and HIPAA ones (batch)."""

    code = 17531
    status = 403


class RecordingNotEligible(InvalidParameter):
    """Twilio 17533: the recording is not completed, has no media, or is mono (batch)."""

    code = 17533


class MediaTooShort(InvalidParameter):
    """Twilio 17554: batch transcription needs at least 2 seconds of media."""

    code = 17554


class OutOfTranscribeRange(InvalidParameter):
    """Twilio 13617: ``<Record transcribe>`` transcribes recordings of 2 to 120 seconds only."""

    code = 13617


class ConfigurationDeleted(PhonographError):
    """Twilio 94002 (Transcription configuration not found): an automatic job's configuration was
    deleted before the job ran."""

    code = 94002
    status = 404


class EngineUnavailable(PhonographError):
    """No speech-to-text engine: the extra is not installed or the model cannot be loaded. The
    message says which and how to fix it."""

    code = 20500
    status = 503


class QueueFull(TooManyRequests):
    """Twilio 20429: too many transcriptions are waiting; try again after ``retry_after_s``."""


class IdempotencyKeyReused(InvalidParameter):
    """An ``Idempotency-Key`` sent again with a different body (422)."""

    status = 422


class TranscriptionNotFound(NotFound):
    """Twilio 20404: no such transcription in the account."""


def check_transition(current: TranscriptionStatus, wanted: TranscriptionStatus, sid: str) -> None:
    if wanted not in TRANSITIONS[current]:
        raise IllegalTranscriptionTransition(
            f"Transcription {sid} is {current.value}: it cannot become {wanted.value}"
        )
