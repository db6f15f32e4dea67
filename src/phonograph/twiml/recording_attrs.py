"""Recording attributes shared by ``<Record>``, ``<Dial>``, ``<Conference>`` and ``<Recording>``
(twilio.com/docs/voice/twiml/recording).

They are read as *written*: an attribute that is absent (or empty) is None, and the ``recording`` room
applies the start method's default, which differs between elements (docs/compatibility.md). An invalid
``recordingStatusCallbackEvent`` is Twilio's 13621 on every element; ``failed`` is not a TwiML event.

A recording uses either a Voice Recording Configuration or programmatic parameters, "but not both"
(twilio.com/docs/configurations/recording-configuration-resource; docs/compatibility.md):
``recordingConfigurationId`` with any programmatic attribute written is refused (12200).
"""

from __future__ import annotations

from dataclasses import dataclass

from phonograph.core import CallbackMethod, Channels, RecordingEvent, Track, Trim
from phonograph.twiml.enums import TWIML_RECORDING_EVENTS
from phonograph.twiml.errors import (
    CONFIGURATION_WITH_PARAMETERS,
    INVALID_RECORDING_STATUS_CALLBACK_EVENT,
    TwimlError,
)
from phonograph.twiml.values import Attributes

CONFIGURATION_ID = "recordingConfigurationId"


@dataclass(frozen=True, slots=True)
class RecordingAttributes:
    """One element's recording attributes; None means not written."""

    trim: Trim | None
    status_callback: str | None
    status_callback_method: CallbackMethod | None
    status_callback_event: tuple[RecordingEvent, ...] | None
    track: Track | None
    channels: Channels | None
    configuration_id: str | None


def read_recording_attributes(
    attrs: Attributes,
    *,
    track: str | None = None,
    channels: bool = False,
    also_written: tuple[str, ...] = (),
) -> RecordingAttributes:
    """Read ``trim``, ``recordingStatusCallback*``, ``recordingConfigurationId`` and, where the element
    has them, its track attribute and ``channels``.

    ``track`` is the element's name for its track attribute (``recordingTrack`` on ``<Dial>``, ``track``
    on ``<Recording>``; None where it has none). ``also_written`` describes other attributes, as written,
    that choose a recording parameter and so may not go with a configuration id either (``<Dial
    record="record-from-answer-dual">`` picks the channel layout).
    """
    recording = RecordingAttributes(
        trim=attrs.optional_choice("trim", Trim),
        status_callback=attrs.string("recordingStatusCallback"),
        status_callback_method=attrs.optional_method("recordingStatusCallbackMethod", CallbackMethod),
        status_callback_event=attrs.optional_choices(
            "recordingStatusCallbackEvent",
            RecordingEvent,
            allowed=TWIML_RECORDING_EVENTS,
            code=INVALID_RECORDING_STATUS_CALLBACK_EVENT,
        ),
        track=None if track is None else attrs.optional_choice(track, Track),
        channels=attrs.optional_choice("channels", Channels) if channels else None,
        configuration_id=attrs.string(CONFIGURATION_ID),
    )
    if recording.configuration_id is not None:
        _refuse_parameters(attrs, recording, track, also_written)
    return recording


def _refuse_parameters(
    attrs: Attributes, recording: RecordingAttributes, track: str | None, also_written: tuple[str, ...]
) -> None:
    """Raise when any programmatic recording attribute was written beside the configuration id."""
    parameters = [
        ("trim", recording.trim),
        ("recordingStatusCallback", recording.status_callback),
        ("recordingStatusCallbackMethod", recording.status_callback_method),
        ("recordingStatusCallbackEvent", recording.status_callback_event),
        (track, recording.track),
        ("channels", recording.channels),
    ]
    written = sorted([str(name) for name, value in parameters if value is not None] + list(also_written))
    if written:
        raise TwimlError(
            f"{attrs.where}: {CONFIGURATION_ID} cannot be combined with {', '.join(written)}: "
            "use one or the other.",
            code=CONFIGURATION_WITH_PARAMETERS,
        )
