"""Helpers for end-to-end call tests: virtual phones, waiting on call status, captured tracks."""

from __future__ import annotations

import io
import wave

import httpx
import numpy as np
import numpy.typing as npt

from phonograph.testing.audio import read_wav

TRACKS_RATE_HZ = 8000


def tracks(http: httpx.Client, call_sid: str) -> tuple[npt.NDArray[np.int16], npt.NDArray[np.int16]]:
    """(inbound, outbound) as captured by the server (channel 1, channel 2 of Tracks.wav)."""
    response = http.get(f"/phonograph/v1/Calls/{call_sid}/Tracks.wav")
    assert response.status_code == 200, response.text
    channels, rate = read_wav(response.content)
    assert (len(channels), rate) == (2, TRACKS_RATE_HZ)
    return channels[0], channels[1]


def tone_wav(frequency_hz: float, duration_s: float, rate_hz: int = 16_000) -> bytes:
    """A mono 16-bit WAV of a sine tone (made here, independently of the server's code)."""
    t = np.arange(int(duration_s * rate_hz)) / rate_hz
    return pcm_wav((0.5 * 32767 * np.sin(2 * np.pi * frequency_hz * t)).astype("<i2"), rate_hz)


def pcm_wav(samples: npt.NDArray[np.int16], rate_hz: int) -> bytes:
    """Mono 16-bit samples as a WAV file."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(rate_hz)
        writer.writeframes(samples.astype("<i2").tobytes())
    return buffer.getvalue()
