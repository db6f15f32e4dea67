"""The parsed TwiML program: one frozen dataclass per verb and noun, defaults as Twilio documents them.

Defaults come from each element's attribute table at https://www.twilio.com/docs/voice/twiml/<verb>,
except for the recording attributes (``trim``, ``recording_status_callback*``, ``track``, ``channels``):
they are None when not written, and the recording room applies the start method's default from its one
table (twilio.com/docs/voice/twiml/record, /dial, /conference, /recording; docs/compatibility.md), because
those defaults differ by method. URLs stay as written (relative ones are resolved by the engine against the
document's URL); ``None`` means "not given", which for ``action`` means Twilio's "the current document URL".
``<Dial>`` and its nouns live in ``dial.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeGuard

from phonograph.core import CallbackMethod, Channels, RecordingEvent, Track, Trim
from phonograph.twiml.dial import Conference, Dial, Number, Sip
from phonograph.twiml.enums import GatherInput, HttpMethod, RejectReason
from phonograph.twiml.errors import TwimlWarning

LOOP_FOREVER = 0
"""``loop="0"`` on ``<Say>`` and ``<Play>``: Twilio repeats until the call ends (kept as 0, not mapped)."""


@dataclass(frozen=True, slots=True)
class Say:
    """``<Say>``: speak ``text`` (SSML flattened to plain text); ``loop`` 0 repeats until the call ends."""

    text: str
    voice: str = "man"
    language: str = "en-US"
    loop: int = 1


@dataclass(frozen=True, slots=True)
class Play:
    """``<Play>``: play the audio at ``url``, or the DTMF ``digits`` (``w``/``W`` wait 0.5 s / 1 s).

    At least one of the two is set. ``loop`` 0 repeats until the call ends.
    """

    url: str | None = None
    digits: str | None = None
    loop: int = 1


@dataclass(frozen=True, slots=True)
class Pause:
    """``<Pause>``: wait silently for ``length_s`` seconds."""

    length_s: int = 1


@dataclass(frozen=True, slots=True)
class Gather:
    """``<Gather>``: collect DTMF and/or speech while the nested ``children`` play.

    ``speech_timeout_s`` is seconds of silence after speech, ``"auto"``, or None for "same as
    ``timeout_s``" (Twilio's default). ``num_digits`` None means no limit. ``finish_on_key`` "" means no key
    ends input.
    """

    input: tuple[GatherInput, ...] = (GatherInput.DTMF,)
    action: str | None = None
    method: HttpMethod = HttpMethod.POST
    timeout_s: int = 5
    speech_timeout_s: int | Literal["auto"] | None = None
    max_speech_time_s: int = 60
    finish_on_key: str = "#"
    num_digits: int | None = None
    partial_result_callback: str | None = None
    partial_result_callback_method: HttpMethod = HttpMethod.POST
    language: str = "en-US"
    hints: str | None = None
    profanity_filter: bool = True
    speech_model: str | None = None
    enhanced: bool = False
    barge_in: bool = True
    debug: bool = False
    action_on_empty_result: bool = False
    children: tuple[Say | Play | Pause, ...] = ()


@dataclass(frozen=True, slots=True)
class Hangup:
    """``<Hangup>``: end the call."""


@dataclass(frozen=True, slots=True)
class Reject:
    """``<Reject>``: refuse an incoming call without answering it."""

    reason: RejectReason = RejectReason.REJECTED


@dataclass(frozen=True, slots=True)
class Redirect:
    """``<Redirect>``: replace the program with the TwiML at ``url``."""

    url: str
    method: HttpMethod = HttpMethod.POST


@dataclass(frozen=True, slots=True)
class Record:
    """``<Record>``: record the caller (one channel) until silence, a key, the limit or hang-up
    (twilio.com/docs/voice/twiml/record).

    ``timeout_s`` 0 disables the silence timeout; ``finish_on_key`` "" means no key ends the recording.
    Twilio caps transcription at 120 s recordings; ``max_length_s`` keeps the value written.

    ``trim`` and ``recording_status_callback*`` are None when not written; the recording room applies the
    method's default. ``recording_configuration_id`` is never written together with them.
    """

    action: str | None = None
    method: HttpMethod = HttpMethod.POST
    timeout_s: int = 5
    finish_on_key: str = "1234567890*#"
    max_length_s: int = 3600
    play_beep: bool = True
    trim: Trim | None = None
    recording_status_callback: str | None = None
    recording_status_callback_method: CallbackMethod | None = None
    recording_status_callback_event: tuple[RecordingEvent, ...] | None = None
    transcribe: bool = False
    transcribe_callback: str | None = None
    recording_configuration_id: str | None = None


@dataclass(frozen=True, slots=True)
class Recording:
    """``<Recording>`` inside ``<Start>`` (start a background recording) or ``<Stop>`` (stop it by ``name``).

    Every recording attribute (``recording_status_callback*``, ``trim``, ``track``, ``channels``) is None
    when not written; the recording room applies the method's default (twilio.com/docs/voice/twiml/recording;
    docs/compatibility.md: ``<Recording>``'s channels default to dual where the API's are mono).
    ``recording_configuration_id`` is never written together with them.
    """

    name: str | None = None
    recording_status_callback: str | None = None
    recording_status_callback_method: CallbackMethod | None = None
    recording_status_callback_event: tuple[RecordingEvent, ...] | None = None
    trim: Trim | None = None
    track: Track | None = None
    channels: Channels | None = None
    recording_configuration_id: str | None = None


@dataclass(frozen=True, slots=True)
class Start:
    """``<Start>``: begin the nested background operations and go on at once (non-blocking)."""

    children: tuple[Recording, ...]
    action: str | None = None
    method: HttpMethod = HttpMethod.POST


@dataclass(frozen=True, slots=True)
class Stop:
    """``<Stop>``: end the nested background operations, matched by name."""

    children: tuple[Recording, ...]


Verb = Say | Play | Pause | Gather | Hangup | Reject | Redirect | Record | Dial | Start | Stop
"""A top-level TwiML verb."""

Node = Verb | Number | Sip | Conference | Recording
"""Any element the registry parses: a verb or a noun."""


def is_verb(node: object) -> TypeGuard[Verb]:
    return isinstance(node, Verb)


def is_gather_child(node: object) -> TypeGuard[Say | Play | Pause]:
    return isinstance(node, Say | Play | Pause)


def is_recording(node: object) -> TypeGuard[Recording]:
    return isinstance(node, Recording)


@dataclass(frozen=True, slots=True)
class Document:
    """A parsed ``<Response>``: its verbs in order, and what was tolerated on the way."""

    verbs: tuple[Verb, ...]
    warnings: tuple[TwimlWarning, ...] = ()
