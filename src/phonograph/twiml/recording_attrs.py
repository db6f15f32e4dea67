"""Recording attributes shared by ``<Record>``, ``<Dial>``, ``<Conference>`` and ``<Recording>`` (spec §9).

All five spell them the same way; only ``trim``'s default differs (spec §14.4), so the caller passes it.
An invalid ``recordingStatusCallbackEvent`` is Twilio's 13621 on every element.
"""

from __future__ import annotations

from dataclasses import dataclass

from phonograph.twiml.enums import HttpMethod, RecordingEvent, Trim
from phonograph.twiml.errors import INVALID_RECORDING_STATUS_CALLBACK_EVENT
from phonograph.twiml.values import Attributes


@dataclass(frozen=True, slots=True)
class RecordingAttributes:
    trim: Trim
    status_callback: str | None
    status_callback_method: HttpMethod
    status_callback_event: tuple[RecordingEvent, ...]
    configuration_id: str | None


def read_recording_attributes(attrs: Attributes, *, trim_default: Trim) -> RecordingAttributes:
    """Read ``trim``, ``recordingStatusCallback*`` and ``recordingConfigurationId``."""
    return RecordingAttributes(
        trim=attrs.choice("trim", Trim, default=trim_default),
        status_callback=attrs.string("recordingStatusCallback"),
        status_callback_method=attrs.method("recordingStatusCallbackMethod"),
        status_callback_event=attrs.choices(
            "recordingStatusCallbackEvent",
            RecordingEvent,
            default=(RecordingEvent.COMPLETED,),
            code=INVALID_RECORDING_STATUS_CALLBACK_EVENT,
        ),
        configuration_id=attrs.string("recordingConfigurationId"),
    )
