"""``<Dial>`` and the nouns it dials, with Twilio's defaults.

Sources: https://www.twilio.com/docs/voice/twiml/dial, /number, /sip, /conference, and
twilio.com/docs/voice/twiml/dial for the recording attributes. Those (``trim``,
``recording_status_callback*``, ``recording_track``) keep no default here: None means "not written; the
recording room applies the method's default" (docs/compatibility.md). ``<Client>``, ``<Queue>``,
``<Application>``, ``<Sim>`` and ``<WhatsApp>`` are Twilio nouns phonograph does not support; the parser
refuses them by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeGuard

from phonograph.core import CallbackMethod, RecordingEvent, Track, Trim
from phonograph.twiml.enums import (
    CallProgressEvent,
    ConferenceBeep,
    ConferenceEvent,
    ConferenceRecord,
    ConferenceRegion,
    DialRecord,
    HttpMethod,
    JitterBufferSize,
    RingTone,
)


@dataclass(frozen=True, slots=True)
class Number:
    """``<Number>``: a phone number to dial. ``url`` is TwiML run on the callee before bridging.

    ``send_digits`` uses ``0-9 A-D * #`` and ``w``/``W`` (wait 0.5 s / 1 s). Twilio sends only the
    ``completed`` status callback unless told otherwise.
    """

    number: str
    send_digits: str | None = None
    url: str | None = None
    method: HttpMethod = HttpMethod.POST
    status_callback: str | None = None
    status_callback_event: tuple[CallProgressEvent, ...] = (CallProgressEvent.COMPLETED,)
    status_callback_method: HttpMethod = HttpMethod.POST
    byoc: str | None = None


@dataclass(frozen=True, slots=True)
class Sip:
    """``<Sip>``: a SIP URI to dial, with optional digest credentials."""

    uri: str
    username: str | None = None
    password: str | None = None
    url: str | None = None
    method: HttpMethod = HttpMethod.POST
    status_callback: str | None = None
    status_callback_event: tuple[CallProgressEvent, ...] = (CallProgressEvent.COMPLETED,)
    status_callback_method: HttpMethod = HttpMethod.POST


@dataclass(frozen=True, slots=True)
class Conference:
    """``<Conference>``: join the named room.

    ``wait_url`` None plays Twilio's default hold music; "" plays nothing. ``region`` None lets the
    platform choose. Recording starts when the first two participants are bridged
    (twilio.com/docs/voice/twiml/dial).

    ``trim`` and ``recording_status_callback*`` are None when not written; the recording room applies the
    method's default. ``recording_configuration_id`` is never written together with them.
    """

    name: str
    muted: bool = False
    beep: ConferenceBeep = ConferenceBeep.TRUE
    start_conference_on_enter: bool = True
    end_conference_on_exit: bool = False
    wait_url: str | None = None
    wait_method: HttpMethod = HttpMethod.POST
    max_participants: int = 250
    record: ConferenceRecord = ConferenceRecord.DO_NOT_RECORD
    region: ConferenceRegion | None = None
    trim: Trim | None = None
    coach: str | None = None
    status_callback: str | None = None
    status_callback_event: tuple[ConferenceEvent, ...] = ()
    status_callback_method: HttpMethod = HttpMethod.POST
    recording_status_callback: str | None = None
    recording_status_callback_method: CallbackMethod | None = None
    recording_status_callback_event: tuple[RecordingEvent, ...] | None = None
    event_callback_url: str | None = None
    jitter_buffer_size: JitterBufferSize = JitterBufferSize.LARGE
    participant_label: str | None = None
    recording_configuration_id: str | None = None


DialTarget = Number | Sip | Conference


def is_dial_target(node: object) -> TypeGuard[DialTarget]:
    return isinstance(node, Number | Sip | Conference)


@dataclass(frozen=True, slots=True)
class Dial:
    """``<Dial>``: connect the caller to ``targets`` (dialled at once, or in order when ``sequential``).

    A bare number as ``<Dial>``'s text becomes one ``Number``. ``record`` accepts Twilio's aliases
    ``true`` (= record-from-answer) and ``false`` (= do-not-record). ``caller_id`` None means the caller's
    own number; ``ring_tone`` None means the ringback of the called number's country.

    ``trim``, ``recording_status_callback*`` and ``recording_track`` are None when not written; the
    recording room applies the method's default (for ``trim`` the Dial page's table and prose disagree,
    docs/compatibility.md). ``recording_configuration_id`` is never written together with them, nor with a
    ``*-dual`` ``record`` value.
    """

    targets: tuple[DialTarget, ...]
    action: str | None = None
    method: HttpMethod = HttpMethod.POST
    timeout_s: int = 30
    hangup_on_star: bool = False
    time_limit_s: int = 14400
    caller_id: str | None = None
    answer_on_bridge: bool = False
    ring_tone: RingTone | None = None
    record: DialRecord = DialRecord.DO_NOT_RECORD
    trim: Trim | None = None
    recording_status_callback: str | None = None
    recording_status_callback_method: CallbackMethod | None = None
    recording_status_callback_event: tuple[RecordingEvent, ...] | None = None
    recording_track: Track | None = None
    recording_configuration_id: str | None = None
    sequential: bool = False
    refer_url: str | None = None
    refer_method: HttpMethod = HttpMethod.POST
