"""The configuration types served under ``/v2/Configurations/{Type}`` and how each is checked."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from phonograph.core import NotFound
from phonograph.recording import RecordingConfiguration
from phonograph.store import DESCRIPTION_MAX_CHARS
from phonograph.transcription import TranscriptionConfiguration


@dataclass(frozen=True)
class ConfigurationType:
    name: str
    id_prefix: str
    body: type[BaseModel]
    has_account_default: bool


RECORDING = ConfigurationType("Recording", "voice_recordingconfiguration", RecordingConfiguration, True)
TRANSCRIPTION = ConfigurationType(
    "Transcription", "voice_transcriptionconfiguration", TranscriptionConfiguration, False
)
TYPES = {kind.name: kind for kind in (RECORDING, TRANSCRIPTION)}


def configuration_type(name: str) -> ConfigurationType:
    kind = TYPES.get(name)
    if kind is None:
        raise NotFound(f"Unknown configuration type {name!r}: use {' or '.join(TYPES)}")
    return kind


class _Envelope(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ConfigurationRequest(_Envelope):
    """Create and PUT body of a named configuration; the SDK sends null for what it leaves out."""

    unique_name: str | None = None
    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX_CHARS)
    configuration: dict[str, Any]


class AccountDefaultRequest(_Envelope):
    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX_CHARS)
    configuration: dict[str, Any]


class DefaultPointerRequest(_Envelope):
    configuration_id: str
