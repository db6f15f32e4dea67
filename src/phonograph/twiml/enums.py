"""Closed sets of TwiML attribute values, spelled as Twilio spells them on the wire.

Sources: the Twilio TwiML reference pages (https://www.twilio.com/docs/voice/twiml/<verb>) and the enums
that Twilio's generated SDKs emit (twilio-java ``com.twilio.twiml.voice``). The recording vocabulary
(``Trim``, ``Track``, ``Channels``, ``RecordingEvent``, ``CallbackMethod``) is ``core``'s, shared with the
REST API and the ``recording`` room, so a parsed value reaches the recorder as it is.

``HttpMethod`` is the method of the requests a document's own attributes make (``action``, ``url``,
``waitUrl``, ``statusCallback`` …) and stays here: it is no recording term. ``recordingStatusCallbackMethod``
is read as core's ``CallbackMethod``, the recording vocabulary's name for the same two values.
"""

from __future__ import annotations

from enum import StrEnum

from phonograph.core import RecordingEvent


class HttpMethod(StrEnum):
    GET = "GET"
    POST = "POST"


class GatherInput(StrEnum):
    DTMF = "dtmf"
    SPEECH = "speech"


class RejectReason(StrEnum):
    REJECTED = "rejected"
    BUSY = "busy"


TWIML_RECORDING_EVENTS = (RecordingEvent.IN_PROGRESS, RecordingEvent.COMPLETED, RecordingEvent.ABSENT)
"""The events a TwiML ``recordingStatusCallbackEvent`` may list (twilio.com/docs/voice/twiml/record);
``failed`` is refused (13621)."""


class DialRecord(StrEnum):
    """``<Dial record>``; the wire aliases ``true``/``false`` are read as answer/do-not-record
    (twilio.com/docs/voice/twiml/dial)."""

    DO_NOT_RECORD = "do-not-record"
    RECORD_FROM_ANSWER = "record-from-answer"
    RECORD_FROM_RINGING = "record-from-ringing"
    RECORD_FROM_ANSWER_DUAL = "record-from-answer-dual"
    RECORD_FROM_RINGING_DUAL = "record-from-ringing-dual"

    @property
    def dual(self) -> bool:
        """Whether the value names the channel layout too: one channel per party
        (twilio.com/docs/voice/twiml/dial)."""
        return self.value.endswith("-dual")


class ConferenceRecord(StrEnum):
    DO_NOT_RECORD = "do-not-record"
    RECORD_FROM_START = "record-from-start"


class ConferenceBeep(StrEnum):
    TRUE = "true"
    FALSE = "false"
    ON_ENTER = "onEnter"
    ON_EXIT = "onExit"


class ConferenceRegion(StrEnum):
    US1 = "us1"
    IE1 = "ie1"
    SG1 = "sg1"
    BR1 = "br1"
    AU1 = "au1"
    JP1 = "jp1"
    DE1 = "de1"


class ConferenceEvent(StrEnum):
    START = "start"
    END = "end"
    JOIN = "join"
    LEAVE = "leave"
    MUTE = "mute"
    HOLD = "hold"
    MODIFY = "modify"
    SPEAKER = "speaker"
    ANNOUNCEMENT = "announcement"


class JitterBufferSize(StrEnum):
    LARGE = "large"
    MEDIUM = "medium"
    SMALL = "small"
    OFF = "off"


class CallProgressEvent(StrEnum):
    """``statusCallbackEvent`` of ``<Number>`` and ``<Sip>``."""

    INITIATED = "initiated"
    RINGING = "ringing"
    ANSWERED = "answered"
    COMPLETED = "completed"


class RingTone(StrEnum):
    """``<Dial ringTone>``: the country whose ringback the caller hears; ``us-old`` is the legacy US tone."""

    AT = "at"
    AU = "au"
    BG = "bg"
    BR = "br"
    BE = "be"
    CH = "ch"
    CL = "cl"
    CN = "cn"
    CZ = "cz"
    DE = "de"
    DK = "dk"
    EE = "ee"
    ES = "es"
    FI = "fi"
    FR = "fr"
    GR = "gr"
    HU = "hu"
    IL = "il"
    IN = "in"
    IT = "it"
    LT = "lt"
    JP = "jp"
    MX = "mx"
    MY = "my"
    NL = "nl"
    NO = "no"
    NZ = "nz"
    PH = "ph"
    PL = "pl"
    PT = "pt"
    RU = "ru"
    SE = "se"
    SG = "sg"
    TH = "th"
    UK = "uk"
    US = "us"
    US_OLD = "us-old"
    TW = "tw"
    VE = "ve"
    ZA = "za"
