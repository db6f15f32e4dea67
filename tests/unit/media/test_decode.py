"""Decoding ``<Play>`` media: WAV in its common encodings and MP3, checked by duration and pitch of
the 8 kHz result; everything else raises UnsupportedAudio (Twilio 12300)."""

from __future__ import annotations

import io
import struct
import wave
from collections.abc import Callable

import lameenc
import numpy as np
import numpy.typing as npt
import pytest

from phonograph.core.errors import PhonographError
from phonograph.media import SAMPLE_RATE_HZ, UnsupportedAudio, decode_audio, decode_channels
from phonograph.testing.audio import dominant_frequency_hz, rms_dbfs
from tests.unit.media.test_g711 import linear2alaw, linear2ulaw

TONE_HZ = 440.0
Floats = npt.NDArray[np.float64]


def sine(rate_hz: int, seconds: float = 1.0, frequency_hz: float = TONE_HZ, amplitude: float = 0.5) -> Floats:
    t = np.arange(round(rate_hz * seconds)) / rate_hz
    return amplitude * np.sin(2 * np.pi * frequency_hz * t)


def interleave(channels: list[Floats]) -> Floats:
    return np.stack(channels, axis=1).reshape(-1)


def pcm_wav(channels: list[Floats], rate_hz: int, width: int) -> bytes:
    """A PCM WAV written by the stdlib ``wave`` module (8-bit unsigned, 16/24/32-bit signed)."""
    values = interleave(channels)
    if width == 1:
        raw = np.clip(np.rint(values * 128) + 128, 0, 255).astype(np.uint8).tobytes()
    else:
        full_scale = 2 ** (8 * width - 1)
        ints = np.clip(np.rint(values * full_scale), -full_scale, full_scale - 1).astype("<i8")
        raw = b"".join(int(v).to_bytes(width, "little", signed=True) for v in ints)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(len(channels))
        wav.setsampwidth(width)
        wav.setframerate(rate_hz)
        wav.writeframes(raw)
    return buffer.getvalue()


def riff(fmt_body: bytes, data: bytes, *, data_size: int | None = None, extra: bytes = b"") -> bytes:
    """A WAV with a hand-written header, for the encodings ``wave`` cannot write."""
    size = len(data) if data_size is None else data_size
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt_body)) + fmt_body + extra
    body += b"data" + struct.pack("<I", size) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def fmt(tag: int, channels: int, rate_hz: int, bits: int) -> bytes:
    block = channels * bits // 8
    return struct.pack("<HHIIHH", tag, channels, rate_hz, rate_hz * block, block, bits)


def int16(values: Floats) -> list[int]:
    return [int(v) for v in np.rint(values * 32767)]


def mp3(channels: list[Floats], rate_hz: int, bit_rate_kbps: int = 128) -> bytes:
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(bit_rate_kbps)
    encoder.set_in_sample_rate(rate_hz)
    encoder.set_channels(len(channels))
    encoder.set_quality(7)
    pcm = np.rint(interleave(channels) * 32767).astype("<i2").tobytes()
    return bytes(encoder.encode(pcm) + encoder.flush())


def assert_tone(pcm: npt.NDArray[np.int16], seconds: float, level_dbfs: float = -9.03) -> None:
    assert pcm.dtype == np.int16
    assert abs(len(pcm) - seconds * SAMPLE_RATE_HZ) <= 1
    assert dominant_frequency_hz(pcm, SAMPLE_RATE_HZ) == pytest.approx(TONE_HZ, abs=1)
    assert rms_dbfs(pcm[400:-400]) == pytest.approx(level_dbfs, abs=0.3)


@pytest.mark.parametrize("rate_hz", [8000, 16000, 44100, 48000])
@pytest.mark.parametrize("width", [1, 2, 3])
def test_pcm_wav_mono(rate_hz: int, width: int) -> None:
    assert_tone(decode_audio(pcm_wav([sine(rate_hz)], rate_hz, width)), 1.0)


@pytest.mark.parametrize("rate_hz", [8000, 44100])
def test_pcm_wav_stereo_is_averaged(rate_hz: int) -> None:
    both = decode_audio(pcm_wav([sine(rate_hz), sine(rate_hz)], rate_hz, 2))
    assert_tone(both, 1.0)
    left_only = decode_audio(pcm_wav([sine(rate_hz), np.zeros(rate_hz)], rate_hz, 2))
    assert_tone(left_only, 1.0, level_dbfs=-15.05)


@pytest.mark.parametrize("encode", ["wav", "mp3"])
def test_decode_channels_keeps_each_channel_at_the_files_rate(encode: str) -> None:
    rate_hz = 44100 if encode == "mp3" else 16000
    left, right = sine(rate_hz), sine(rate_hz, frequency_hz=1000.0, amplitude=0.25)
    data = pcm_wav([left, right], rate_hz, 2) if encode == "wav" else mp3([left, right], rate_hz)
    audio = decode_channels(data)
    assert audio.rate_hz == rate_hz
    assert len(audio.channels) == 2
    for channel, hz, level_dbfs in zip(audio.channels, (TONE_HZ, 1000.0), (-9.03, -15.05), strict=True):
        assert channel.dtype == np.float32
        pcm = np.rint(channel * 32767).astype(np.int16)
        assert dominant_frequency_hz(pcm, rate_hz) == pytest.approx(hz, abs=1)
        assert rms_dbfs(pcm[2000:-2000]) == pytest.approx(level_dbfs, abs=0.5)


def test_32_bit_pcm_wav() -> None:
    assert_tone(decode_audio(pcm_wav([sine(16000, 0.5)], 16000, 4)), 0.5)


@pytest.mark.parametrize(("rate_hz", "channels"), [(8000, 1), (22050, 2), (48000, 1)])
def test_float_wav(rate_hz: int, channels: int) -> None:
    samples = interleave([sine(rate_hz)] * channels).astype("<f4").tobytes()
    assert_tone(decode_audio(riff(fmt(3, channels, rate_hz, 32), samples)), 1.0)


@pytest.mark.parametrize(("tag", "encode"), [(7, linear2ulaw), (6, linear2alaw)])
def test_g711_wav(tag: int, encode: Callable[[int], int]) -> None:
    codes = bytes(encode(v) for v in int16(sine(8000)))
    assert_tone(decode_audio(riff(fmt(tag, 1, 8000, 8), codes)), 1.0)


def test_extensible_24_bit_wav_with_extra_chunks_and_streaming_size() -> None:
    rate_hz = 44100
    data = b"".join(int(v * 256).to_bytes(3, "little", signed=True) for v in int16(sine(rate_hz)))
    pcm_guid_tail = bytes.fromhex("000000001000800000aa00389b71")
    extensible = fmt(0xFFFE, 1, rate_hz, 24) + struct.pack("<HHIH", 22, 24, 0x4, 1) + pcm_guid_tail
    list_chunk = b"LIST" + struct.pack("<I", 5) + b"INFOx" + b"\0"  # odd size, padded
    wav = riff(extensible, data, data_size=0xFFFFFFFF, extra=list_chunk)
    assert_tone(decode_audio(wav), 1.0)


@pytest.mark.parametrize(("rate_hz", "channels"), [(8000, 1), (16000, 1), (44100, 1), (48000, 2)])
def test_mp3(rate_hz: int, channels: int) -> None:
    pcm = decode_audio(mp3([sine(rate_hz)] * channels, rate_hz))
    # MP3 adds the encoder's delay and pads the last frame (up to 1152 samples each).
    seconds = len(pcm) / SAMPLE_RATE_HZ
    assert 1.0 <= seconds <= 1.0 + 2 * 1152 / rate_hz + 0.01
    assert dominant_frequency_hz(pcm, SAMPLE_RATE_HZ) == pytest.approx(TONE_HZ, abs=1)
    assert rms_dbfs(pcm[2000:-2000]) == pytest.approx(-9.03, abs=0.5)


def test_mp3_after_an_id3_tag() -> None:
    frame = b"TIT2" + struct.pack(">I", 6) + b"\0\0" + b"\0tone"
    tag = b"ID3\x04\x00\x00" + bytes([0, 0, 0, len(frame)]) + frame
    pcm = decode_audio(tag + mp3([sine(44100)], 44100))
    assert dominant_frequency_hz(pcm, SAMPLE_RATE_HZ) == pytest.approx(TONE_HZ, abs=1)


def valid_wav() -> bytes:
    return pcm_wav([sine(8000)], 8000, 2)


def valid_mp3() -> bytes:
    return mp3([sine(44100)], 44100)


@pytest.mark.parametrize(
    ("data", "found"),
    [
        (b"", "empty"),
        (np.random.default_rng(7).bytes(4000), "4000 bytes starting 0x"),
        (b"<!DOCTYPE html><html><body>Not found</body></html>", "HTML/XML"),
        (b'{"error": "nope"}', "JSON"),
        (b"OggS" + bytes(100), "Ogg"),
        (b"fLaC" + bytes(100), "FLAC"),
        (b"RIFF\x10\x00\x00\x00AVI LIST", "RIFF file"),
    ],
)
def test_not_audio_is_rejected_saying_what_it_is(data: bytes, found: str) -> None:
    with pytest.raises(UnsupportedAudio, match="WAV or MP3") as raised:
        decode_audio(data)
    assert found in raised.value.message
    assert isinstance(raised.value, PhonographError)
    assert raised.value.code == 12300


@pytest.mark.parametrize(
    ("make", "found"),
    [
        (lambda: valid_wav()[:30], "fmt chunk"),
        (lambda: valid_wav()[:40], "no data chunk"),
        (lambda: valid_wav()[:-1000], "truncated"),
        (lambda: riff(fmt(2, 1, 8000, 4), bytes(400)), "Microsoft ADPCM"),
        (lambda: riff(fmt(0x55, 1, 8000, 0), bytes(400)), "MPEG Layer III"),
        (lambda: riff(fmt(1, 1, 8000, 12), bytes(400)), "12 bits"),
        (lambda: riff(fmt(1, 0, 8000, 16), bytes(400)), "corrupt"),
        (lambda: b"RIFF\x00\x00\x00\x00WAVEdata\x04\x00\x00\x00abcd", "before its fmt chunk"),
        (lambda: valid_mp3()[:100], "MPEG audio frames"),
        (lambda: b"ID3\x04\x00\x00\x00\x00\x00\x05hello", "MPEG audio frames"),
        (lambda: b"\xff\xfb\x90\x00" + np.random.default_rng(3).bytes(50), "MPEG audio frames"),
    ],
)
def test_truncated_or_corrupt_files_are_rejected(make: Callable[[], bytes], found: str) -> None:
    with pytest.raises(UnsupportedAudio) as raised:
        decode_audio(make())
    assert found in raised.value.message
    assert raised.value.code == 12300


def test_an_empty_but_valid_wav_is_silence_of_no_length() -> None:
    assert len(decode_audio(riff(fmt(1, 1, 8000, 16), b""))) == 0
