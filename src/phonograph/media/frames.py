"""The shared audio types: 20 ms frames of 16-bit PCM at 8 kHz, DTMF events, and clips.

Audio is never bare bytes (docs/style.md rule 2): it is a mono ``int16`` numpy array at 8 kHz.
DTMF travels beside the samples as events, the way RFC 4733 telephone-events travel beside RTP
audio: a digit's frames carry ``DtmfEvent(digit, end=False)`` and its last frame ``end=True``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

SAMPLE_RATE_HZ = 8000
FRAME_MS = 20
SAMPLES_PER_FRAME = SAMPLE_RATE_HZ * FRAME_MS // 1000

Pcm = npt.NDArray[np.int16]
"""Mono 16-bit PCM at ``SAMPLE_RATE_HZ``."""


def frames_in(duration_ms: float) -> int:
    """Whole frames covering ``duration_ms`` (rounded up; none for a duration not above zero)."""
    return max(0, -(-int(duration_ms) // FRAME_MS))


def silence(duration_samples: int) -> Pcm:
    return np.zeros(duration_samples, dtype=np.int16)


@dataclass(frozen=True, slots=True)
class DtmfEvent:
    digit: str
    end: bool


@dataclass(frozen=True, slots=True)
class Frame:
    samples: Pcm
    dtmf: DtmfEvent | None = None


FRAME_OBJECT_BYTES = 200
"""A ``Frame`` and its numpy view, measured with tracemalloc (the samples are the clip's own)."""

SILENT_FRAME = Frame(silence(SAMPLES_PER_FRAME))
SILENT_FRAME.samples.setflags(write=False)

_NO_EVENTS: Mapping[int, DtmfEvent] = MappingProxyType({})


@dataclass(frozen=True)
class Clip:
    """Audio ready to send frame by frame; ``dtmf`` maps a frame index to the event it carries."""

    samples: Pcm
    dtmf: Mapping[int, DtmfEvent] = field(default_factory=lambda: _NO_EVENTS)

    @property
    def frame_count(self) -> int:
        return -(-len(self.samples) // SAMPLES_PER_FRAME)

    @property
    def duration_ms(self) -> int:
        return len(self.samples) * 1000 // SAMPLE_RATE_HZ

    @property
    def memory_bytes(self) -> int:
        """What the clip holds in memory once its frames are made (for byte-bounded caches)."""
        return int(self.samples.nbytes) + self.frame_count * FRAME_OBJECT_BYTES

    @cached_property
    def frames(self) -> tuple[Frame, ...]:
        """Every frame, made once: a looping or shared clip costs no work per frame sent."""
        return tuple(self.frame(index) for index in range(self.frame_count))

    def frame(self, index: int) -> Frame:
        """Frame ``index``; the last one is padded with silence."""
        start = index * SAMPLES_PER_FRAME
        samples = self.samples[start : start + SAMPLES_PER_FRAME]
        if len(samples) < SAMPLES_PER_FRAME:
            samples = np.concatenate([samples, silence(SAMPLES_PER_FRAME - len(samples))])
        return Frame(samples, self.dtmf.get(index))

    @staticmethod
    def concat(clips: list[Clip]) -> Clip:
        """The clips one after another, each starting on a frame boundary (so events keep their frames)."""
        parts: list[Pcm] = []
        events: dict[int, DtmfEvent] = {}
        frames_so_far = 0
        for clip in clips:
            padded = clip.frame_count * SAMPLES_PER_FRAME
            parts.append(np.concatenate([clip.samples, silence(padded - len(clip.samples))]))
            events.update({frames_so_far + index: event for index, event in clip.dtmf.items()})
            frames_so_far += clip.frame_count
        samples = np.concatenate(parts) if parts else silence(0)
        return Clip(samples, MappingProxyType(events))
