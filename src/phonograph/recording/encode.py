"""Encoding composed recordings as the files Twilio serves: 16-bit PCM WAV and MP3.

Both take a composition's samples, ``int16`` shaped ``(n_samples, channels)`` at 8 kHz, which is
already the interleaved order both formats store.

MP3 notes (see docs/compatibility.md):

- Constant bit rate at the 8 kHz input rate (an MPEG 2.5 stream): 32 kbps mono, as Twilio documents
  for its MP3 recordings, and 64 kbps for two channels so each channel keeps the mono budget.
- lameenc exposes no stereo-mode setter, so two channels get LAME's default joint stereo. LAME
  switches a granule to mid/side only when the channels are alike, and mid/side is an exact
  transform, so channel separation survives: a tone on one channel leaves the other within a
  couple of LSBs of silence.
- The stream carries no LAME/Xing info tag (lameenc turns it off), so decoders cannot trim LAME's
  priming: decoded audio starts with 1,105 samples (about 138 ms) of encoder delay and ends padded
  to a whole 576-sample frame. The recording's ``duration`` comes from the composition, not from
  the MP3.
- Empty input gives LAME's flush output: a valid MP3 of two silent frames (144 ms), never ``b""``,
  so every recording URL serves something a player can open.
- One encoder on one thread: measured at about 1,100 × real time for two channels on a 2-core
  machine (bench/compose.py), so chunking across threads buys nothing worth the splice seams.
"""

from __future__ import annotations

import struct

import lameenc
import numpy as np
import numpy.typing as npt

from phonograph.media import SAMPLE_RATE_HZ

WAV_CONTENT_TYPE = "audio/x-wav"
MP3_CONTENT_TYPE = "audio/mpeg"

_BYTES_PER_SAMPLE = 2
_WAV_HEADER = struct.Struct("<4sI4s4sIHHIIHH4sI")
_WAV_FORMAT_PCM = 1
_WAV_MAX_DATA_BYTES = 0xFFFFFFFF - (_WAV_HEADER.size - 8)

# Constant bit rate per channel count; Twilio documents 32 kbps for MP3 recordings.
MP3_BIT_RATE_KBPS = {1: 32, 2: 64}
# LAME's "-q 7: fast, ok quality": about a quarter faster than the library default (5) and, on
# 8 kHz tones and band-limited noise, the same error against the input within a dB.
_LAME_QUALITY = 7
MP3_BLOCK_FRAMES = 576 * 1024
"""Frames handed to LAME per call: bounds the bytes copy of the input to a few MiB at a time."""
WAV_HEADER_BYTES = _WAV_HEADER.size


def encode_wav(samples: npt.NDArray[np.int16]) -> bytes:
    """A 16-bit little-endian PCM WAV at 8 kHz with ``samples.shape[1]`` channels."""
    data = np.ascontiguousarray(samples, dtype="<i2")
    return b"".join([wav_header(_channel_count(samples), data.nbytes), data.data])


def wav_header(channels: int, data_bytes: int) -> bytes:
    """The header of a 16-bit PCM WAV at 8 kHz holding ``data_bytes`` of samples."""
    if data_bytes > _WAV_MAX_DATA_BYTES:
        raise ValueError(f"{data_bytes} bytes of audio do not fit a WAV file's 32-bit sizes")
    return _WAV_HEADER.pack(
        b"RIFF",
        _WAV_HEADER.size - 8 + data_bytes,
        b"WAVE",
        b"fmt ",
        16,
        _WAV_FORMAT_PCM,
        channels,
        SAMPLE_RATE_HZ,
        SAMPLE_RATE_HZ * channels * _BYTES_PER_SAMPLE,
        channels * _BYTES_PER_SAMPLE,
        8 * _BYTES_PER_SAMPLE,
        b"data",
        data_bytes,
    )


def wav_channels(header: bytes) -> int:
    """The channel count in the header of a WAV that ``encode_wav`` wrote."""
    channels: int = _WAV_HEADER.unpack_from(header)[6]
    return channels


class Mp3Encoder:
    """LAME fed a block at a time: ``encode`` answers the MP3 bytes ready so far, ``flush`` the
    rest. Blocks of ``MP3_BLOCK_FRAMES`` give the same bytes as one ``encode_mp3``."""

    def __init__(self, channels: int) -> None:
        if channels not in MP3_BIT_RATE_KBPS:
            raise ValueError(f"MP3 holds one or two channels, not {channels}")
        self._lame = lameenc.Encoder()
        self._lame.set_in_sample_rate(SAMPLE_RATE_HZ)
        self._lame.set_channels(channels)
        self._lame.set_bit_rate(MP3_BIT_RATE_KBPS[channels])
        self._lame.set_quality(_LAME_QUALITY)

    def encode(self, samples: npt.NDArray[np.int16]) -> bytes:
        # lameenc takes only read-only bytes-like input, so the block is copied once to bytes.
        return bytes(self._lame.encode(samples.astype("<i2", copy=False).tobytes()))

    def flush(self) -> bytes:
        return bytes(self._lame.flush())


def encode_mp3(samples: npt.NDArray[np.int16]) -> bytes:
    """A constant-bit-rate MP3 at 8 kHz: 32 kbps mono, 64 kbps two-channel stereo. Empty input
    gives two silent frames (module docstring)."""
    encoder = Mp3Encoder(_channel_count(samples))
    pieces = [
        encoder.encode(samples[start : start + MP3_BLOCK_FRAMES])
        for start in range(0, max(len(samples), 1), MP3_BLOCK_FRAMES)
    ]
    pieces.append(encoder.flush())
    return b"".join(pieces)


def _channel_count(samples: npt.NDArray[np.int16]) -> int:
    if samples.ndim != 2 or samples.shape[1] < 1:
        raise ValueError(f"samples must be shaped (n_samples, channels), got {samples.shape}")
    return int(samples.shape[1])
