"""Who may transcribe what: the checks a job passes when it is created through the API (an error
is the HTTP answer) and again when a worker is about to run it (an error fails the job).

- PCI mode refuses every transcription; HIPAA accounts may not use batch transcription (17531;
  twilio.com/docs/voice/pci-workflows). Twilio applies PCI to "native" transcription of every kind. A
  recording made while PCI mode was on stays refused after it is turned off, as a third-party live test saw
  Twilio do.
- The recording must be completed with media (17533).
- Batch: the recording must be dual-channel (17533: Twilio refuses mono media) and at least 2 s
  long (17554). ``<Record transcribe>``: 2 to 120 s (13617;
  twilio.com/docs/voice/api/recording-transcription). phonograph's own ``cli`` create has no limit on length
  or channels.
- A v3 ``mediaUrl``'s audio (mono or two channels) must last 2 s (17554); it is checked once the
  worker has fetched it.

Lengths are the recording's ``duration`` (whole seconds), the number its owner sees.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from phonograph.store import Account, Recording
from phonograph.transcription.configuration import TranscriptionConfiguration
from phonograph.transcription.state import (
    ComplianceRefused,
    MediaTooShort,
    Origin,
    OutOfTranscribeRange,
    RecordingNotEligible,
    TranscriptionKind,
)

COMPLETED = "completed"
BATCH_MIN_S = 2
LEGACY_MIN_S = 2
LEGACY_MAX_S = 120
DUAL_CHANNELS = 2
LEGACY_LANGUAGE = "en-US"
"""Twilio's ``<Record transcribe>`` transcribes English only
(twilio.com/docs/voice/api/recording-transcription)."""
TRANSCRIPTION_CONFIGURATION = "Transcription"
"""The v2 configuration type a ``transcriptionConfigurationId`` names."""

Participant = dict[str, Any]


def check_account(account: Account, kind: TranscriptionKind) -> None:
    """17531 for a PCI account (any kind) or a HIPAA account (batch)."""
    if account.pci_mode:
        raise ComplianceRefused(
            f"Transcription is not available: account {account.sid} is in PCI mode"
            " (https://www.twilio.com/docs/voice/pci-workflows)"
        )
    if account.hipaa and kind is TranscriptionKind.BATCH:
        raise ComplianceRefused(f"Batch Transcription is not available: account {account.sid} is HIPAA")


def check_recording(
    recording: Recording | None, kind: TranscriptionKind, origin: Origin, recording_sid: str
) -> Recording:
    """The recording, when it may be transcribed as ``kind`` for ``origin``; else the error."""
    if recording is None:
        raise RecordingNotEligible(f"Recording {recording_sid} does not exist in this account")
    if recording.pci_mode:
        raise ComplianceRefused(
            f"Recording {recording_sid} was made while its account was in PCI mode: it is never"
            " transcribed (twilio.com/docs/voice/pci-workflows)"
        )
    if recording.status != COMPLETED or recording.media_key is None:
        raise RecordingNotEligible(
            f"Recording {recording_sid} is {recording.status}: only a completed recording with media"
            " can be transcribed"
        )
    duration_s = recording.duration_s or 0
    if kind is TranscriptionKind.BATCH:
        if recording.channels != DUAL_CHANNELS:
            raise RecordingNotEligible(
                f"Recording {recording_sid} is mono: Batch Transcription needs a dual-channel recording"
            )
        if duration_s < BATCH_MIN_S:
            raise MediaTooShort(
                f"Recording {recording_sid} lasts {duration_s} s: Batch Transcription needs at least"
                f" {BATCH_MIN_S} s"
            )
    if origin is Origin.RECORD_VERB and not LEGACY_MIN_S <= duration_s <= LEGACY_MAX_S:
        raise OutOfTranscribeRange(
            f"Recording {recording_sid} lasts {duration_s} s: <Record transcribe> transcribes"
            f" recordings of {LEGACY_MIN_S} to {LEGACY_MAX_S} seconds"
        )
    return recording


def check_media_length(duration_s: float, media_url: str) -> None:
    """17554 for a ``mediaUrl`` shorter than Batch Transcription's 2 s."""
    if duration_s < BATCH_MIN_S:
        raise MediaTooShort(
            f"The media at {media_url} lasts {duration_s:.2f} s: Batch Transcription needs at least"
            f" {BATCH_MIN_S} s"
        )


def check(
    account: Account,
    recording: Recording | None,
    kind: TranscriptionKind,
    origin: Origin,
    recording_sid: str,
) -> Recording:
    """Every rule, the account's first."""
    check_account(account, kind)
    return check_recording(recording, kind, origin, recording_sid)


def parse_configuration(body: Mapping[str, Any]) -> TranscriptionConfiguration:
    """A stored Transcription configuration body (camelCase, as the v2 API stored it)."""
    return TranscriptionConfiguration.model_validate(dict(body))


def participants(
    requested: Sequence[Mapping[str, Any]], configuration: TranscriptionConfiguration
) -> list[Participant]:
    """One participant per channel, ordered by ``audioChannelIndex``: what the request says about
    the channel, filled in from the configuration's ``participantDefaults``."""
    given = {int(entry["audioChannelIndex"]): entry for entry in requested if "audioChannelIndex" in entry}
    resolved: list[Participant] = []
    for default in sorted(configuration.participant_defaults, key=lambda entry: entry.audio_channel_index):
        channel = default.audio_channel_index
        entry = given.get(channel, {})
        resolved.append(
            {
                "type": entry.get("type") or default.type.value,
                "address": entry.get("address"),
                "name": entry.get("name"),
                "audioChannelIndex": channel,
            }
        )
    return resolved


def callback_url(resolved_configuration: Mapping[str, Any] | None) -> str | None:
    """The configuration's ``transcriptionStatusCallback.url``, if it has one."""
    if not resolved_configuration:
        return None
    callback = resolved_configuration.get("transcriptionStatusCallback") or {}
    url = callback.get("url") if isinstance(callback, Mapping) else None
    return str(url) if url else None
