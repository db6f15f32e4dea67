"""Closed sets of TwiML attribute values, spelled as Twilio spells them on the wire.

Sources: the Twilio TwiML reference pages (https://www.twilio.com/docs/voice/twiml/<verb>) and the enums
that Twilio's generated SDKs emit (twilio-java ``com.twilio.twiml.voice``). The ``recording`` room has
enums of the same name; ``twiml`` may not import it (ARCHITECTURE.md), and the values are identical
strings, so the engine converts by value.
"""

from __future__ import annotations

from enum import StrEnum


class HttpMethod(StrEnum):
    GET = "GET"
    POST = "POST"


class GatherInput(StrEnum):
    DTMF = "dtmf"
    SPEECH = "speech"


class RejectReason(StrEnum):
    REJECTED = "rejected"
    BUSY = "busy"


class Trim(StrEnum):
    TRIM_SILENCE = "trim-silence"
    DO_NOT_TRIM = "do-not-trim"


class RecordingEvent(StrEnum):
    """Events a TwiML ``recordingStatusCallbackEvent`` may list (spec §9)."""

    IN_PROGRESS = "in-progress"
    COMPLETED = "completed"
    ABSENT = "absent"


class RecordingTrack(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"
    BOTH = "both"


class RecordingChannels(StrEnum):
    MONO = "mono"
    DUAL = "dual"


class DialRecord(StrEnum):
    """``<Dial record>``; the wire aliases ``true``/``false`` are read as answer/do-not-record (spec §9)."""

    DO_NOT_RECORD = "do-not-record"
    RECORD_FROM_ANSWER = "record-from-answer"
    RECORD_FROM_RINGING = "record-from-ringing"
    RECORD_FROM_ANSWER_DUAL = "record-from-answer-dual"
    RECORD_FROM_RINGING_DUAL = "record-from-ringing-dual"


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
