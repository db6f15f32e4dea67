"""Room ``twiml``: TwiML parsing and validation into frozen dataclasses; pure and synchronous.

``parse(document)`` returns a ``Document`` whose ``verbs`` the ``calls`` room runs one by one, or raises
``TwimlError`` (HTTP 400, a Twilio code, a message naming the element, attribute, value and line).
The recording vocabulary (``Trim``, ``Track``, ``Channels``, ``RecordingEvent``, ``CallbackMethod``) is
core's, re-exported here for the users of parsed documents.
"""

from phonograph.core import CallbackMethod, Channels, RecordingEvent, Track, Trim
from phonograph.twiml.dial import Conference, Dial, DialTarget, Number, Sip
from phonograph.twiml.enums import (
    TWIML_RECORDING_EVENTS,
    CallProgressEvent,
    ConferenceBeep,
    ConferenceEvent,
    ConferenceRecord,
    ConferenceRegion,
    DialRecord,
    GatherInput,
    HttpMethod,
    JitterBufferSize,
    RejectReason,
    RingTone,
)
from phonograph.twiml.errors import MAX_DOCUMENT_BYTES, TwimlError, TwimlWarning
from phonograph.twiml.parser import ELEMENTS, UNSUPPORTED, parse
from phonograph.twiml.verbs import (
    LOOP_FOREVER,
    Document,
    Gather,
    Hangup,
    Node,
    Pause,
    Play,
    Record,
    Recording,
    Redirect,
    Reject,
    Say,
    Start,
    Stop,
    Verb,
)

__all__ = [
    "ELEMENTS",
    "LOOP_FOREVER",
    "MAX_DOCUMENT_BYTES",
    "TWIML_RECORDING_EVENTS",
    "UNSUPPORTED",
    "CallProgressEvent",
    "CallbackMethod",
    "Channels",
    "Conference",
    "ConferenceBeep",
    "ConferenceEvent",
    "ConferenceRecord",
    "ConferenceRegion",
    "Dial",
    "DialRecord",
    "DialTarget",
    "Document",
    "Gather",
    "GatherInput",
    "Hangup",
    "HttpMethod",
    "JitterBufferSize",
    "Node",
    "Number",
    "Pause",
    "Play",
    "Record",
    "Recording",
    "RecordingEvent",
    "Redirect",
    "Reject",
    "RejectReason",
    "RingTone",
    "Say",
    "Sip",
    "Start",
    "Stop",
    "Track",
    "Trim",
    "TwimlError",
    "TwimlWarning",
    "Verb",
    "parse",
]
