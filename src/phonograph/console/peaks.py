"""Waveform peaks computed on the server, so the browser draws a long recording without
downloading and decoding it whole: the stored WAV is read in bounded chunks and each channel
reduced to its largest magnitude per bucket, scaled to -1..1 (what wavesurfer.js's ``peaks``
option takes, one array per channel)."""

from __future__ import annotations

import struct
from collections.abc import Awaitable, Callable
from typing import Any

import numpy as np

from phonograph.core import MalformedBody

MAX_BUCKETS = 4000
"""Points per channel: a waveform wider than any screen in pixels."""
BUCKETS_PER_S = 50
CHUNK_BYTES = 1 << 20
"""What is read of the WAV at once: the memory a peaks request holds, whatever the recording's length."""
_HEADER_BYTES = 4096

Read = Callable[[int, int], Awaitable[bytes]]
"""Bytes ``start`` to ``stop`` of the WAV (a blob store's ranged read)."""


def wav_layout(header: bytes) -> tuple[int, int, int]:
    """(channels, sample rate, offset of the data chunk) of a 16-bit PCM WAV's first bytes
    (RIFF, as recording/encode.py writes it)."""
    if header[:4] != b"RIFF" or header[8:12] != b"WAVE":
        raise MalformedBody("the stored media is not a WAV file")
    position, channels, rate = 12, 0, 0
    while position + 8 <= len(header):
        name, size = header[position : position + 4], struct.unpack_from("<I", header, position + 4)[0]
        if name == b"fmt ":
            channels, rate = struct.unpack_from("<HI", header, position + 10)
        elif name == b"data":
            if not channels:
                break
            return channels, rate, position + 8
        position += 8 + size + (size & 1)
    raise MalformedBody("the stored WAV has no fmt chunk before its data")


async def peaks(read: Read, size: int, buckets_wanted: int | None = None) -> dict[str, Any]:
    """``{"duration": s, "peaks": [[…] per channel]}`` of the WAV of ``size`` bytes."""
    channels, rate, data_at = wav_layout(await read(0, min(size, _HEADER_BYTES)))
    frame_bytes = 2 * channels
    frames = (size - data_at) // frame_bytes
    duration_s = frames / rate if rate else 0.0
    buckets = max(1, min(MAX_BUCKETS, buckets_wanted or int(duration_s * BUCKETS_PER_S) or 1, frames or 1))
    per_bucket = -(-frames // buckets) if frames else 1
    chunk_frames = max(per_bucket, (CHUNK_BYTES // frame_bytes) // per_bucket * per_bucket)
    out = np.zeros((channels, -(-frames // per_bucket) if frames else 0), dtype=np.float32)
    done = 0
    while done < frames:
        count = min(chunk_frames, frames - done)
        start = data_at + done * frame_bytes
        raw = np.frombuffer(await read(start, start + count * frame_bytes), dtype="<i2")
        samples = np.abs(raw.reshape(-1, channels).astype(np.int32))
        whole = len(samples) // per_bucket * per_bucket
        first = done // per_bucket
        if whole:
            out[:, first : first + whole // per_bucket] = (
                samples[:whole].reshape(-1, per_bucket, channels).max(axis=1).T
            )
        if whole < len(samples):
            out[:, first + whole // per_bucket] = samples[whole:].max(axis=0)
        done += count
    scaled = np.round(out / 32768.0, 4)
    return {"duration": round(duration_s, 3), "peaks": scaled.tolist()}
