"""ITU-T G.711 μ-law and A-law, bit-exact with the classic Sun/CCITT ``g711.c``, vectorized.

Each direction is one table lookup: encoding indexes a 65,536-entry table with the int16 sample
reinterpreted as uint16; decoding indexes a 256-entry table with the code. The tables are built
once, at import, by the array form of the ``g711.c`` routines below, so the arithmetic lives in
exactly one place per law.

- μ-law (G.711 §3.1, RFC 3551 §4.5.14 "PCMU"): ``linear2ulaw`` on the 16-bit magnitude with
  ``BIAS = 0x84`` and ``CLIP = 32635``; codes are stored inverted (all bits toggled).
- A-law (G.711 §3.2, RFC 3551 §4.5.14 "PCMA"): ``linear2alaw`` on the 13-bit value
  (``pcm >> 3``); even bits are toggled (``^ 0x55``) and the sign bit is set for positive values.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from phonograph.media.frames import Pcm

Codes = npt.NDArray[np.uint8]
"""G.711 code words, one byte per sample."""

_Int32 = npt.NDArray[np.int32]

# g711.c constants.
_ULAW_BIAS = 0x84
_ULAW_CLIP = 32635
_QUANT_MASK = 0x0F
_SEG_MASK = 0x70
_SEG_SHIFT = 4
_SIGN_BIT = 0x80

# Upper ends of the eight segments (g711.c ``seg_uend`` on the biased 16-bit magnitude and
# ``seg_aend`` on the 13-bit magnitude).
_ULAW_SEG_END = np.array([0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF, 0x3FFF, 0x7FFF], dtype=np.int32)
_ALAW_SEG_END = np.array([0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF], dtype=np.int32)


def _segment(magnitude: _Int32, seg_end: _Int32) -> _Int32:
    """g711.c ``search``: the first segment whose end is >= the magnitude (8 when none is)."""
    return np.searchsorted(seg_end, magnitude, side="left").astype(np.int32)


def _linear2ulaw(pcm: _Int32) -> _Int32:
    negative = pcm < 0
    magnitude = np.minimum(np.abs(pcm), _ULAW_CLIP) + _ULAW_BIAS
    mask = np.where(negative, 0x7F, 0xFF)
    seg = _segment(magnitude, _ULAW_SEG_END)
    # seg is never 8 here: CLIP + BIAS == 0x7FFF, the end of the last segment.
    mantissa = (magnitude >> (seg + 3)) & _QUANT_MASK
    return ((seg << _SEG_SHIFT) | mantissa) ^ mask


def _ulaw2linear(code: _Int32) -> _Int32:
    inverted = ~code & 0xFF
    t = (((inverted & _QUANT_MASK) << 3) + _ULAW_BIAS) << ((inverted & _SEG_MASK) >> _SEG_SHIFT)
    return np.where(inverted & _SIGN_BIT, _ULAW_BIAS - t, t - _ULAW_BIAS)


def _linear2alaw(pcm: _Int32) -> _Int32:
    scaled = pcm >> 3
    negative = scaled < 0
    magnitude = np.where(negative, -scaled - 1, scaled)
    mask = np.where(negative, 0x55, 0xD5)
    seg = _segment(magnitude, _ALAW_SEG_END)
    # Segments 0 and 1 share a step size (G.711 Table 1a); higher segments double it each time.
    mantissa = (magnitude >> np.maximum(seg, 1)) & _QUANT_MASK
    # seg is never 8 here: the 13-bit magnitude tops out at 0xFFF, the end of the last segment.
    return ((seg << _SEG_SHIFT) | mantissa) ^ mask


def _alaw2linear(code: _Int32) -> _Int32:
    toggled = code ^ 0x55
    seg = (toggled & _SEG_MASK) >> _SEG_SHIFT
    t = ((toggled & _QUANT_MASK) << 4) + np.where(seg == 0, 8, 0x108)
    t = t << np.maximum(seg - 1, 0)
    linear: _Int32 = np.where(toggled & _SIGN_BIT, t, -t)
    return linear


def _all_int16() -> _Int32:
    """Every int16 value, in the order of its uint16 bit pattern (the encode tables' index)."""
    return np.arange(1 << 16, dtype=np.uint32).astype(np.uint16).view(np.int16).astype(np.int32)


def _frozen(array: npt.NDArray[np.generic]) -> None:
    array.setflags(write=False)


_ULAW_ENCODE: Codes = _linear2ulaw(_all_int16()).astype(np.uint8)
_ALAW_ENCODE: Codes = _linear2alaw(_all_int16()).astype(np.uint8)
_ULAW_DECODE: Pcm = _ulaw2linear(np.arange(256, dtype=np.int32)).astype(np.int16)
_ALAW_DECODE: Pcm = _alaw2linear(np.arange(256, dtype=np.int32)).astype(np.int16)
for _table in (_ULAW_ENCODE, _ALAW_ENCODE, _ULAW_DECODE, _ALAW_DECODE):
    _frozen(_table)


def _as_codes(codes: Codes | bytes | bytearray | memoryview) -> Codes:
    if isinstance(codes, bytes | bytearray | memoryview):
        return np.frombuffer(codes, dtype=np.uint8)
    return np.asarray(codes, dtype=np.uint8)


# ``take`` rather than indexing with the codes: the same lookup, a third faster on a 160-sample
# frame (bench/sip.py makes two a packet).
def ulaw_encode(pcm: Pcm) -> Codes:
    """μ-law code words for 16-bit PCM (PCMU, RFC 3551 §4.5.14)."""
    return _ULAW_ENCODE.take(np.asarray(pcm, dtype=np.int16).view(np.uint16))


def ulaw_decode(codes: Codes | bytes | bytearray | memoryview) -> Pcm:
    """16-bit PCM for μ-law code words (an array, or a payload as bytes)."""
    return _ULAW_DECODE.take(_as_codes(codes))


def alaw_encode(pcm: Pcm) -> Codes:
    """A-law code words for 16-bit PCM (PCMA, RFC 3551 §4.5.14)."""
    return _ALAW_ENCODE.take(np.asarray(pcm, dtype=np.int16).view(np.uint16))


def alaw_decode(codes: Codes | bytes | bytearray | memoryview) -> Pcm:
    """16-bit PCM for A-law code words (an array, or a payload as bytes)."""
    return _ALAW_DECODE.take(_as_codes(codes))
