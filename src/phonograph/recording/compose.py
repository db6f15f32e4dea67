"""Composition: the two tracks of one call leg ► the recording's channels, trimmed of silence.

The inputs are the leg's *inbound* track (audio the far end sent) and *outbound* track (audio the
platform sent to the far end), equal in length, with pauses already applied. The output is an
``int16`` array shaped ``(n_samples, channel_count)`` at 8 kHz, which is also the interleaved sample
order WAV and MP3 encoders want, so encoding needs no further reshuffle.

Everything is whole-array numpy work: a one-hour dual recording (28.8 M samples a track) composes
and trims in a few tens of milliseconds, with temporaries bounded to one block at a time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from phonograph.media import SAMPLE_RATE_HZ, SAMPLES_PER_FRAME, Pcm
from phonograph.recording.enums import Channels, Track, Trim

# A 20 ms window is silent when no sample in any output channel reaches this magnitude: 200 of
# 32768 is about -44 dBFS (0.6 % of full scale, the threshold sox users pass to its `silence`
# effect for telephone audio). Decoded G.711 idle noise and line hiss stay below it; the quietest
# speech (peaks around -30 dBFS) is well above it. Twilio does not publish its threshold.
SILENCE_PEAK = 200

# Samples per block when mixing mono: bounds the int32 temporary to 4 MiB whatever the length.
_MIX_BLOCK_SAMPLES = 1 << 20

Samples = npt.NDArray[np.int16]
"""Composed audio: ``int16`` shaped ``(n_samples, channel_count)`` at ``SAMPLE_RATE_HZ``."""


@dataclass(frozen=True)
class Layout:
    """Which tracks a recording holds and how they map to channels."""

    track: Track
    channels: Channels

    @property
    def channel_count(self) -> int:
        # A single track is always mono whatever `channels` asks (Twilio <Dial> recordingTrack docs).
        if self.track is not Track.BOTH:
            return 1
        return 2 if self.channels is Channels.DUAL else 1


@dataclass(frozen=True)
class Composition:
    """A composed recording. ``samples`` is read-only and may share memory with the input tracks."""

    samples: Samples
    audible: bool
    untrimmed_samples: int
    head_samples: int = 0
    """Samples trimmed off the start (the untrimmed sample ``head_samples`` is ``samples[0]``)."""

    @property
    def duration_s(self) -> int:
        """Whole seconds of ``samples``, rounded half up (Twilio's ``duration``)."""
        return _whole_seconds(len(self.samples))

    @property
    def untrimmed_duration_s(self) -> int:
        return _whole_seconds(self.untrimmed_samples)

    @property
    def channel_count(self) -> int:
        return int(self.samples.shape[1])


def compose(inbound: Pcm, outbound: Pcm, layout: Layout, trim: Trim) -> Composition:
    """The recording of one leg's two tracks in ``layout``, with silent head and tail windows
    dropped when ``trim`` is trim-silence. ``audible`` is judged on the whole, untrimmed audio."""
    if inbound.ndim != 1 or outbound.ndim != 1 or len(inbound) != len(outbound):
        raise ValueError(
            f"tracks must be 1-D and equal in length, got shapes {inbound.shape} and {outbound.shape}"
        )
    samples = _channels(np.asarray(inbound, np.int16), np.asarray(outbound, np.int16), layout)
    samples.flags.writeable = False
    loud = _loud_windows(samples)
    loud_indices = np.flatnonzero(loud)
    audible = len(loud_indices) > 0
    start = 0
    if trim is Trim.TRIM_SILENCE:
        start, end = _audible_span(loud_indices, len(samples))
        samples = samples[start:end]
    return Composition(samples=samples, audible=audible, untrimmed_samples=len(inbound), head_samples=start)


def _loud_windows(samples: Samples) -> npt.NDArray[np.bool_]:
    """For each 20 ms window (the last may be short), whether any sample in any channel reaches
    ``SILENCE_PEAK`` in magnitude. Compares max and min rather than ``abs``, which wraps -32768."""
    window_values = SAMPLES_PER_FRAME * samples.shape[1]
    flat = samples.reshape(-1)
    full = len(flat) // window_values * window_values
    windows = flat[:full].reshape(-1, window_values)
    loud: npt.NDArray[np.bool_] = (windows.max(axis=1, initial=0) >= SILENCE_PEAK) | (
        windows.min(axis=1, initial=0) <= -SILENCE_PEAK
    )
    if full == len(flat):
        return loud
    tail = flat[full:]
    tail_loud = bool(tail.max() >= SILENCE_PEAK or tail.min() <= -SILENCE_PEAK)
    with_tail: npt.NDArray[np.bool_] = np.append(loud, tail_loud)
    return with_tail


def _channels(inbound: Pcm, outbound: Pcm, layout: Layout) -> Samples:
    if layout.track is Track.INBOUND:
        return inbound.reshape(-1, 1)
    if layout.track is Track.OUTBOUND:
        return outbound.reshape(-1, 1)
    if layout.channels is Channels.DUAL:
        # Channel 1 is the inbound track, channel 2 the outbound (Twilio dual-channel recordings).
        return np.stack([inbound, outbound], axis=1)
    return mix(inbound, outbound).reshape(-1, 1)


def mix(first: Pcm, second: Pcm) -> Pcm:
    """The saturating sum of two tracks: added in int32, clipped to int16, one block at a time."""
    mixed = np.empty(len(first), dtype=np.int16)
    wide = np.empty(min(len(first), _MIX_BLOCK_SAMPLES), dtype=np.int32)
    for start in range(0, len(first), _MIX_BLOCK_SAMPLES):
        end = min(start + _MIX_BLOCK_SAMPLES, len(first))
        block = wide[: end - start]
        np.add(first[start:end], second[start:end], out=block, dtype=np.int32)
        np.clip(block, -32768, 32767, out=block)
        mixed[start:end] = block
    return mixed


def _audible_span(loud_indices: npt.NDArray[np.intp], length: int) -> tuple[int, int]:
    """Sample bounds from the first loud window's start to the last loud window's end."""
    if len(loud_indices) == 0:
        return 0, 0
    start = int(loud_indices[0]) * SAMPLES_PER_FRAME
    end = min((int(loud_indices[-1]) + 1) * SAMPLES_PER_FRAME, length)
    return start, end


def _whole_seconds(duration_samples: int) -> int:
    return (duration_samples + SAMPLE_RATE_HZ // 2) // SAMPLE_RATE_HZ
