"""Recording enums shared by every way to start a recording (spec §2.1, §3.2, §4)."""

from __future__ import annotations

from enum import StrEnum


class Channels(StrEnum):
    MONO = "mono"
    DUAL = "dual"


class Trim(StrEnum):
    TRIM_SILENCE = "trim-silence"
    DO_NOT_TRIM = "do-not-trim"


class Track(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"
    BOTH = "both"


class CallbackMethod(StrEnum):
    GET = "GET"
    POST = "POST"


class RecordingEvent(StrEnum):
    """Events a recording status callback can ask for; ``failed`` only in v2 (spec §4)."""

    IN_PROGRESS = "in-progress"
    COMPLETED = "completed"
    ABSENT = "absent"
    FAILED = "failed"
