"""Sample-rate conversion to the media clock's 8 kHz, with libsoxr."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import soxr

from phonograph.media.frames import SAMPLE_RATE_HZ, Pcm

_INT16_FULL_SCALE = 32768.0


def resample(samples: npt.NDArray[np.float32] | Pcm, from_hz: int, to_hz: int = SAMPLE_RATE_HZ) -> Pcm:
    """Mono ``samples`` at ``from_hz`` as 16-bit PCM at ``to_hz``.

    Float input is full scale at ±1.0; int16 input is full scale at ±32768. Output that the
    anti-aliasing filter pushes past full scale is clipped to the int16 range.
    """
    if from_hz <= 0 or to_hz <= 0:
        raise ValueError(f"sample rates must be positive, got {from_hz} Hz → {to_hz} Hz")
    signal = np.asarray(samples)
    if signal.dtype == np.int16:
        floats = signal.astype(np.float32) / np.float32(_INT16_FULL_SCALE)
    else:
        floats = signal.astype(np.float32, copy=False)
    if from_hz != to_hz and len(floats):
        floats = np.asarray(soxr.resample(floats, from_hz, to_hz, quality="HQ"), dtype=np.float32)
    scaled = np.rint(floats * np.float32(_INT16_FULL_SCALE))
    pcm: Pcm = np.clip(scaled, -32768, 32767).astype(np.int16)
    return pcm
