"""One parse function per verb and per ``<Recording>`` noun; ``<Dial>`` and its nouns are in ``parse_dial``.

Every function has the registry's signature ``(element, attributes, context) -> node``. Error codes are
Twilio's verb-specific ones where its error dictionary has one (see ``errors.py``), else 12100.
"""

from __future__ import annotations

import re
from typing import Literal

from phonograph.twiml import errors as codes
from phonograph.twiml.content import Context, body_text, forbid_content
from phonograph.twiml.enums import GatherInput, RejectReason
from phonograph.twiml.errors import TwimlError
from phonograph.twiml.recording_attrs import read_recording_attributes
from phonograph.twiml.ssml import spoken_text
from phonograph.twiml.values import Attributes
from phonograph.twiml.verbs import (
    Gather,
    Hangup,
    Pause,
    Play,
    Record,
    Recording,
    Redirect,
    Reject,
    Say,
    Start,
    Stop,
    is_gather_child,
    is_recording,
)
from phonograph.twiml.xmltree import Element

DTMF_DIGITS = re.compile(r"[0-9A-D*#wW]+")
"""Keys ``<Play digits>`` and ``<Number sendDigits>`` may hold; ``w``/``W`` wait 0.5 / 1 s (13430, 13222)."""

_GATHER_KEYS = frozenset("0123456789#*")
_RECORD_KEYS = re.compile(r"[0-9#*]*")


def parse_say(element: Element, attrs: Attributes, ctx: Context) -> Say:
    # Twilio reports a bad loop on a <Say> nested in <Gather> with its own code.
    loop_code = codes.GATHER_SAY_INVALID_LOOP if element.parent == "Gather" else codes.SAY_INVALID_LOOP
    say = Say(
        text=spoken_text(element),
        voice=attrs.text("voice", "man"),
        language=attrs.text("language", "en-US"),
        loop=attrs.integer("loop", default=1, minimum=0, code=loop_code),
    )
    if not say.text:
        raise TwimlError(f"{element.describe()} has no text to speak.", code=codes.SAY_INVALID_TEXT)
    return say


def parse_play(element: Element, attrs: Attributes, ctx: Context) -> Play:
    digits = attrs.string("digits")
    if digits is not None and not DTMF_DIGITS.fullmatch(digits):
        raise attrs.error(
            "digits", digits, "may hold only 0-9, A-D, *, # and w or W", codes.PLAY_INVALID_DIGITS
        )
    play = Play(
        url=body_text(element, ctx),
        digits=digits,
        loop=attrs.integer("loop", default=1, minimum=0, code=codes.PLAY_INVALID_LOOP),
    )
    if play.url is None and play.digits is None:
        raise TwimlError(f"{element.describe()} needs a media URL as its text or a digits attribute.")
    return play


def parse_pause(element: Element, attrs: Attributes, ctx: Context) -> Pause:
    forbid_content(element, ctx)
    return Pause(length_s=attrs.integer("length", default=1, minimum=1, code=codes.PAUSE_INVALID_LENGTH))


def parse_gather(element: Element, attrs: Attributes, ctx: Context) -> Gather:
    return Gather(
        input=attrs.choices("input", GatherInput, default=(GatherInput.DTMF,)),
        action=attrs.string("action"),
        method=attrs.method(code=codes.GATHER_INVALID_METHOD),
        timeout_s=attrs.integer("timeout", default=5, minimum=0, code=codes.GATHER_INVALID_TIMEOUT),
        speech_timeout_s=_speech_timeout(attrs),
        max_speech_time_s=attrs.integer(
            "maxSpeechTime", default=60, minimum=1, code=codes.GATHER_INVALID_MAX_SPEECH_TIME
        ),
        finish_on_key=_gather_finish_on_key(attrs),
        num_digits=attrs.optional_integer("numDigits", minimum=1, code=codes.GATHER_INVALID_NUM_DIGITS),
        partial_result_callback=attrs.string("partialResultCallback"),
        partial_result_callback_method=attrs.method("partialResultCallbackMethod"),
        language=attrs.text("language", "en-US"),
        hints=attrs.string("hints"),
        profanity_filter=attrs.boolean(
            "profanityFilter", default=True, code=codes.GATHER_INVALID_PROFANITY_FILTER
        ),
        speech_model=attrs.string("speechModel"),
        enhanced=attrs.boolean("enhanced", default=False, code=codes.GATHER_INVALID_ENHANCED),
        barge_in=attrs.boolean("bargeIn", default=True, code=codes.GATHER_INVALID_BARGE_IN),
        debug=attrs.boolean("debug", default=False, code=codes.GATHER_INVALID_DEBUG),
        action_on_empty_result=attrs.boolean(
            "actionOnEmptyResult", default=False, code=codes.GATHER_INVALID_ACTION_ON_EMPTY_RESULT
        ),
        children=ctx.children(element, is_gather_child),
    )


def _speech_timeout(attrs: Attributes) -> int | Literal["auto"] | None:
    value = attrs.raw("speechTimeout")
    if value is None:
        return None
    if value.lower() == "auto":
        return "auto"
    if not (value.isascii() and value.isdigit() and len(value) <= 9):
        raise attrs.error(
            "speechTimeout",
            value,
            "must be auto or a whole number of seconds",
            codes.GATHER_INVALID_SPEECH_TIMEOUT,
        )
    return int(value)


def _gather_finish_on_key(attrs: Attributes) -> str:
    # One key ends input; "" (the empty string) means no key does (Gather attribute table).
    value = attrs.verbatim("finishOnKey")
    if value is None:
        return "#"
    key = value.strip()
    if key and (len(key) != 1 or key not in _GATHER_KEYS):
        raise attrs.error(
            "finishOnKey", value, "must be one of 0-9, # or *, or empty", codes.GATHER_INVALID_FINISH_ON_KEY
        )
    return key


def parse_hangup(element: Element, attrs: Attributes, ctx: Context) -> Hangup:
    forbid_content(element, ctx)
    return Hangup()


def parse_reject(element: Element, attrs: Attributes, ctx: Context) -> Reject:
    forbid_content(element, ctx)
    return Reject(reason=attrs.choice("reason", RejectReason, default=RejectReason.REJECTED))


def parse_redirect(element: Element, attrs: Attributes, ctx: Context) -> Redirect:
    url = body_text(element, ctx, required="the URL of the next TwiML document")
    assert url is not None
    return Redirect(url=url, method=attrs.method(code=codes.REDIRECT_INVALID_METHOD))


def parse_record(element: Element, attrs: Attributes, ctx: Context) -> Record:
    forbid_content(element, ctx)
    recording = read_recording_attributes(attrs)
    return Record(
        action=attrs.string("action"),
        method=attrs.method(code=codes.RECORD_INVALID_METHOD),
        timeout_s=attrs.integer("timeout", default=5, minimum=0, code=codes.RECORD_INVALID_TIMEOUT),
        finish_on_key=_record_finish_on_key(attrs),
        # 14400 s, or 86400 s on accounts with 24-hour calls (twilio.com/docs/voice/twiml/record); the larger
        # bound is checked here.
        max_length_s=attrs.integer(
            "maxLength", default=3600, minimum=1, maximum=86400, code=codes.RECORD_INVALID_MAX_LENGTH
        ),
        play_beep=attrs.boolean("playBeep", default=True, code=codes.RECORD_INVALID_PLAY_BEEP),
        trim=recording.trim,
        recording_status_callback=recording.status_callback,
        recording_status_callback_method=recording.status_callback_method,
        recording_status_callback_event=recording.status_callback_event,
        transcribe=attrs.boolean("transcribe", default=False, code=codes.RECORD_INVALID_TRANSCRIBE),
        transcribe_callback=attrs.string("transcribeCallback"),
        recording_configuration_id=recording.configuration_id,
    )


def _record_finish_on_key(attrs: Attributes) -> str:
    # Any of the keys ends the recording; "" means none does.
    value = attrs.verbatim("finishOnKey")
    if value is None:
        return "1234567890*#"
    keys = value.strip()
    if not _RECORD_KEYS.fullmatch(keys):
        raise attrs.error(
            "finishOnKey", value, "may hold only the keys 0-9, # and *", codes.RECORD_INVALID_FINISH_ON_KEY
        )
    return keys


def parse_recording(element: Element, attrs: Attributes, ctx: Context) -> Recording:
    forbid_content(element, ctx)
    recording = read_recording_attributes(attrs, track="track", channels=True)
    return Recording(
        name=attrs.string("name"),
        recording_status_callback=recording.status_callback,
        recording_status_callback_method=recording.status_callback_method,
        recording_status_callback_event=recording.status_callback_event,
        trim=recording.trim,
        track=recording.track,
        channels=recording.channels,
        recording_configuration_id=recording.configuration_id,
    )


def parse_start(element: Element, attrs: Attributes, ctx: Context) -> Start:
    return Start(
        children=_at_least_one(element, ctx.children(element, is_recording)),
        action=attrs.string("action"),
        method=attrs.method(),
    )


def parse_stop(element: Element, attrs: Attributes, ctx: Context) -> Stop:
    return Stop(children=_at_least_one(element, ctx.children(element, is_recording)))


def _at_least_one(element: Element, children: tuple[Recording, ...]) -> tuple[Recording, ...]:
    if not children:
        raise TwimlError(f"{element.describe()} needs at least one nested noun, such as <Recording>.")
    return children
