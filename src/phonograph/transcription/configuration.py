"""The Transcription Configuration body (voice v2 ``voice.v2.configuration.transcription.configuration``).

Rules from the OpenAPI descriptions (twilio.com/docs/configurations/recording-configuration-resource): the
speech model must suit the engine; ``multi`` is a Deepgram-only language; ``participantDefaults`` maps
channels 1 and 2 exactly once each; a status callback URL or a conversation configuration id must be given.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from phonograph.core.wire import require_absolute_http_url

# BCP-47: a 2-3 letter language, then optional script/region/variant subtags.
_BCP47_RE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*")
MULTI_LANGUAGE = "multi"


class TranscriptionEngine(StrEnum):
    GOOGLE = "google"
    DEEPGRAM = "deepgram"
    TWILIO_MANAGED = "twilio_managed"


SPEECH_MODELS: dict[TranscriptionEngine, tuple[str, ...]] = {
    TranscriptionEngine.GOOGLE: ("chirp_2",),
    TranscriptionEngine.DEEPGRAM: ("nova-3", "nova-2"),
    TranscriptionEngine.TWILIO_MANAGED: ("twilio_managed",),
}


class ParticipantType(StrEnum):
    CUSTOMER = "CUSTOMER"
    HUMAN_AGENT = "HUMAN_AGENT"
    AI_AGENT = "AI_AGENT"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class TranscriptionStatusCallback(_Strict):
    url: Annotated[str, AfterValidator(require_absolute_http_url)] | None = None
    method: Literal["POST"] | None = None


class ParticipantDefault(_Strict):
    audio_channel_index: Literal[1, 2] = Field(alias="audioChannelIndex")
    type: ParticipantType


class TranscriptionConfiguration(_Strict):
    configuration_type: Literal["Transcription"] = Field(alias="configurationType")
    transcription_engine: TranscriptionEngine = Field(alias="transcriptionEngine")
    speech_model: str | None = Field(default=None, alias="speechModel")
    language: str
    transcription_status_callback: TranscriptionStatusCallback | None = Field(
        default=None, alias="transcriptionStatusCallback"
    )
    conversation_configuration_id: str | None = Field(
        default=None, alias="conversationConfigurationId", min_length=1
    )
    participant_defaults: list[ParticipantDefault] = Field(alias="participantDefaults")

    @model_validator(mode="after")
    def _check_rules(self) -> Self:
        engine = self.transcription_engine
        if self.speech_model is not None and self.speech_model not in SPEECH_MODELS[engine]:
            allowed = ", ".join(SPEECH_MODELS[engine])
            raise ValueError(
                f"speechModel {self.speech_model!r} does not suit engine {engine}: use {allowed}"
            )
        if self.language == MULTI_LANGUAGE:
            if engine is not TranscriptionEngine.DEEPGRAM:
                raise ValueError("language 'multi' is only available with transcriptionEngine 'deepgram'")
        elif _BCP47_RE.fullmatch(self.language) is None:
            raise ValueError(f"language {self.language!r} is not a BCP-47 code such as 'en-US'")
        channels = sorted(entry.audio_channel_index for entry in self.participant_defaults)
        if channels != [1, 2]:
            raise ValueError("participantDefaults must have exactly 2 entries, for audioChannelIndex 1 and 2")
        callback_url = self.transcription_status_callback and self.transcription_status_callback.url
        if not callback_url and self.conversation_configuration_id is None:
            raise ValueError("give transcriptionStatusCallback.url or conversationConfigurationId (or both)")
        return self
