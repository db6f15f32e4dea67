"""What a TwiML document can go wrong with: one error class, one warning class, and their codes.

Every code below was checked against Twilio's error dictionary (https://www.twilio.com/docs/api/errors/NNNNN).
Where Twilio documents a verb-specific code for a bad attribute value we use it; every other problem with
a document is 12100, "Document parse failure" (malformed XML, wrong root, unknown or misplaced elements,
text where none belongs). A recording configuration id written together with programmatic recording
attributes is refused with 12200 (see ``CONFIGURATION_WITH_PARAMETERS``). Twilio logs many of the 13xxx
codes as warnings and carries on with a default; phonograph refuses the document instead, so a mistake is
seen at once (docs/compatibility.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from phonograph.core.errors import PhonographError

MAX_DOCUMENT_BYTES = 64 * 1024
"""Twilio refuses a TwiML response body larger than 64 kB with 11750."""

BODY_TOO_LARGE = 11750
PARSE_FAILURE = 12100
SCHEMA_WARNING = 12200

# <Say>, <Play>, <Pause>, <Redirect>
SAY_INVALID_LOOP = 13510
SAY_INVALID_TEXT = 13520
PLAY_INVALID_LOOP = 13410
PLAY_INVALID_DIGITS = 13430
PAUSE_INVALID_LENGTH = 13910
REDIRECT_INVALID_METHOD = 13710

# <Gather> and the verbs nested in it
GATHER_INVALID_FINISH_ON_KEY = 13310
GATHER_INVALID_METHOD = 13312
GATHER_INVALID_TIMEOUT = 13313
GATHER_INVALID_NUM_DIGITS = 13314
GATHER_SAY_INVALID_LOOP = 13322
GATHER_INVALID_SPEECH_TIMEOUT = 13327
GATHER_INVALID_MAX_SPEECH_TIME = 13328
GATHER_INVALID_BARGE_IN = 13332
GATHER_INVALID_PROFANITY_FILTER = 13333
GATHER_INVALID_DEBUG = 13336
GATHER_INVALID_ACTION_ON_EMPTY_RESULT = 13338
GATHER_INVALID_ENHANCED = 13339

# <Dial> and its nouns
DIAL_INVALID_METHOD = 13210
DIAL_INVALID_TIMEOUT = 13212
DIAL_INVALID_HANGUP_ON_STAR = 13213
DIAL_INVALID_TIME_LIMIT = 13216
DIAL_INVALID_RECORD = 13217
DIAL_INVALID_RING_TONE = 13220
NUMBER_INVALID_METHOD = 13221
NUMBER_INVALID_SEND_DIGITS = 13222
CONFERENCE_INVALID_MUTED = 13230
CONFERENCE_INVALID_END_ON_EXIT = 13231
CONFERENCE_INVALID_START_ON_ENTER = 13232
CONFERENCE_INVALID_WAIT_METHOD = 13234
CONFERENCE_INVALID_BEEP = 13235
SIP_INVALID_METHOD = 13241

# <Record> (and the recording attributes every recording element shares)
RECORD_INVALID_METHOD = 13610
RECORD_INVALID_TIMEOUT = 13611
RECORD_INVALID_MAX_LENGTH = 13612
RECORD_INVALID_FINISH_ON_KEY = 13613
RECORD_INVALID_TRANSCRIBE = 13614
RECORD_INVALID_PLAY_BEEP = 13616
INVALID_RECORDING_STATUS_CALLBACK_EVENT = 13621

# recordingConfigurationId together with programmatic recording attributes. Twilio says a workflow uses
# "either a Voice Recording Configuration ID or programmatic parameters, but not both" and documents no
# code for a document that has both (twilio.com/docs/configurations/recording-configuration-resource;
# docs/compatibility.md); phonograph refuses it with 12200, Twilio's schema-validation code, as a fatal error
# rather than the warning 12200 usually is.
CONFIGURATION_WITH_PARAMETERS = 12200


def shorten(text: str, limit: int = 60) -> str:
    """``text`` cut to ``limit`` characters for a message (a value can be kilobytes long)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


class TwimlError(PhonographError):
    """A TwiML document phonograph cannot run. ``message`` names the element, attribute, value and line."""

    code = PARSE_FAILURE
    status = 400


@dataclass(frozen=True, slots=True)
class TwimlWarning:
    """Something Twilio tolerates and so do we, such as an attribute we do not know (12200)."""

    code: int
    message: str
