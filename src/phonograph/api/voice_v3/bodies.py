"""The ``POST /v3/Transcriptions`` body and header, parsed at the edge
(twilio.com/docs/configurations/batch-transcription-quickstart).

The OpenAPI body is one of two shapes, told apart by ``inputSource`` and each with
``additionalProperties: false``:

- ``SOURCE_ID``: ``{transcriptionConfigurationId, inputSource, sourceId (≤64), participants (≤2)}``;
- ``MEDIA_URL``: ``{transcriptionConfigurationId, inputSource, mediaUrl, audioStartedAt, participants}``.

A ``sourceId`` must be a Recording SID; a ``mediaUrl`` an absolute ``http(s)`` URL, fetched when
the job runs; ``audioStartedAt`` (optional) an ISO 8601 date-time. A body with neither is 17500.
``inputSource`` may be left out: it is ``SOURCE_ID`` (``MEDIA_URL`` when a ``mediaUrl`` and no
``sourceId`` is given). The SDK sends ``null`` for every key the caller left out
(``CreateV3TranscriptionsRequest.to_dict``), so ``null`` means absent.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Request
from pydantic import BaseModel, ConfigDict, Field

from phonograph.api.voice_v2.validation import validate
from phonograph.core import InvalidParameter, is_sid, iso8601, parse_day_or_time
from phonograph.transcription import BatchSource, MissingSource, TranscriptionConfigurationNotFound
from phonograph.transcription.configuration import ParticipantType

SOURCE_ID = "SOURCE_ID"
MEDIA_URL = "MEDIA_URL"
INPUT_SOURCES = (SOURCE_ID, MEDIA_URL)
SOURCE_ID_MAX_CHARS = 64
MAX_PARTICIPANTS = 2
MEDIA_URL_MAX_CHARS = 2048  # the column's size, as for every URL phonograph stores
MEDIA_URL_SCHEMES = ("http", "https")
IDEMPOTENCY_KEY_HEADER = "Idempotency-Key"
IDEMPOTENCY_KEY_MAX_CHARS = 128
# The OpenAPI pattern of transcriptionConfigurationId; E-17501 names this format.
CONFIGURATION_ID_RE = re.compile(r"voice_transcriptionconfiguration_[0-9a-z]{26}")


class ParticipantBody(BaseModel):
    """``voice.v3.transcription.Participant``: only ``audioChannelIndex`` is required."""

    model_config = ConfigDict(extra="forbid", strict=True)

    # JSON has no enums: the type arrives as a string and is matched by value.
    type: Annotated[ParticipantType | None, Field(strict=False)] = None
    address: str | None = None
    name: str | None = None
    audio_channel_index: int = Field(alias="audioChannelIndex", ge=1, le=MAX_PARTICIPANTS)


class CreateTranscriptionBody(BaseModel):
    """The union of both shapes' keys; which of them may be given is checked after parsing."""

    model_config = ConfigDict(extra="forbid", strict=True)

    transcription_configuration_id: str = Field(alias="transcriptionConfigurationId")
    input_source: str | None = Field(default=None, alias="inputSource")
    source_id: str | None = Field(default=None, alias="sourceId", max_length=SOURCE_ID_MAX_CHARS)
    participants: list[ParticipantBody] | None = Field(default=None, max_length=MAX_PARTICIPANTS)
    media_url: str | None = Field(default=None, alias="mediaUrl")
    audio_started_at: str | None = Field(default=None, alias="audioStartedAt")


@dataclass(frozen=True)
class BatchRequest:
    """A valid request: what the transcription service needs, and ``body``, the request in
    canonical form (nulls dropped, ``inputSource`` filled in, ``audioStartedAt`` in UTC) to compare
    a replayed ``Idempotency-Key`` with."""

    configuration_id: str
    source: BatchSource
    participants: list[dict[str, Any]]
    body: dict[str, Any]


def _input_source(body: CreateTranscriptionBody) -> str:
    source = body.input_source
    if source is None:
        return MEDIA_URL if body.source_id is None and body.media_url is not None else SOURCE_ID
    if source not in INPUT_SOURCES:
        raise InvalidParameter(f"Invalid 'inputSource': must be SOURCE_ID or MEDIA_URL; got {source!r}")
    return source


def _participants(body: CreateTranscriptionBody) -> list[dict[str, Any]]:
    participants = body.participants or []
    channels = [participant.audio_channel_index for participant in participants]
    if len(set(channels)) != len(channels):
        raise InvalidParameter("Invalid 'participants': each audioChannelIndex may appear only once")
    return [
        {
            "type": None if participant.type is None else participant.type.value,
            "address": participant.address,
            "name": participant.name,
            "audioChannelIndex": participant.audio_channel_index,
        }
        for participant in sorted(participants, key=lambda item: item.audio_channel_index)
    ]


def _media_url(value: str) -> str:
    parts = urllib.parse.urlsplit(value)
    if len(value) > MEDIA_URL_MAX_CHARS or parts.scheme.lower() not in MEDIA_URL_SCHEMES or not parts.netloc:
        raise InvalidParameter(
            f"Invalid 'mediaUrl': must be an absolute http or https URL of at most"
            f" {MEDIA_URL_MAX_CHARS} characters; got {value[:100]!r}"
        )
    return value


def _audio_started_at(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment, whole_day = parse_day_or_time(value)
    except ValueError:
        whole_day = True
    if whole_day:
        raise InvalidParameter(
            f"Invalid 'audioStartedAt': must be an ISO 8601 date-time such as 2026-01-01T10:00:00Z;"
            f" got {value!r}"
        )
    return moment


def _source(body: CreateTranscriptionBody) -> tuple[BatchSource, dict[str, Any]]:
    """What the request transcribes, and its canonical keys."""
    if body.source_id is None and body.media_url is None:
        raise MissingSource("Missing sourceId or mediaUrl: give one (a Recording SID, or a media URL)")
    if _input_source(body) == MEDIA_URL:
        if body.source_id is not None:
            raise InvalidParameter("Invalid 'sourceId': is not a field of a MEDIA_URL request")
        assert body.media_url is not None  # one of the two is given
        started = _audio_started_at(body.audio_started_at)
        canonical: dict[str, Any] = {"inputSource": MEDIA_URL, "mediaUrl": _media_url(body.media_url)}
        if started is not None:
            canonical["audioStartedAt"] = iso8601(started)
        return BatchSource(media_url=body.media_url, audio_started_at=started), canonical
    for name, value in (("mediaUrl", body.media_url), ("audioStartedAt", body.audio_started_at)):
        if value is not None:
            raise InvalidParameter(f"Invalid '{name}': is not a field of a SOURCE_ID request")
    assert body.source_id is not None  # one of the two is given, and not mediaUrl
    if not is_sid(body.source_id, "RE"):
        raise InvalidParameter(
            f"Invalid 'sourceId': phonograph transcribes recordings; give a Recording SID (RE…),"
            f" not {body.source_id!r}"
        )
    return BatchSource(recording_sid=body.source_id), {"inputSource": SOURCE_ID, "sourceId": body.source_id}


def batch_request(data: dict[str, Any]) -> BatchRequest:
    """The parsed body, or the error that names what is wrong with it."""
    body = validate(CreateTranscriptionBody, data)
    if CONFIGURATION_ID_RE.fullmatch(body.transcription_configuration_id) is None:
        raise TranscriptionConfigurationNotFound(
            f"Invalid 'transcriptionConfigurationId': {body.transcription_configuration_id!r} is not"
            " voice_transcriptionconfiguration_ followed by 26 lowercase letters and digits"
        )
    source, keys = _source(body)
    participants = _participants(body)
    canonical: dict[str, Any] = {"transcriptionConfigurationId": body.transcription_configuration_id, **keys}
    if body.participants is not None:
        canonical["participants"] = [
            {name: value for name, value in participant.items() if value is not None}
            for participant in participants
        ]
    return BatchRequest(body.transcription_configuration_id, source, participants, canonical)


def idempotency_key(request: Request) -> str | None:
    """The ``Idempotency-Key`` header (1 to 128 characters; the OpenAPI suggests a UUIDv7)."""
    key = request.headers.get(IDEMPOTENCY_KEY_HEADER)
    if key is None:
        return None
    if not key or len(key) > IDEMPOTENCY_KEY_MAX_CHARS:
        raise InvalidParameter(
            f"Invalid '{IDEMPOTENCY_KEY_HEADER}' header: must be 1 to {IDEMPOTENCY_KEY_MAX_CHARS} characters"
        )
    return key
