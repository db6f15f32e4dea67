"""Track capture for local testing: the first seconds of a call leg's inbound and outbound tracks,
kept in memory and served as a two-channel WAV (``GET /phonograph/v1/Calls/{CallSid}/Tracks.wav``).

Off unless ``PHONOGRAPH_CAPTURE_S`` > 0. Recordings (the recording issue) are the product; this
is the test bench's microphone on the wire, so tests can check audio by analysing it.
"""

from __future__ import annotations

import io
import wave
from collections import OrderedDict

import numpy as np

from phonograph.media import FRAME_MS, SAMPLE_RATE_HZ, Frame, Pcm

KEPT_CALLS = 256


class TrackCapture:
    """A frame listener that keeps up to ``limit_s`` of both tracks."""

    def __init__(self, limit_s: float) -> None:
        self._limit_frames = int(limit_s * 1000 / FRAME_MS)
        self._inbound: list[Pcm] = []
        self._outbound: list[Pcm] = []

    def __call__(self, inbound: Frame, outbound: Frame) -> None:
        if len(self._inbound) < self._limit_frames:
            self._inbound.append(inbound.samples)
            self._outbound.append(outbound.samples)

    def wav(self) -> bytes:
        """Channel 1 = inbound (what the far end sent), channel 2 = outbound (what it was sent)."""
        empty = np.zeros(0, dtype=np.int16)
        inbound = np.concatenate(self._inbound) if self._inbound else empty
        outbound = np.concatenate(self._outbound) if self._outbound else empty
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as writer:
            writer.setnchannels(2)
            writer.setsampwidth(2)
            writer.setframerate(SAMPLE_RATE_HZ)
            writer.writeframes(np.column_stack([inbound, outbound]).astype("<i2").tobytes())
        return buffer.getvalue()


class CaptureShelf:
    """The captures of the most recent ``KEPT_CALLS`` call legs, by CallSid."""

    def __init__(self, limit_s: float) -> None:
        self.limit_s = limit_s
        self._captures: OrderedDict[str, TrackCapture] = OrderedDict()

    def start(self, call_sid: str) -> TrackCapture | None:
        if self.limit_s <= 0:
            return None
        capture = TrackCapture(self.limit_s)
        self._captures[call_sid] = capture
        while len(self._captures) > KEPT_CALLS:
            self._captures.popitem(last=False)
        return capture

    def get(self, call_sid: str) -> TrackCapture | None:
        return self._captures.get(call_sid)
