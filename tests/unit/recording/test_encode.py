"""Encoding: WAV parsed back by the stdlib ``wave`` module, MP3 decoded by miniaudio and checked
by channel count, rate, duration, bit rate and which tone each channel holds."""

from __future__ import annotations

import io
import wave
from collections.abc import Callable

import miniaudio
import numpy as np
import numpy.typing as npt
import pytest

from phonograph.recording.encode import (
    MP3_CONTENT_TYPE,
    WAV_CONTENT_TYPE,
    encode_mp3,
    encode_wav,
)
from phonograph.testing.audio import dominant_frequency_hz, read_wav, rms_dbfs

RATE_HZ = 8000
LAME_DELAY_SAMPLES = 576 + 529  # LAME's encoder delay, left in: the stream has no info tag
MP3_FRAME_SAMPLES = 576  # MPEG 2.5 layer III
Int16s = npt.NDArray[np.int16]


def sine(frequency_hz: float, count: int, amplitude: int = 8000) -> Int16s:
    t = np.arange(count) / RATE_HZ
    samples: Int16s = np.rint(amplitude * np.sin(2 * np.pi * frequency_hz * t)).astype(np.int16)
    return samples


def dual(first: Int16s, second: Int16s) -> Int16s:
    return np.stack([first, second], axis=1)


def decode_mp3(data: bytes) -> tuple[Int16s, int]:
    """Samples shaped (n, channels) at the file's own rate and channel count, and that rate."""
    decoded = miniaudio.mp3_read_s16(data)
    samples = np.frombuffer(decoded.samples, dtype=np.int16).reshape(-1, decoded.nchannels)
    return samples, int(decoded.sample_rate)


def test_content_types() -> None:
    assert WAV_CONTENT_TYPE == "audio/x-wav"
    assert MP3_CONTENT_TYPE == "audio/mpeg"


@pytest.mark.parametrize("channels", [1, 2])
def test_wav_parses_with_the_stdlib_and_round_trips(channels: int) -> None:
    samples = np.random.default_rng(channels).integers(-32768, 32768, size=(1234, channels)).astype(np.int16)
    data = encode_wav(samples)
    assert len(data) == 44 + samples.nbytes
    with wave.open(io.BytesIO(data), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (channels, 2, RATE_HZ)
        assert wav.getnframes() == len(samples)
        raw = wav.readframes(len(samples))
    np.testing.assert_array_equal(np.frombuffer(raw, dtype="<i2").reshape(-1, channels), samples)
    values, rate = read_wav(data)
    assert rate == RATE_HZ
    np.testing.assert_array_equal(values.T, samples)


def test_wav_header_fields() -> None:
    data = encode_wav(np.zeros((10, 2), dtype=np.int16))
    assert data[:4] == b"RIFF"
    assert data[8:16] == b"WAVEfmt "
    assert int.from_bytes(data[4:8], "little") == len(data) - 8
    assert int.from_bytes(data[28:32], "little") == RATE_HZ * 2 * 2  # byte rate
    assert data[36:40] == b"data"
    assert int.from_bytes(data[40:44], "little") == 40


def test_wav_accepts_a_non_contiguous_view() -> None:
    samples = np.arange(40, dtype=np.int16).reshape(-1, 2)
    data = encode_wav(samples[::2, :1])
    with wave.open(io.BytesIO(data), "rb") as wav:
        raw = wav.readframes(wav.getnframes())
    assert np.frombuffer(raw, dtype="<i2").tolist() == list(range(0, 40, 4))


def test_empty_wav_is_a_header() -> None:
    data = encode_wav(np.zeros((0, 1), dtype=np.int16))
    assert len(data) == 44
    with wave.open(io.BytesIO(data), "rb") as wav:
        assert wav.getnframes() == 0


@pytest.mark.parametrize("encode", [encode_wav, encode_mp3])
def test_flat_samples_are_refused(encode: Callable[[Int16s], bytes]) -> None:
    with pytest.raises(ValueError, match="shaped"):
        encode(np.zeros(10, dtype=np.int16))


def test_mp3_refuses_three_channels() -> None:
    with pytest.raises(ValueError, match="one or two channels"):
        encode_mp3(np.zeros((10, 3), dtype=np.int16))


def test_dual_mp3_keeps_each_channels_tone() -> None:
    count = 2 * RATE_HZ
    samples, rate = decode_mp3(encode_mp3(dual(sine(1000, count), sine(400, count))))
    assert rate == RATE_HZ
    assert samples.shape[1] == 2
    body = samples[LAME_DELAY_SAMPLES : LAME_DELAY_SAMPLES + count]
    assert dominant_frequency_hz(body[:, 0], RATE_HZ) == pytest.approx(1000, abs=3)
    assert dominant_frequency_hz(body[:, 1], RATE_HZ) == pytest.approx(400, abs=3)


def test_dual_mp3_keeps_a_silent_channel_silent() -> None:
    count = 2 * RATE_HZ
    samples, _ = decode_mp3(encode_mp3(dual(sine(1000, count), np.zeros(count, dtype=np.int16))))
    assert rms_dbfs(samples[:, 0]) > -20
    assert rms_dbfs(samples[:, 1]) < -70


@pytest.mark.parametrize(("channels", "bit_rate_bps"), [(1, 32000), (2, 64000)])
def test_mp3_duration_rate_and_bit_rate(channels: int, bit_rate_bps: int) -> None:
    count = 3 * RATE_HZ + 123
    samples = np.repeat(sine(700, count)[:, None], channels, axis=1)
    data = encode_mp3(samples)
    decoded, rate = decode_mp3(data)
    assert rate == RATE_HZ
    assert decoded.shape[1] == channels
    # Decoded length: the input, LAME's delay in front, padding to a whole frame behind.
    assert count + LAME_DELAY_SAMPLES <= len(decoded) < count + LAME_DELAY_SAMPLES + 2 * MP3_FRAME_SAMPLES
    assert len(decoded) % MP3_FRAME_SAMPLES == 0
    assert len(data) * 8 * RATE_HZ / len(decoded) == pytest.approx(bit_rate_bps, rel=0.02)
    assert dominant_frequency_hz(decoded[:, 0], RATE_HZ) == pytest.approx(700, abs=3)


def test_mono_mp3_survives_full_scale_input() -> None:
    square = np.resize(np.array([32767] * 10 + [-32768] * 10, dtype=np.int16), RATE_HZ)
    decoded, _ = decode_mp3(encode_mp3(square[:, None]))
    assert dominant_frequency_hz(decoded[:, 0], RATE_HZ) == pytest.approx(400, abs=3)


def test_long_input_spans_several_encoder_blocks() -> None:
    # Longer than one 589,824-frame block handed to LAME: the blocks must join without a seam.
    count = 600_000
    samples = sine(1000, count)[:, None]
    decoded, _ = decode_mp3(encode_mp3(samples))
    body = decoded[LAME_DELAY_SAMPLES : LAME_DELAY_SAMPLES + count, 0].astype(np.float64)
    seam = 576 * 1024
    around = body[seam - 4000 : seam + 4000]
    error = around - samples[seam - 4000 : seam + 4000, 0]
    assert rms_dbfs(error) < rms_dbfs(around) - 15


@pytest.mark.parametrize("channels", [1, 2])
def test_empty_mp3_is_two_silent_frames(channels: int) -> None:
    data = encode_mp3(np.zeros((0, channels), dtype=np.int16))
    assert data[:2] == b"\xff\xe3"  # frame sync, MPEG 2.5 layer III
    decoded, rate = decode_mp3(data)
    assert rate == RATE_HZ
    assert decoded.shape == (2 * MP3_FRAME_SAMPLES, channels)
    assert not decoded.any()
