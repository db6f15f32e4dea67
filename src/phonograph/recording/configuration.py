"""The Recording Configuration body (voice v2 ``voice.v2.configuration.recording.configuration``).

Parsed at the API edge; stored as its JSON form with absent (null) fields dropped; read back
here when a recording resolves its parameters. The spec defines no defaults for these fields
(docs/compatibility.md), so none are filled in: absent stays absent, and each start method supplies its own.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from phonograph.core.wire import require_absolute_http_url
from phonograph.recording.enums import CallbackMethod, Channels, RecordingEvent, Track, Trim

MAX_FEATURES = 3


def _distinct_events(events: list[RecordingEvent]) -> list[RecordingEvent]:
    if not events:
        raise ValueError("must name at least one event (leave it out for the default)")
    if len(set(events)) != len(events):
        raise ValueError("must not repeat an event")
    return events


HttpUrl = Annotated[str, AfterValidator(require_absolute_http_url)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class CompositionPolicy(_Strict):
    channels: Channels | None = None
    trim: Trim | None = None
    track: Track | None = None


class RecordingStatusCallback(_Strict):
    url: HttpUrl | None = None
    method: CallbackMethod | None = None
    events: Annotated[list[RecordingEvent], AfterValidator(_distinct_events)] | None = None


class Feature(_Strict):
    type: Literal["transcriptionConfiguration"]
    feature_id: str = Field(alias="featureId", min_length=1)
    description: str | None = None


class RecordingConfiguration(_Strict):
    configuration_type: Literal["Recording"] = Field(alias="configurationType")
    composition_policy: CompositionPolicy | None = Field(default=None, alias="compositionPolicy")
    call_recording_status_callback: RecordingStatusCallback | None = Field(
        default=None, alias="callRecordingStatusCallback"
    )
    conference_recording_status_callback: RecordingStatusCallback | None = Field(
        default=None, alias="conferenceRecordingStatusCallback"
    )
    features: list[Feature] | None = Field(default=None, max_length=MAX_FEATURES)

    def feature_ids(self) -> list[str]:
        return [feature.feature_id for feature in self.features or []]
