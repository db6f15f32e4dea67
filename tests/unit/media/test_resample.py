"""Resampling to 8 kHz: length, pitch, scale, clipping and anti-aliasing."""

from __future__ import annotations

import numpy as np
import pytest

from phonograph.media import SAMPLE_RATE_HZ, resample
from phonograph.testing.audio import dominant_frequency_hz, rms_dbfs


def sine(frequency_hz: float, rate_hz: int, seconds: float, amplitude: float = 0.5) -> np.ndarray:
    t = np.arange(round(rate_hz * seconds)) / rate_hz
    return (amplitude * np.sin(2 * np.pi * frequency_hz * t)).astype(np.float32)


@pytest.mark.parametrize("rate_hz", [8000, 11025, 16000, 22050, 44100, 48000])
def test_float_input_keeps_length_and_pitch(rate_hz: int) -> None:
    pcm = resample(sine(1000, rate_hz, 1.0), rate_hz)
    assert pcm.dtype == np.int16
    assert len(pcm) == SAMPLE_RATE_HZ
    assert dominant_frequency_hz(pcm, SAMPLE_RATE_HZ) == pytest.approx(1000, abs=1)
    assert rms_dbfs(pcm[800:-800]) == pytest.approx(-9.03, abs=0.1)


def test_int16_input_is_scaled_as_int16() -> None:
    pcm16k = (sine(500, 16000, 0.5) * 32768).astype(np.int16)
    pcm = resample(pcm16k, 16000)
    assert len(pcm) == 4000
    assert rms_dbfs(pcm[400:-400]) == pytest.approx(rms_dbfs(pcm16k), abs=0.1)


def test_same_rate_only_converts() -> None:
    floats = np.array([0.0, 0.5, -0.5, 1.0, -1.0, 2.0], dtype=np.float32)
    assert resample(floats, 8000).tolist() == [0, 16384, -16384, 32767, -32768, 32767]


def test_overshoot_is_clipped() -> None:
    pcm = resample(sine(440, 44100, 0.2, amplitude=1.6), 44100)
    assert pcm.max() == 32767
    assert pcm.min() == -32768


def test_content_above_4_khz_is_filtered_out() -> None:
    pcm = resample(sine(5000, 44100, 0.5), 44100)
    assert rms_dbfs(pcm[400:-400]) < -60  # the abrupt start and end are broadband clicks


def test_empty_and_invalid() -> None:
    assert len(resample(np.zeros(0, dtype=np.float32), 44100)) == 0
    with pytest.raises(ValueError, match="positive"):
        resample(np.zeros(10, dtype=np.float32), 0)
