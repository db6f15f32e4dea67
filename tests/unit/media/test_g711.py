"""G.711 against a scalar transcription of the classic Sun/CCITT ``g711.c`` (written here, not
imported), over every input and over random arrays."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from phonograph.media import alaw_decode, alaw_encode, ulaw_decode, ulaw_encode

SEG_UEND = (0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF, 0x3FFF, 0x7FFF)
SEG_AEND = (0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF)


def search(value: int, table: tuple[int, ...]) -> int:
    for index, end in enumerate(table):
        if value <= end:
            return index
    return len(table)


def linear2ulaw(pcm: int) -> int:
    if pcm < 0:
        pcm, mask = -pcm, 0x7F
    else:
        mask = 0xFF
    pcm = min(pcm, 32635) + 0x84
    seg = search(pcm, SEG_UEND)
    if seg >= 8:
        return 0x7F ^ mask
    return ((seg << 4) | ((pcm >> (seg + 3)) & 0xF)) ^ mask


def ulaw2linear(code: int) -> int:
    code = ~code & 0xFF
    t = (((code & 0x0F) << 3) + 0x84) << ((code & 0x70) >> 4)
    return 0x84 - t if code & 0x80 else t - 0x84


def linear2alaw(pcm: int) -> int:
    pcm >>= 3
    if pcm >= 0:
        mask = 0xD5
    else:
        mask = 0x55
        pcm = -pcm - 1
    seg = search(pcm, SEG_AEND)
    if seg >= 8:
        return 0x7F ^ mask
    aval = seg << 4
    aval |= (pcm >> 1) & 0xF if seg < 2 else (pcm >> seg) & 0xF
    return aval ^ mask


def alaw2linear(code: int) -> int:
    code ^= 0x55
    t = (code & 0x0F) << 4
    seg = (code & 0x70) >> 4
    if seg == 0:
        t += 8
    elif seg == 1:
        t += 0x108
    else:
        t = (t + 0x108) << (seg - 1)
    return t if code & 0x80 else -t


ALL_INT16 = np.arange(-32768, 32768, dtype=np.int32).astype(np.int16)
ALL_CODES = np.arange(256, dtype=np.uint8)
pcm_arrays = hnp.arrays(np.int16, st.integers(0, 400), elements=st.integers(-32768, 32767))
code_arrays = hnp.arrays(np.uint8, st.integers(0, 400))


def test_every_pcm_value_encodes_as_g711_c() -> None:
    assert ulaw_encode(ALL_INT16).tolist() == [linear2ulaw(int(v)) for v in ALL_INT16]
    assert alaw_encode(ALL_INT16).tolist() == [linear2alaw(int(v)) for v in ALL_INT16]


def test_every_code_decodes_as_g711_c() -> None:
    assert ulaw_decode(ALL_CODES).tolist() == [ulaw2linear(c) for c in range(256)]
    assert alaw_decode(ALL_CODES).tolist() == [alaw2linear(c) for c in range(256)]


@given(pcm_arrays)
def test_ulaw_encode_matches_reference(pcm: np.ndarray) -> None:
    codes = ulaw_encode(pcm)
    assert codes.dtype == np.uint8
    assert codes.shape == pcm.shape
    assert codes.tolist() == [linear2ulaw(int(v)) for v in pcm]


@given(pcm_arrays)
def test_alaw_encode_matches_reference(pcm: np.ndarray) -> None:
    codes = alaw_encode(pcm)
    assert codes.dtype == np.uint8
    assert codes.shape == pcm.shape
    assert codes.tolist() == [linear2alaw(int(v)) for v in pcm]


@given(code_arrays)
def test_decoders_match_reference(codes: np.ndarray) -> None:
    assert ulaw_decode(codes).dtype == np.int16
    assert ulaw_decode(codes).tolist() == [ulaw2linear(int(c)) for c in codes]
    assert alaw_decode(codes).tolist() == [alaw2linear(int(c)) for c in codes]
    assert ulaw_decode(codes.tobytes()).tolist() == ulaw_decode(codes).tolist()
    assert alaw_decode(codes.tobytes()).tolist() == alaw_decode(codes).tolist()


def test_quantisation_error_is_at_most_half_a_step() -> None:
    """Every int16 decodes back to the middle of its quantisation interval (G.711 Tables 1a/2a),
    so the error is at most half that segment's step, bar clipping at the extremes."""
    values = ALL_INT16.astype(np.int32)
    magnitude = np.abs(values)
    ulaw_error = np.abs(ulaw_decode(ulaw_encode(ALL_INT16)).astype(np.int32) - values)
    alaw_error = np.abs(alaw_decode(alaw_encode(ALL_INT16)).astype(np.int32) - values)
    # μ-law segment s holds biased magnitudes (|x| + 0x84) in [2^(s+7), 2^(s+8)) with step 2^(s+3);
    # A-law segment s >= 1 holds |x| in [2^(s+7), 2^(s+8)) with step 2^(s+3), segment 0 step 16.
    ulaw_half_step = (magnitude + 0x84) // 32
    alaw_half_step = np.maximum(magnitude // 32, 8)
    assert np.all(ulaw_error <= ulaw_half_step + np.maximum(magnitude - 32124, 0))
    assert np.all(alaw_error <= alaw_half_step + np.maximum(magnitude - 32256, 0))


def test_every_code_is_stable_through_a_round_trip() -> None:
    for decode, encode in ((ulaw_decode, ulaw_encode), (alaw_decode, alaw_encode)):
        once = decode(ALL_CODES)
        assert decode(encode(once)).tolist() == once.tolist()
    # Every code but μ-law's negative zero (0x7F decodes to 0, which encodes as 0xFF) survives.
    assert [c for c in range(256) if ulaw_encode(ulaw_decode(ALL_CODES))[c] != c] == [0x7F]
    assert alaw_encode(alaw_decode(ALL_CODES)).tolist() == list(range(256))


def test_known_values() -> None:
    silence = np.zeros(1, dtype=np.int16)
    assert ulaw_encode(silence).tolist() == [0xFF]
    assert alaw_encode(silence).tolist() == [0xD5]
    extremes = np.array([32767, -32767, -32768], dtype=np.int16)
    assert ulaw_encode(extremes).tolist() == [0x80, 0x00, 0x00]
    assert alaw_encode(extremes).tolist() == [0xAA, 0x2A, 0x2A]
    assert ulaw_decode(b"\x80\x00\xff\x7f").tolist() == [32124, -32124, 0, 0]
    assert alaw_decode(b"\xaa\x2a\xd5\x55").tolist() == [32256, -32256, 8, -8]


def test_decode_is_odd_symmetric() -> None:
    """Flipping the sign bit negates the decoded value (μ-law ±0 both decode to 0)."""
    assert (ulaw_decode(ALL_CODES ^ np.uint8(0x80)).astype(np.int32) == -ulaw_decode(ALL_CODES)).all()
    assert (alaw_decode(ALL_CODES ^ np.uint8(0x80)).astype(np.int32) == -alaw_decode(ALL_CODES)).all()
