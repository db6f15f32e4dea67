"""Waveform peaks from a stored WAV, read in bounded chunks."""

from __future__ import annotations

import asyncio
import io
import wave
from typing import Any

import numpy as np
import pytest

from phonograph.console import peaks as module
from phonograph.console.peaks import peaks, wav_layout
from phonograph.core import MalformedBody


def _wav(samples: np.ndarray, rate: int = 8000) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(samples.shape[1])
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(samples.astype("<i2").tobytes())
    return out.getvalue()


def _peaks(data: bytes, buckets: int | None = None) -> dict[str, Any]:
    reads: list[tuple[int, int]] = []

    async def read(start: int, stop: int) -> bytes:
        reads.append((start, stop))
        return data[start:stop]

    result = asyncio.run(peaks(read, len(data), buckets))
    assert all(stop - start <= module.CHUNK_BYTES + 4096 for start, stop in reads)
    return result


def test_each_channel_keeps_its_loudest_sample_per_bucket(monkeypatch: pytest.MonkeyPatch) -> None:
    # Small chunks, so buckets span several reads' worth of alignment.
    monkeypatch.setattr(module, "CHUNK_BYTES", 64)
    samples = np.zeros((100, 2), dtype=np.int16)
    samples[5, 0] = 16384  # bucket 0, channel 1
    samples[95, 1] = -32768  # bucket 9, channel 2
    result = _peaks(_wav(samples), buckets=10)
    left, right = result["peaks"]
    assert left == [0.5] + [0.0] * 9
    assert right == [0.0] * 9 + [1.0]
    assert result["duration"] == pytest.approx(100 / 8000, abs=0.001)


def test_a_short_last_bucket_is_kept() -> None:
    samples = np.zeros((105, 1), dtype=np.int16)
    samples[-1, 0] = 8192
    [channel] = _peaks(_wav(samples), buckets=10)["peaks"]
    assert channel[-1] == 0.25
    assert len(channel) == 10


def test_what_is_not_a_wav_is_refused() -> None:
    with pytest.raises(MalformedBody):
        wav_layout(b"ID3" + b"\0" * 60)
