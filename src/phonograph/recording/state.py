"""A recording's status machine, its sources, and the errors of the recording controls.

Lifecycle (twilio.com/docs/voice/api/recording): in-progress ⇄ paused → stopped → processing → completed |
absent | failed; a completed recording can be deleted. Every move goes through ``check_transition``.
"""

from __future__ import annotations

from enum import StrEnum

from phonograph.core import InvalidParameter, NotFound, PhonographError


class RecordingStatus(StrEnum):
    IN_PROGRESS = "in-progress"
    PAUSED = "paused"
    STOPPED = "stopped"
    PROCESSING = "processing"
    COMPLETED = "completed"
    ABSENT = "absent"
    FAILED = "failed"
    DELETED = "deleted"


TRANSITIONS: dict[RecordingStatus, frozenset[RecordingStatus]] = {
    RecordingStatus.IN_PROGRESS: frozenset(
        {RecordingStatus.PAUSED, RecordingStatus.STOPPED, RecordingStatus.PROCESSING}
    ),
    RecordingStatus.PAUSED: frozenset(
        {RecordingStatus.IN_PROGRESS, RecordingStatus.STOPPED, RecordingStatus.PROCESSING}
    ),
    RecordingStatus.STOPPED: frozenset({RecordingStatus.PROCESSING}),
    RecordingStatus.PROCESSING: frozenset(
        {RecordingStatus.COMPLETED, RecordingStatus.ABSENT, RecordingStatus.FAILED}
    ),
    RecordingStatus.COMPLETED: frozenset({RecordingStatus.DELETED}),
    RecordingStatus.ABSENT: frozenset(),
    RecordingStatus.FAILED: frozenset(),
    RecordingStatus.DELETED: frozenset(),
}

LIVE = frozenset({RecordingStatus.IN_PROGRESS, RecordingStatus.PAUSED})
"""Audio is still being captured (a ``Twilio.CURRENT`` candidate)."""

UNFINISHED = LIVE | {RecordingStatus.STOPPED, RecordingStatus.PROCESSING}
"""Not yet finalized: a restart finalizes these from their journals."""


class Source(StrEnum):
    """How a recording was started: the ``source`` field and ``RecordingSource``
    (twilio.com/docs/voice/api/recording)."""

    RECORD_VERB = "RecordVerb"
    DIAL_VERB = "DialVerb"
    OUTBOUND_API = "OutboundAPI"
    START_CALL_RECORDING_API = "StartCallRecordingAPI"
    # Not in the OpenAPI enum, but what Twilio emits for <Start><Recording>
    # (twilio.com/docs/voice/api/recording; docs/compatibility.md).
    START_CALL_RECORDING_TWIML = "StartCallRecordingTwiML"
    CONFERENCE = "Conference"
    # Participants create with ConferenceRecord (phonograph's reading of docs/compatibility.md).
    START_CONFERENCE_RECORDING_API = "StartConferenceRecordingAPI"


class PauseBehavior(StrEnum):
    SKIP = "skip"
    SILENCE = "silence"


# Why a recording is absent (twilio.com/docs/voice/api/recording): nothing captured at all, or nothing audible
# captured.
TOO_SHORT = 16101
SILENT = 16102


class IllegalRecordingTransition(PhonographError):
    """Twilio 21220 ("invalid call state") is what a control on a finished recording answers."""

    code = 21220
    status = 400


class CallEnding(PhonographError):
    """Twilio 21220 ("invalid call state"): a recording cannot start on a call that is ending."""

    code = 21220
    status = 400


class MoreThanOneActive(PhonographError):
    """Twilio 16108: ``Twilio.CURRENT`` is ambiguous when several recordings are active."""

    code = 16108
    status = 400


class RecordingNotFound(NotFound):
    pass


class ConfigurationNotFound(InvalidParameter):
    """Twilio 46004 "Configuration Not Found": an unknown ``recordingConfigurationId``."""

    code = 46004


class ConfigurationWithParameters(InvalidParameter):
    """A configuration id together with programmatic recording parameters (docs/compatibility.md: refused)."""


def check_transition(current: RecordingStatus, wanted: RecordingStatus, sid: str) -> None:
    if wanted not in TRANSITIONS[current]:
        raise IllegalRecordingTransition(
            f"Recording {sid} is {current.value}: it cannot become {wanted.value}"
        )
