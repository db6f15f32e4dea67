"""The pytest kit's audio analysis (phonograph.testing.audio), on audio with known content."""

from __future__ import annotations

import io
import math
import wave
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pytest

from phonograph.media import EspeakEngine, dtmf_clip
from phonograph.testing.audio import (
    Audio,
    active_spans,
    assert_dtmf,
    assert_duration,
    assert_no_speech,
    assert_silent,
    assert_speech,
    assert_tone,
    detect_dtmf,
    dominant_frequency_hz,
    has_speech,
    read_wav,
    rms_dbfs,
    silent_spans,
)

RATE = 8000


def sine(
    frequency_hz: float, seconds: float, rate: int = RATE, amplitude: float = 0.5
) -> npt.NDArray[np.int16]:
    t = np.arange(round(rate * seconds)) / rate
    return np.rint(amplitude * 32767 * np.sin(2 * np.pi * frequency_hz * t)).astype(np.int16)


def dual(
    low_hz: float, high_hz: float, seconds: float, rate: int = RATE, high_db: float = 0.0
) -> npt.NDArray[np.int16]:
    return sine(low_hz, seconds, rate, 0.3) + sine(high_hz, seconds, rate, 0.3 * 10 ** (high_db / 20))


def gap(seconds: float, rate: int = RATE) -> npt.NDArray[np.int16]:
    return np.zeros(round(rate * seconds), dtype=np.int16)


@pytest.mark.parametrize("width", [1, 2, 3, 4])
def test_read_wav_gives_channels_by_samples(width: int) -> None:
    left, right = sine(440, 0.1), sine(1000, 0.1)
    full = 2 ** (8 * width - 1)
    values = np.stack([left, right], axis=1).reshape(-1).astype(np.int64) * (full // 32768 or 1)
    if width == 1:
        raw = ((values >> 8) + 128).astype(np.uint8).tobytes()
    else:
        raw = b"".join(int(v).to_bytes(width, "little", signed=True) for v in values)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(width)
        wav.setframerate(16000)
        wav.writeframes(raw)
    samples, rate = read_wav(buffer.getvalue())
    assert rate == 16000
    assert samples.shape == (2, len(left))
    assert samples.dtype == np.int16
    tolerance = 256 if width == 1 else 0
    assert np.abs(samples[0].astype(int) - left).max() <= tolerance
    assert np.abs(samples[1].astype(int) - right).max() <= tolerance


@pytest.mark.parametrize(
    ("frequency_hz", "rate"), [(100.0, 8000), (697.5, 8000), (3000.0, 8000), (12345.0, 44100)]
)
def test_dominant_frequency(frequency_hz: float, rate: int) -> None:
    samples = sine(frequency_hz, 0.25, rate) + sine(frequency_hz * 1.7, 0.25, rate, 0.1)
    assert dominant_frequency_hz(samples, rate) == pytest.approx(frequency_hz, abs=0.5)


def test_rms_dbfs() -> None:
    assert rms_dbfs(sine(1000, 1.0, amplitude=1.0)) == pytest.approx(-3.01, abs=0.01)
    assert rms_dbfs(sine(1000, 1.0, amplitude=0.01)) == pytest.approx(-43.01, abs=0.05)
    assert rms_dbfs(gap(1.0)) == -math.inf
    assert rms_dbfs(np.zeros(0)) == -math.inf


def test_detect_dtmf_reads_made_by_hand_tones() -> None:
    # "1", "5", "5" (separated), "#" at 16 kHz with other levels and lengths.
    rate = 16000
    audio = np.concatenate([
        dual(697, 1209, 0.05, rate), gap(0.05, rate), dual(770, 1336, 0.2, rate), gap(0.03, rate),
        dual(770, 1336, 0.07, rate), dual(941, 1477, 0.1, rate, high_db=3), gap(0.1, rate),
    ])  # fmt: skip
    assert detect_dtmf(audio, rate) == "155#"


def test_detect_dtmf_rejects_what_is_not_dtmf() -> None:
    assert detect_dtmf(dual(697, 1209, 0.02), RATE) == ""  # one block: shorter than 40 ms
    assert detect_dtmf(dual(697, 1209, 0.2, high_db=-12), RATE) == ""  # too much twist
    assert detect_dtmf(dual(697, 1209, 0.2, high_db=6), RATE) == ""  # too much reverse twist
    assert detect_dtmf(sine(697, 0.2), RATE) == ""  # one tone only
    assert detect_dtmf(dual(697, 1209, 0.2) // 400, RATE) == ""  # below -45 dBFS
    noise = np.random.default_rng(5).normal(0, 4000, RATE).astype(np.int16)
    assert detect_dtmf(noise, RATE) == ""
    assert detect_dtmf(gap(1.0), RATE) == ""


def test_detect_dtmf_on_generated_clips_and_in_speech() -> None:
    assert detect_dtmf(dtmf_clip("0123456789*#ABCD").samples, RATE) == "0123456789*#ABCD"
    assert detect_dtmf(dtmf_clip("11w1", tone_ms=40, gap_ms=40).samples, RATE) == "111"
    speech = EspeakEngine().synthesize("Press one for sales or two for support.", "man", "en-US")
    assert detect_dtmf(speech, RATE) == ""
    mixed = speech.astype(np.int32)
    digits = dtmf_clip("42").samples
    mixed[RATE : RATE + len(digits)] += digits // 2
    assert detect_dtmf(np.clip(mixed, -32768, 32767), RATE) == "42"


def test_active_spans() -> None:
    audio = np.concatenate(
        [gap(0.25), sine(440, 0.5), gap(0.3), sine(440, 0.2, amplitude=0.001), sine(1000, 0.1)]
    )
    assert active_spans(audio, RATE) == [(0.25, 0.75), (1.25, 1.35)]
    assert active_spans(audio, RATE, threshold_dbfs=-80) == [(0.25, 0.75), (1.05, 1.35)]
    assert active_spans(gap(1.0), RATE) == []


def test_has_speech() -> None:
    speech = EspeakEngine().synthesize("Thank you for calling, goodbye.", "woman", "en-US")
    assert has_speech(speech, RATE)
    assert has_speech(np.concatenate([gap(2.0), speech, gap(2.0)]), RATE)
    assert not has_speech(speech // 1000, RATE)  # too quiet
    assert not has_speech(sine(440, 2.0), RATE)
    assert not has_speech(dtmf_clip("123456789*#0").samples, RATE)
    assert not has_speech(np.random.default_rng(9).normal(0, 3000, 2 * RATE), RATE)
    assert not has_speech(gap(2.0), RATE)


def test_the_kit_assertions_pass_on_what_the_audio_holds_and_fail_on_anything_else() -> None:
    speech = EspeakEngine().synthesize("Thank you for calling, goodbye.", "woman", "en-US")
    seconds = 2.0
    left = np.concatenate([sine(440, 0.5), gap(0.6), sine(440, seconds - 1.1)])
    right = np.zeros_like(left)
    right[: min(len(speech), len(left))] = speech[: len(left)]
    audio = Audio(np.stack([left, right]), RATE)
    assert (audio.channels, audio.duration_s) == (2, seconds)
    assert_duration(audio, 2.0)
    assert_tone(audio, 440)
    assert_speech(audio, channel=2)
    assert_no_speech(audio, channel=1)
    assert_silent(audio, 0.55, 1.05)
    assert silent_spans(audio, 1) == [(0.5, 1.1)]
    failing: list[Callable[[], None]] = [
        lambda: assert_duration(audio, 2.5),
        lambda: assert_tone(audio, 1000),
        lambda: assert_speech(audio, channel=1),
        lambda: assert_no_speech(audio, channel=2),
        lambda: assert_silent(audio, 0.0, 0.5),
        lambda: assert_dtmf(audio, "1"),
    ]
    for check in failing:
        with pytest.raises(AssertionError):
            check()
    with pytest.raises(ValueError, match="channel 3"):
        audio.channel(3)


def test_assert_dtmf_reads_the_digits_of_a_channel() -> None:
    digits = dtmf_clip("12#").samples
    audio = Audio(np.stack([np.zeros_like(digits), digits]), RATE)
    assert_dtmf(audio, "12#", channel=2)
    assert_dtmf(audio, "", channel=1)
    with pytest.raises(AssertionError, match="'12#'"):
        assert_dtmf(audio, "123", channel=2)
