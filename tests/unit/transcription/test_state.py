"""The transcription status machine, its two API vocabularies, and the errors' codes."""

from __future__ import annotations

import pytest

from phonograph.core import PhonographError
from phonograph.transcription import (
    ComplianceRefused,
    ConfigurationDeleted,
    EngineUnavailable,
    IdempotencyKeyReused,
    MediaTooShort,
    OutOfTranscribeRange,
    QueueFull,
    RecordingNotEligible,
    TranscriptionConfigurationNotFound,
    TranscriptionNotFound,
    TranscriptionStatus,
    V3Status,
    from_v3_status,
    legacy_status,
    v3_status,
)
from phonograph.transcription.state import (
    TRANSITIONS,
    IllegalTranscriptionTransition,
    check_transition,
)

Q, R, C, F = (
    TranscriptionStatus.QUEUED,
    TranscriptionStatus.IN_PROGRESS,
    TranscriptionStatus.COMPLETED,
    TranscriptionStatus.FAILED,
)
ALLOWED = {(Q, R), (Q, F), (R, R), (R, Q), (R, C), (R, F)}


@pytest.mark.parametrize("current", list(TranscriptionStatus))
@pytest.mark.parametrize("wanted", list(TranscriptionStatus))
def test_transitions(current: TranscriptionStatus, wanted: TranscriptionStatus) -> None:
    assert ((current, wanted) in ALLOWED) == (wanted in TRANSITIONS[current])
    if (current, wanted) in ALLOWED:
        check_transition(current, wanted, "TR1")
    else:
        with pytest.raises(IllegalTranscriptionTransition, match=f"TR1 is {current.value}"):
            check_transition(current, wanted, "TR1")


def test_v3_and_legacy_names() -> None:
    assert [v3_status(status) for status in (Q, R, C, F)] == [
        V3Status.PENDING,
        V3Status.RUNNING,
        V3Status.COMPLETED,
        V3Status.FAILED,
    ]
    assert [from_v3_status(name) for name in ("PENDING", "RUNNING", "COMPLETED", "FAILED")] == [Q, R, C, F]
    with pytest.raises(ValueError, match="pending"):
        from_v3_status("pending")
    assert [legacy_status(status.value) for status in (Q, R, C, F)] == [
        "in-progress",
        "in-progress",
        "completed",
        "failed",
    ]


@pytest.mark.parametrize(
    ("error", "code", "status"),
    [
        (TranscriptionConfigurationNotFound("x"), 17501, 400),
        (ComplianceRefused("x"), 17531, 403),
        (RecordingNotEligible("x"), 17533, 400),
        (MediaTooShort("x"), 17554, 400),
        (OutOfTranscribeRange("x"), 13617, 400),
        (ConfigurationDeleted("x"), 94002, 404),
        (EngineUnavailable("x"), 20500, 503),
        (QueueFull("x", retry_after_s=3), 20429, 429),
        (IdempotencyKeyReused("x"), 20001, 422),
        (TranscriptionNotFound("x"), 20404, 404),
    ],
)
def test_error_codes(error: PhonographError, code: int, status: int) -> None:
    assert (error.code, error.status, error.more_info) == (
        code,
        status,
        f"https://www.twilio.com/docs/errors/{code}",
    )
