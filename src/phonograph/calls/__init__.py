"""Room ``calls``: the call state machine, one session per call leg, one runner per TwiML verb,
dialling and bridging, conferences, routing to far ends, and virtual phones."""

from phonograph import twiml
from phonograph.calls import verbs
from phonograph.calls.audio_library import DEFAULT_CACHE_BYTES as DEFAULT_PLAY_CACHE_BYTES
from phonograph.calls.audio_library import AudioLibrary
from phonograph.calls.byoc import target_uri
from phonograph.calls.capture import CaptureShelf
from phonograph.calls.commands import (
    CallUpdate,
    ConferenceUpdate,
    ControlRecordingCommand,
    JoinSettings,
    NewCall,
    NewParticipant,
    ParticipantUpdate,
)
from phonograph.calls.conference import ConferenceStatus
from phonograph.calls.conference_events import Subscription as ConferenceSubscription
from phonograph.calls.engine import CallEngine, CallNotLive
from phonograph.calls.legs import DEFAULT_TIME_LIMIT_S, DEFAULT_TIMEOUT_S
from phonograph.calls.nodes import DEFAULT_LEASE_S
from phonograph.calls.runtime import Runtime
from phonograph.calls.state import CallbackEvent, CallStatus, Direction
from phonograph.core import InvalidParameter


def check_twiml(document: str) -> None:
    """Refuse TwiML that would end a call with an error; the caller names the field."""
    try:
        twiml.parse(document)
    except twiml.TwimlError as error:
        raise InvalidParameter(f"{error.message} (Twilio error {error.code})") from error


__all__ = [
    "DEFAULT_LEASE_S",
    "DEFAULT_PLAY_CACHE_BYTES",
    "DEFAULT_TIMEOUT_S",
    "DEFAULT_TIME_LIMIT_S",
    "AudioLibrary",
    "CallEngine",
    "CallNotLive",
    "CallStatus",
    "CallUpdate",
    "CallbackEvent",
    "CaptureShelf",
    "ConferenceStatus",
    "ConferenceSubscription",
    "ConferenceUpdate",
    "ControlRecordingCommand",
    "Direction",
    "JoinSettings",
    "NewCall",
    "NewParticipant",
    "ParticipantUpdate",
    "Runtime",
    "check_twiml",
    "target_uri",
    "verbs",
]
