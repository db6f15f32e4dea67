"""The recording vocabulary every room spells the same way: trim, track, channels, callback events and method.

One definition for the values that the REST API (twilio.com/docs/voice/api/call-resource;
twilio.com/docs/voice/api/recording), Voice v2 recording configurations
(twilio.com/docs/configurations/recording-configuration-resource) and the TwiML recording attributes
(twilio.com/docs/voice/twiml/record, /dial, /conference, /recording) share, so that a value parsed at any edge
reaches the ``recording`` room as the same enum member. Which values each edge *accepts* is that edge's
business: TwiML's ``recordingStatusCallbackEvent`` refuses ``failed`` (13621), which only v2 configurations
list.
"""

from __future__ import annotations

from enum import StrEnum


class Trim(StrEnum):
    """Whether leading and trailing silence is cut from the finished recording."""

    TRIM_SILENCE = "trim-silence"
    DO_NOT_TRIM = "do-not-trim"


class Track(StrEnum):
    """Which audio of a call leg is recorded: what the far end sends (inbound), what it hears, or both."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"
    BOTH = "both"


class Channels(StrEnum):
    """The layout of the recorded file: one mixed channel, or one channel per party."""

    MONO = "mono"
    DUAL = "dual"


class RecordingEvent(StrEnum):
    """Events a recording status callback can ask for; ``failed`` is listed by v2 configurations only
    (twilio.com/docs/configurations/recording-configuration-resource; docs/compatibility.md)."""

    IN_PROGRESS = "in-progress"
    COMPLETED = "completed"
    ABSENT = "absent"
    FAILED = "failed"


class CallbackMethod(StrEnum):
    """The HTTP method of the recording status callback request."""

    GET = "GET"
    POST = "POST"


def recording_path(account_sid: str, sid: str) -> str:
    """A recording's account-level resource path, without extension: its media URL
    (twilio.com/docs/voice/api/recording), which recording and transcription callbacks both hand out."""
    return f"/2010-04-01/Accounts/{account_sid}/Recordings/{sid}"
