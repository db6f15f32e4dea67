"""A recording's WAV → float32 16 kHz channels, checked by analysing the audio."""

from __future__ import annotations

import numpy as np
import pytest

from phonograph.transcription import RecordingNotEligible
from phonograph.transcription.audio import decode_wav
from tests.unit.transcription.support import tone, wav_bytes


def _dominant_hz(samples: np.ndarray, rate_hz: int = 16_000) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.argmax(spectrum) * rate_hz / len(samples))


def test_a_dual_recording_becomes_two_16k_channels_in_order() -> None:
    audio = decode_wav(wav_bytes([tone(2.0, 440.0), tone(2.0, 1000.0)]))
    assert len(audio.channels) == 2
    assert audio.duration_s == 2.0
    assert audio.whole_seconds == 2
    for channel, hz in zip(audio.channels, (440.0, 1000.0), strict=True):
        assert channel.dtype == np.float32
        assert len(channel) == 32_000
        assert abs(_dominant_hz(channel) - hz) < 2
        # 8000 of 32768 full scale.
        assert 0.23 < float(np.max(np.abs(channel))) < 0.26


def test_a_mono_recording_and_its_length_rounded_half_up_as_a_recordings_is() -> None:
    audio = decode_wav(wav_bytes([tone(1.25)]))
    assert len(audio.channels) == 1
    assert len(audio.channels[0]) == 20_000
    assert (audio.duration_s, audio.whole_seconds) == (1.25, 1)
    assert decode_wav(wav_bytes([tone(1.5)])).whole_seconds == 2


def test_other_rates_are_resampled() -> None:
    audio = decode_wav(wav_bytes([tone(1.0, 440.0, rate_hz=48_000)], rate_hz=48_000))
    assert len(audio.channels[0]) == 16_000
    assert abs(_dominant_hz(audio.channels[0]) - 440.0) < 2


def test_an_empty_wav_has_no_samples() -> None:
    audio = decode_wav(wav_bytes([np.zeros(0, np.int16)]))
    assert (len(audio.channels[0]), audio.whole_seconds) == (0, 0)


@pytest.mark.parametrize("data", [b"", b"RIFF....WAVEjunk", b"not a wav at all"])
def test_unreadable_media_is_17533(data: bytes) -> None:
    with pytest.raises(RecordingNotEligible) as refused:
        decode_wav(data)
    assert refused.value.code == 17533


def test_8_bit_media_is_refused() -> None:
    import io
    import wave

    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(1)
        writer.setframerate(8000)
        writer.writeframes(bytes(800))
    with pytest.raises(RecordingNotEligible, match="16-bit PCM"):
        decode_wav(out.getvalue())
