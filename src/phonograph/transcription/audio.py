"""Audio as the engine takes it: one float32 16 kHz array per channel.

Recordings are stored as 16-bit PCM WAV, 8 kHz, mono or dual (recording/encode.py); ``decode_wav``
reads any 16-bit PCM WAV with the standard library, without importing the recording room. A v3
``mediaUrl`` may be any WAV or MP3 the media room decodes, of one or two channels
(``decode_media``).
"""

from __future__ import annotations

import io
import math
import wave
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from phonograph.media import Pcm, UnsupportedAudio, decode_channels, resample
from phonograph.transcription.engine import STT_SAMPLE_RATE_HZ, Samples16k
from phonograph.transcription.state import RecordingNotEligible

_INT16_FULL_SCALE = 32768.0
_PCM16_BYTES = 2
MAX_MEDIA_CHANNELS = 2
"""Mono, stereo or dual-channel media (the v3 participants' ``audioChannelIndex`` is 1 or 2)."""


@dataclass(frozen=True)
class RecordingAudio:
    """The channels (index 0 is ``audioChannelIndex`` 1) at 16 kHz, and the length of the media."""

    channels: tuple[Samples16k, ...]
    duration_s: float

    @property
    def whole_seconds(self) -> int:
        """The duration in whole seconds, rounded half up as a recording's ``duration`` is
        (recording/compose.py), so a recording and its transcription state the same length."""
        return math.floor(self.duration_s + 0.5)


def decode_wav(data: bytes) -> RecordingAudio:
    """The channels of a 16-bit PCM WAV file; ``RecordingNotEligible`` (17533) for anything else."""
    try:
        with wave.open(io.BytesIO(data), "rb") as reader:
            channel_count = reader.getnchannels()
            width = reader.getsampwidth()
            rate_hz = reader.getframerate()
            frames = reader.readframes(reader.getnframes())
    except (wave.Error, EOFError) as exc:
        raise RecordingNotEligible(f"The recording's media is not a readable WAV file ({exc})") from exc
    if width != _PCM16_BYTES or channel_count < 1:
        raise RecordingNotEligible(
            f"The recording's media is {8 * width}-bit with {channel_count} channels: 16-bit PCM expected"
        )
    usable = len(frames) - len(frames) % (_PCM16_BYTES * channel_count)
    interleaved = np.frombuffer(frames[:usable], dtype="<i2").reshape(-1, channel_count)
    channels = tuple(_to_16k(interleaved[:, index], rate_hz) for index in range(channel_count))
    return RecordingAudio(channels, len(interleaved) / rate_hz)


def decode_media(data: bytes) -> RecordingAudio:
    """The channels of a WAV or MP3 file; ``UnsupportedAudio`` (12300) for anything else, and for
    more than ``MAX_MEDIA_CHANNELS`` channels."""
    decoded = decode_channels(data)
    if len(decoded.channels) > MAX_MEDIA_CHANNELS:
        raise UnsupportedAudio(
            f"The media has {len(decoded.channels)} channels: Batch Transcription takes mono or"
            f" {MAX_MEDIA_CHANNELS}-channel audio"
        )
    channels = tuple(_to_16k(channel, decoded.rate_hz) for channel in decoded.channels)
    return RecordingAudio(channels, len(decoded.channels[0]) / decoded.rate_hz)


def _to_16k(channel: Pcm | npt.NDArray[np.float32], rate_hz: int) -> Samples16k:
    pcm = resample(channel, rate_hz, STT_SAMPLE_RATE_HZ)
    samples: Samples16k = pcm.astype(np.float32) / np.float32(_INT16_FULL_SCALE)
    return samples
