"""Decoding WAV and MP3 media: into mono 16-bit PCM at 8 kHz for ``<Play>``, or into its own
channels at its own rate (``decode_channels``, for transcribing a v3 ``mediaUrl``).

Twilio plays WAV and MP3 (https://www.twilio.com/docs/voice/twiml/play#supported-audio-file-types)
and reports anything else as error 12300 "Invalid Content-Type"
(https://www.twilio.com/docs/errors/12300). We sniff the bytes rather than trust a Content-Type
header, decode with miniaudio at the file's own rate and channel count, and for ``<Play>`` average
the channels and resample to the media clock's 8 kHz.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import miniaudio
import numpy as np
import numpy.typing as npt

from phonograph.core.errors import PhonographError
from phonograph.media.frames import Pcm
from phonograph.media.resample import resample


class UnsupportedAudio(PhonographError):
    """The media is not WAV or MP3 that we can decode; the message says what was found."""

    code = 12300
    status = 415


# WAVE format tags (RFC 2361 Appendix A) that we decode, and the bit depths each allows.
_PCM, _IEEE_FLOAT, _ALAW, _MULAW, _EXTENSIBLE = 0x0001, 0x0003, 0x0006, 0x0007, 0xFFFE
_SUPPORTED_BITS: dict[int, tuple[int, ...]] = {
    _PCM: (8, 16, 24, 32),
    _IEEE_FLOAT: (32, 64),
    _ALAW: (8,),
    _MULAW: (8,),
}
_FORMAT_NAMES: dict[int, str] = {
    _PCM: "PCM",
    _IEEE_FLOAT: "IEEE float",
    _ALAW: "A-law",
    _MULAW: "μ-law",
    0x0002: "Microsoft ADPCM",
    0x0011: "IMA ADPCM",
    0x0031: "GSM 6.10",
    0x0050: "MPEG",
    0x0055: "MPEG Layer III",
}
_MAX_SAMPLE_RATE_HZ = 768_000
# Streaming writers that cannot seek back leave the data size at 0 or 0xFFFFFFFF.
_UNKNOWN_DATA_SIZES = (0, 0xFFFFFFFF)


@dataclass(frozen=True)
class DecodedAudio:
    """A file's samples: one float32 array per channel (full scale ±1.0), at its own rate."""

    channels: tuple[npt.NDArray[np.float32], ...]
    rate_hz: int


def decode_audio(data: bytes) -> Pcm:
    """Mono 16-bit PCM at 8 kHz for a WAV or MP3 file; raises ``UnsupportedAudio`` otherwise."""
    audio = decode_channels(data)
    mono: npt.NDArray[np.float32] = np.mean(audio.channels, axis=0, dtype=np.float32)
    return resample(mono, audio.rate_hz)


def decode_channels(data: bytes) -> DecodedAudio:
    """The channels of a WAV or MP3 file; raises ``UnsupportedAudio`` for anything else.

    WAV: PCM 8/16/24/32-bit, float 32/64-bit, A-law and μ-law, any rate and channel count. A WAV
    whose data chunk is shorter than its header declares is truncated and raises; MP3 raises when
    not one MPEG frame decodes.
    """
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return _split(_decode_wav(data), "WAV")
    if data[:3] == b"ID3" or _is_mpeg_frame_header(data[:4]):
        return _split(_decode_mp3(data), "MP3")
    raise UnsupportedAudio(f"Audio must be WAV or MP3; found {_describe(data)}")


def _decode_wav(data: bytes) -> miniaudio.DecodedSoundFile:
    fmt_chunk, pcm_data = _parse_wav(data)
    # Hand miniaudio a canonical file (fmt, then data with its true size) so that streaming
    # sizes and extra chunks never confuse it.
    canonical = _riff_chunk(b"fmt ", fmt_chunk) + _riff_chunk(b"data", pcm_data)
    wav = b"RIFF" + struct.pack("<I", 4 + len(canonical)) + b"WAVE" + canonical
    try:
        decoded = miniaudio.wav_read_f32(wav)
    except miniaudio.MiniaudioError as error:
        raise UnsupportedAudio(f"WAV file could not be decoded: {error}") from error
    return decoded


def _parse_wav(data: bytes) -> tuple[bytes, bytes]:
    """The fmt and data chunks of a RIFF/WAVE file (Microsoft "Multimedia Programming Interface
    and Data Specifications 1.0", RIFF chunks padded to even sizes), checked."""
    fmt_chunk: bytes | None = None
    offset = 12
    while offset + 8 <= len(data):
        chunk_id = data[offset : offset + 4]
        (size,) = struct.unpack_from("<I", data, offset + 4)
        body_start = offset + 8
        if chunk_id == b"fmt ":
            fmt_chunk = data[body_start : body_start + size]
            if len(fmt_chunk) < 16 or len(fmt_chunk) < size:
                raise UnsupportedAudio("WAV file is truncated inside its fmt chunk")
        elif chunk_id == b"data":
            if fmt_chunk is None:
                raise UnsupportedAudio("WAV file has its data chunk before its fmt chunk")
            available = len(data) - body_start
            if size in _UNKNOWN_DATA_SIZES:
                size = available
            elif size > available:
                raise UnsupportedAudio(
                    f"WAV file is truncated: its data chunk declares {size} bytes but holds {available}"
                )
            return fmt_chunk, _checked_frames(fmt_chunk, data[body_start : body_start + size])
        offset = body_start + size + (size & 1)
    if fmt_chunk is None:
        raise UnsupportedAudio("WAV file has no fmt chunk (truncated or corrupt)")
    raise UnsupportedAudio("WAV file has no data chunk (truncated or corrupt)")


def _checked_frames(fmt_chunk: bytes, pcm_data: bytes) -> bytes:
    """The whole sample frames of ``pcm_data``, once the fmt chunk describes an encoding we decode."""
    tag, channels, rate_hz, _byte_rate, block_align, bits = struct.unpack_from("<HHIIHH", fmt_chunk)
    if tag == _EXTENSIBLE and len(fmt_chunk) >= 26:
        # WAVEFORMATEXTENSIBLE: the real tag opens the SubFormat GUID at offset 24.
        (tag,) = struct.unpack_from("<H", fmt_chunk, 24)
    if tag not in _SUPPORTED_BITS:
        name = _FORMAT_NAMES.get(tag, "an unknown encoding")
        raise UnsupportedAudio(
            f"WAV encoding {name} (format tag 0x{tag:04X}) is not supported; "
            "use PCM, IEEE float, μ-law or A-law"
        )
    if bits not in _SUPPORTED_BITS[tag]:
        raise UnsupportedAudio(f"WAV {_FORMAT_NAMES[tag]} with {bits} bits per sample is not supported")
    if channels < 1 or not 0 < rate_hz <= _MAX_SAMPLE_RATE_HZ or block_align != channels * bits // 8:
        raise UnsupportedAudio(
            f"WAV fmt chunk is corrupt: {channels} channels, {rate_hz} Hz, block align {block_align}"
        )
    whole_frames = len(pcm_data) - len(pcm_data) % block_align
    return pcm_data[:whole_frames]


def _riff_chunk(chunk_id: bytes, body: bytes) -> bytes:
    return chunk_id + struct.pack("<I", len(body)) + body + b"\0" * (len(body) & 1)


def _decode_mp3(data: bytes) -> miniaudio.DecodedSoundFile:
    try:
        decoded = miniaudio.mp3_read_f32(data)
    except miniaudio.MiniaudioError as error:
        raise UnsupportedAudio("MP3 file holds no decodable MPEG audio frames") from error
    if decoded.num_frames == 0:
        raise UnsupportedAudio("MP3 file holds no decodable MPEG audio frames (truncated or corrupt)")
    return decoded


def _is_mpeg_frame_header(header: bytes) -> bool:
    """An MPEG-1/2/2.5 audio frame header (ISO/IEC 11172-3 §2.4.1.3): 11 sync bits, then no
    reserved version, layer, bitrate or sampling-frequency value."""
    if len(header) < 3 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        return False
    version, layer = (header[1] >> 3) & 0b11, (header[1] >> 1) & 0b11
    bitrate_index, rate_index = header[2] >> 4, (header[2] >> 2) & 0b11
    return version != 0b01 and layer != 0b00 and bitrate_index != 0xF and rate_index != 0b11


def _split(decoded: miniaudio.DecodedSoundFile, kind: str) -> DecodedAudio:
    channels = int(decoded.nchannels)
    if channels < 1:
        raise UnsupportedAudio(f"{kind} file has no audio channels")
    interleaved: npt.NDArray[np.float32] = np.frombuffer(decoded.samples, dtype=np.float32)
    frames = interleaved[: len(interleaved) - len(interleaved) % channels].reshape(-1, channels)
    split = tuple(np.ascontiguousarray(frames[:, index]) for index in range(channels))
    return DecodedAudio(split, int(decoded.sample_rate))


_MAGIC_NAMES: tuple[tuple[int, bytes, str], ...] = (
    (0, b"OggS", "Ogg"),
    (0, b"fLaC", "FLAC"),
    (0, b"FORM", "AIFF"),
    (0, b".snd", "Sun/NeXT AU"),
    (0, b"#!AMR", "AMR"),
    (0, b"\x1aE\xdf\xa3", "WebM/Matroska"),
    (4, b"ftyp", "MP4/M4A"),
    (0, b"%PDF", "PDF"),
    (0, b"\x89PNG", "PNG"),
    (0, b"\xff\xd8\xff", "JPEG"),
)


def _describe(data: bytes) -> str:
    """A short, user-facing description of what the bytes look like."""
    if not data:
        return "an empty body"
    for offset, magic, name in _MAGIC_NAMES:
        if data[offset : offset + len(magic)] == magic:
            return f"{name} data"
    if data[:4] == b"RIFF":
        return f"a RIFF file of form {data[8:12]!r}, not WAVE"
    head = data[:32]
    stripped = head.lstrip()
    if stripped[:1] in (b"<", b"{", b"["):
        kind = "HTML/XML" if stripped[:1] == b"<" else "JSON"
        return f"{kind} text starting {head.decode('utf-8', 'replace')!r}"
    return f"{len(data)} bytes starting 0x{data[:8].hex()}"
