"""Parse functions for ``<Dial>`` and its nouns ``<Number>``, ``<Sip>`` and ``<Conference>``."""

from __future__ import annotations

import re

from phonograph.twiml import errors as codes
from phonograph.twiml.content import Context, body_text
from phonograph.twiml.dial import Conference, Dial, Number, Sip, is_dial_target
from phonograph.twiml.enums import (
    CallProgressEvent,
    ConferenceBeep,
    ConferenceEvent,
    ConferenceRecord,
    ConferenceRegion,
    DialRecord,
    JitterBufferSize,
    RingTone,
)
from phonograph.twiml.errors import TwimlError
from phonograph.twiml.parse_verbs import DTMF_DIGITS
from phonograph.twiml.recording_attrs import read_recording_attributes
from phonograph.twiml.values import Attributes
from phonograph.twiml.xmltree import Element

# Answering-machine detection on a dialled leg: Twilio has it, phonograph does not (yet).
_AMD_ATTRIBUTES = (
    "machineDetection",
    "machineDetectionTimeout",
    "machineDetectionSpeechThreshold",
    "machineDetectionSpeechEndThreshold",
    "machineDetectionSilenceTimeout",
    "amdStatusCallback",
    "amdStatusCallbackMethod",
)
_CALL_SID = re.compile(r"CA[0-9a-f]{32}")
PARTICIPANT_LABEL_MAX_CHARS = 128
INVALID_PARTICIPANT_LABEL = 16023
"""Twilio: "Invalid participant label, must not exceed 128 characters, must not be a CallSid, must not
contain '/'" (https://www.twilio.com/docs/api/errors/16023)."""


def parse_dial(element: Element, attrs: Attributes, ctx: Context) -> Dial:
    record = attrs.choice(
        "record",
        DialRecord,
        default=DialRecord.DO_NOT_RECORD,
        code=codes.DIAL_INVALID_RECORD,
        aliases={"true": DialRecord.RECORD_FROM_ANSWER, "false": DialRecord.DO_NOT_RECORD},
    )
    # A -dual value chooses the channel layout, which a recording configuration also decides.
    recording = read_recording_attributes(
        attrs, track="recordingTrack", also_written=(f'record="{record}"',) if record.dual else ()
    )
    attrs.ignore("callReason", "events", "passports")
    return Dial(
        targets=_targets(element, ctx),
        action=attrs.string("action"),
        method=attrs.method(code=codes.DIAL_INVALID_METHOD),
        timeout_s=attrs.integer("timeout", default=30, minimum=1, code=codes.DIAL_INVALID_TIMEOUT),
        hangup_on_star=attrs.boolean("hangupOnStar", default=False, code=codes.DIAL_INVALID_HANGUP_ON_STAR),
        time_limit_s=attrs.integer("timeLimit", default=14400, minimum=1, code=codes.DIAL_INVALID_TIME_LIMIT),
        caller_id=attrs.string("callerId"),
        answer_on_bridge=attrs.boolean("answerOnBridge", default=False),
        ring_tone=attrs.optional_choice("ringTone", RingTone, code=codes.DIAL_INVALID_RING_TONE),
        record=record,
        trim=recording.trim,
        recording_status_callback=recording.status_callback,
        recording_status_callback_method=recording.status_callback_method,
        recording_status_callback_event=recording.status_callback_event,
        recording_track=recording.track,
        recording_configuration_id=recording.configuration_id,
        sequential=attrs.boolean("sequential", default=False),
        refer_url=attrs.string("referUrl"),
        refer_method=attrs.method("referMethod"),
    )


def _targets(element: Element, ctx: Context) -> tuple[Number | Sip | Conference, ...]:
    text = element.text().strip()
    if text and element.children:
        raise TwimlError(
            f'{element.describe()} has both a number as text ("{text}") and nested nouns; '
            "put each number in its own <Number>."
        )
    if text:
        return (Number(number=text),)
    targets = ctx.children(element, is_dial_target)
    if not targets:
        raise TwimlError(
            f"{element.describe()} has nothing to dial; give a number as its text or nest <Number>, "
            "<Sip> or <Conference>."
        )
    return targets


def parse_number(element: Element, attrs: Attributes, ctx: Context) -> Number:
    number = body_text(element, ctx, required="the phone number to dial")
    assert number is not None
    send_digits = attrs.string("sendDigits")
    if send_digits is not None and not DTMF_DIGITS.fullmatch(send_digits):
        raise attrs.error(
            "sendDigits",
            send_digits,
            "may hold only 0-9, A-D, *, # and w or W",
            codes.NUMBER_INVALID_SEND_DIGITS,
        )
    attrs.ignore(*_AMD_ATTRIBUTES)
    return Number(
        number=number,
        send_digits=send_digits,
        url=attrs.string("url"),
        method=attrs.method(code=codes.NUMBER_INVALID_METHOD),
        status_callback=attrs.string("statusCallback"),
        status_callback_event=_call_progress_events(attrs),
        status_callback_method=attrs.method("statusCallbackMethod"),
        byoc=attrs.string("byoc"),
    )


def parse_sip(element: Element, attrs: Attributes, ctx: Context) -> Sip:
    uri = body_text(element, ctx, required="a SIP URI (sip:user@host)")
    assert uri is not None
    if not uri.lower().startswith(("sip:", "sips:")):
        raise TwimlError(
            f'{element.describe()} must hold a SIP URI starting with sip: or sips:, not "{uri}".'
        )
    attrs.ignore(*_AMD_ATTRIBUTES)
    return Sip(
        uri=uri,
        username=attrs.string("username"),
        password=attrs.string("password"),
        url=attrs.string("url"),
        method=attrs.method(code=codes.SIP_INVALID_METHOD),
        status_callback=attrs.string("statusCallback"),
        status_callback_event=_call_progress_events(attrs),
        status_callback_method=attrs.method("statusCallbackMethod"),
    )


def _call_progress_events(attrs: Attributes) -> tuple[CallProgressEvent, ...]:
    return attrs.choices("statusCallbackEvent", CallProgressEvent, default=(CallProgressEvent.COMPLETED,))


def parse_conference(element: Element, attrs: Attributes, ctx: Context) -> Conference:
    name = body_text(element, ctx, required="the conference room's name")
    assert name is not None
    recording = read_recording_attributes(attrs)
    wait_url = attrs.verbatim("waitUrl")  # "" is meaningful: no hold music at all
    return Conference(
        name=name,
        muted=attrs.boolean("muted", default=False, code=codes.CONFERENCE_INVALID_MUTED),
        beep=attrs.choice(
            "beep", ConferenceBeep, default=ConferenceBeep.TRUE, code=codes.CONFERENCE_INVALID_BEEP
        ),
        start_conference_on_enter=attrs.boolean(
            "startConferenceOnEnter", default=True, code=codes.CONFERENCE_INVALID_START_ON_ENTER
        ),
        end_conference_on_exit=attrs.boolean(
            "endConferenceOnExit", default=False, code=codes.CONFERENCE_INVALID_END_ON_EXIT
        ),
        wait_url=None if wait_url is None else wait_url.strip(),
        wait_method=attrs.method("waitMethod", code=codes.CONFERENCE_INVALID_WAIT_METHOD),
        max_participants=attrs.integer("maxParticipants", default=250, minimum=2, maximum=250),
        record=attrs.choice("record", ConferenceRecord, default=ConferenceRecord.DO_NOT_RECORD),
        region=attrs.optional_choice("region", ConferenceRegion),
        trim=recording.trim,
        coach=attrs.string("coach"),
        status_callback=attrs.string("statusCallback"),
        status_callback_event=attrs.choices("statusCallbackEvent", ConferenceEvent, default=()),
        status_callback_method=attrs.method("statusCallbackMethod"),
        recording_status_callback=recording.status_callback,
        recording_status_callback_method=recording.status_callback_method,
        recording_status_callback_event=recording.status_callback_event,
        event_callback_url=attrs.string("eventCallbackUrl"),
        jitter_buffer_size=attrs.choice("jitterBufferSize", JitterBufferSize, default=JitterBufferSize.LARGE),
        participant_label=_participant_label(attrs),
        recording_configuration_id=recording.configuration_id,
    )


def _participant_label(attrs: Attributes) -> str | None:
    label = attrs.string("participantLabel")
    if label is None:
        return None
    too_long = len(label) > PARTICIPANT_LABEL_MAX_CHARS
    if too_long or "/" in label or "%2f" in label.lower() or _CALL_SID.fullmatch(label):
        raise attrs.error(
            "participantLabel",
            label,
            f"must be at most {PARTICIPANT_LABEL_MAX_CHARS} characters, contain no '/' and not be a CallSid",
            INVALID_PARTICIPANT_LABEL,
        )
    return label
