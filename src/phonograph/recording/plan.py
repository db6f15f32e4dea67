"""What a new recording will be: its source, layout, trim and callback, resolved in one place.

Six ways start a recording, each with its programmatic parameters *or* a configuration id
(twilio.com/docs/configurations/recording-configuration-resource; twilio.com/docs/voice/twiml/record).
The rules (docs/compatibility.md, "Recordings"):

1. An id together with programmatic parameters is refused, naming both (docs/compatibility.md).
2. An id names a Recording configuration of the account (its id or unique_name); unknown: 46004.
3. With neither, the account default configuration applies (``/v2/AccountDefaultConfiguration``),
   else the configuration marked ``/v2/Configurations/Recording/Default`` (docs/compatibility.md).
4. Whatever is still unset takes Twilio's default for that method; they differ (docs/compatibility.md).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from phonograph.recording.compose import Layout
from phonograph.recording.configuration import (
    CompositionPolicy,
    RecordingConfiguration,
    RecordingStatusCallback,
)
from phonograph.recording.enums import CallbackMethod, Channels, RecordingEvent, Track, Trim
from phonograph.recording.state import ConfigurationNotFound, ConfigurationWithParameters, Source
from phonograph.store import AccountDefaultRepo, ConfigurationRepo

CONFIGURATION_TYPE = "Recording"


@dataclass(frozen=True)
class MethodDefaults:
    channels: Channels
    trim: Trim
    track: Track


# Twilio's defaults per start method (twilio.com/docs/voice/api/call-resource;
# twilio.com/docs/voice/api/recording; twilio.com/docs/voice/twiml/record, /dial, /conference, /recording;
# docs/compatibility.md).
DEFAULTS: dict[Source, MethodDefaults] = {
    Source.RECORD_VERB: MethodDefaults(Channels.MONO, Trim.TRIM_SILENCE, Track.INBOUND),
    Source.DIAL_VERB: MethodDefaults(Channels.MONO, Trim.DO_NOT_TRIM, Track.BOTH),
    Source.OUTBOUND_API: MethodDefaults(Channels.MONO, Trim.TRIM_SILENCE, Track.BOTH),
    Source.START_CALL_RECORDING_API: MethodDefaults(Channels.MONO, Trim.DO_NOT_TRIM, Track.BOTH),
    Source.START_CALL_RECORDING_TWIML: MethodDefaults(Channels.DUAL, Trim.TRIM_SILENCE, Track.BOTH),
    Source.CONFERENCE: MethodDefaults(Channels.MONO, Trim.TRIM_SILENCE, Track.BOTH),
    Source.START_CONFERENCE_RECORDING_API: MethodDefaults(Channels.MONO, Trim.TRIM_SILENCE, Track.BOTH),
}
CONFERENCE_SOURCES = (Source.CONFERENCE, Source.START_CONFERENCE_RECORDING_API)
DEFAULT_EVENTS = (RecordingEvent.COMPLETED,)

# The REST names of the programmatic parameters, for error messages (TwiML conflicts are refused
# by the parser, which names the attributes itself).
REST_NAMES = {
    "channels": "RecordingChannels",
    "trim": "Trim",
    "track": "RecordingTrack",
    "status_callback": "RecordingStatusCallback",
    "status_callback_method": "RecordingStatusCallbackMethod",
    "status_callback_events": "RecordingStatusCallbackEvent",
}


@dataclass(frozen=True)
class RecordingRequest:
    """What a start method was given; ``None`` = not given."""

    channels: Channels | None = None
    trim: Trim | None = None
    track: Track | None = None
    status_callback: str | None = None
    status_callback_method: CallbackMethod | None = None
    status_callback_events: tuple[RecordingEvent, ...] | None = None
    configuration_id: str | None = None

    def given(self) -> list[str]:
        """The programmatic parameters given, by field name."""
        return [
            field.name
            for field in fields(self)
            if field.name != "configuration_id" and getattr(self, field.name) is not None
        ]


@dataclass(frozen=True)
class RecordingPlan:
    source: Source
    layout: Layout
    trim: Trim
    status_callback: str | None
    status_callback_method: CallbackMethod
    status_callback_events: tuple[RecordingEvent, ...]
    configuration_id: str | None = None
    # The configuration's features: Transcription configuration ids, one batch transcription each.
    feature_ids: tuple[str, ...] = ()
    # ``<Record transcribe>``: a legacy transcription, posted to ``transcribe_callback``.
    transcribe: bool = False
    transcribe_callback: str | None = None

    def to_json(self) -> dict[str, Any]:
        """A JSON object that ``from_json`` reads back (a plan resolved now, used at answer time)."""
        return {
            "source": self.source.value,
            "track": self.layout.track.value,
            "channels": self.layout.channels.value,
            "trim": self.trim.value,
            "status_callback": self.status_callback,
            "status_callback_method": self.status_callback_method.value,
            "status_callback_events": [event.value for event in self.status_callback_events],
            "configuration_id": self.configuration_id,
            "feature_ids": list(self.feature_ids),
            "transcribe": self.transcribe,
            "transcribe_callback": self.transcribe_callback,
        }

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> RecordingPlan:
        return cls(
            source=Source(value["source"]),
            layout=Layout(track=Track(value["track"]), channels=Channels(value["channels"])),
            trim=Trim(value["trim"]),
            status_callback=value["status_callback"],
            status_callback_method=CallbackMethod(value["status_callback_method"]),
            status_callback_events=tuple(RecordingEvent(event) for event in value["status_callback_events"]),
            configuration_id=value["configuration_id"],
            feature_ids=tuple(value["feature_ids"]),
            # Plans stored before transcription existed have neither.
            transcribe=bool(value.get("transcribe", False)),
            transcribe_callback=value.get("transcribe_callback"),
        )


async def resolve_plan(
    session: AsyncSession, account_sid: str, source: Source, request: RecordingRequest
) -> RecordingPlan:
    given = request.given()
    configuration: RecordingConfiguration | None = None
    configuration_id = request.configuration_id
    if configuration_id is not None:
        if given:
            names = ", ".join(REST_NAMES[name] for name in given)
            raise ConfigurationWithParameters(
                f"RecordingConfigurationId cannot be combined with {names}: use one or the other"
            )
        found = await ConfigurationRepo(session).find(account_sid, CONFIGURATION_TYPE, configuration_id)
        if found is None:
            raise ConfigurationNotFound(f"Recording configuration {configuration_id!r} was not found")
        configuration_id = found.id
        configuration = RecordingConfiguration.model_validate(found.body)
    elif not given:
        configuration, configuration_id = await _account_default(session, account_sid)
    return _plan(source, request, configuration, configuration_id)


async def _account_default(
    session: AsyncSession, account_sid: str
) -> tuple[RecordingConfiguration | None, str | None]:
    inline = await AccountDefaultRepo(session).get(account_sid, CONFIGURATION_TYPE)
    if inline is not None:
        return RecordingConfiguration.model_validate(inline.body), None
    marked = await ConfigurationRepo(session).get_default(account_sid, CONFIGURATION_TYPE)
    if marked is not None:
        return RecordingConfiguration.model_validate(marked.body), marked.id
    return None, None


def _plan(
    source: Source,
    request: RecordingRequest,
    configuration: RecordingConfiguration | None,
    configuration_id: str | None,
) -> RecordingPlan:
    defaults = DEFAULTS[source]
    policy = (configuration and configuration.composition_policy) or CompositionPolicy()
    callback = _callback(source, configuration) or RecordingStatusCallback()
    channels = request.channels or policy.channels or defaults.channels
    track = request.track or policy.track or defaults.track
    if source is Source.RECORD_VERB:
        # <Record> always records the caller, on one channel (twilio.com/docs/voice/twiml/record).
        channels, track = Channels.MONO, Track.INBOUND
    return RecordingPlan(
        source=source,
        layout=Layout(track=track, channels=channels),
        trim=request.trim or policy.trim or defaults.trim,
        status_callback=request.status_callback or callback.url,
        status_callback_method=request.status_callback_method or callback.method or CallbackMethod.POST,
        status_callback_events=request.status_callback_events or tuple(callback.events or DEFAULT_EVENTS),
        configuration_id=configuration_id,
        feature_ids=tuple(configuration.feature_ids()) if configuration else (),
    )


def _callback(source: Source, configuration: RecordingConfiguration | None) -> RecordingStatusCallback | None:
    if configuration is None:
        return None
    if source in CONFERENCE_SOURCES:
        return configuration.conference_recording_status_callback
    return configuration.call_recording_status_callback
