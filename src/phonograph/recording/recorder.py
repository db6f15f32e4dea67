"""The tap: a frame listener on a call leg that feeds one recording's journal.

A pause, resume or stop takes effect at the media frame its request *arrived* on, although the
request is handled (auth, database) some frames later: the control is queued with its frame index
and applied as that frame leaves a delay line in memory. The line holds only what such a request
in flight may still cut: frames from its arrival frame on (``MediaClock.hold``, taken for each
control request as it arrives, app.py), never more than ``DELAY_FRAMES``; with none in flight a
frame goes to the journal as it is made. So a ``kill -9`` loses only what the journal had not yet
fsynced (recording/journal.py), and paused audio never reaches the disk: a paused recording writes
nothing (``skip``) or zeros (``silence``), and the journal, up to the frame count its stop event
gives (``stop``), holds exactly the finished recording.

A start requested over REST begins on the frame its request arrived on as well: while such a
request is handled, the leg keeps its recent frames in a ``FrameHistory`` (at most
``HISTORY_FRAMES``), and the new recorder's line starts with those since the arrival frame.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from enum import Enum

import numpy as np

from phonograph.media import SAMPLES_PER_FRAME, Frame, MediaClock, Pcm
from phonograph.recording.journal import Journal
from phonograph.recording.state import PauseBehavior

DELAY_FRAMES = 50
"""One second of media: how late a control may be handled and still cut at its arrival frame (one
handled later cuts at the oldest frame still in the line)."""

HISTORY_FRAMES = 250
"""Five seconds of media: how late a REST start may be handled and still record from its arrival
frame (one handled later starts this long before it was handled). Kept only while a start
request is in flight: 160 KB per call being started."""

_ZEROS: Pcm = np.zeros(SAMPLES_PER_FRAME, dtype=np.int16)
_Line = tuple[int, Pcm, Pcm]  # (frame index, inbound, outbound)


class FrameHistory:
    """A frame listener that keeps a leg's last ``HISTORY_FRAMES`` frames with their indexes, for
    the recordings its ``users`` (start requests in flight) are about to begin."""

    def __init__(self, media: MediaClock) -> None:
        self._media = media
        self._frames: deque[_Line] = deque(maxlen=HISTORY_FRAMES)
        self.users = 0

    def __call__(self, inbound: Frame, outbound: Frame) -> None:
        self._frames.append((self._media.frame_index, inbound.samples, outbound.samples))

    def since(self, frame_index: int) -> list[_Line]:
        return [line for line in self._frames if line[0] >= frame_index]


class Mode(Enum):
    RECORDING = "recording"
    SKIP = "skip"
    SILENCE = "silence"
    STOPPED = "stopped"


MODE_OF_PAUSE = {PauseBehavior.SKIP: Mode.SKIP, PauseBehavior.SILENCE: Mode.SILENCE}
_PAUSED = (Mode.SKIP, Mode.SILENCE)

MAX_PAUSES = 1000
"""Pauses a recording's ledger keeps (the first ones): a bound on what a client's controls cost."""


@dataclass(frozen=True)
class Pause:
    """One pause as it lies in the journal: from ``start_frame`` to ``end_frame`` of the journaled
    frames (equal for ``skip``: nothing was written), ``media_frames`` of the call's media long."""

    behavior: str
    start_frame: int
    end_frame: int
    media_frames: int

    def as_json(self) -> list[int | str]:
        return [self.behavior, self.start_frame, self.end_frame, self.media_frames]


class Recorder:
    """Called once per frame with the leg's (inbound, outbound); ``control`` and ``stop`` steer it.

    It is attached to its leg before its journal exists (``attach``): making a journal is a thread
    hop and an fsync, and the audio of those frames belongs to the recording. Until then frames
    stay in the delay line, which grows for as long as the journal takes to be made.
    """

    def __init__(self, media: MediaClock, earlier: list[_Line] | None = None) -> None:
        """``earlier``: frames the leg made before the recorder was attached that belong to the
        recording (``FrameHistory.since``)."""
        self._journal: Journal | None = None
        self._media = media
        self._line: deque[_Line] = deque(earlier or ())
        self._controls: deque[tuple[int, Mode]] = deque()
        self._journaled: deque[int] = deque(maxlen=DELAY_FRAMES)  # the last frames journaled
        self._mode = Mode.RECORDING
        self._paused_at: tuple[int, int] | None = None  # (journaled frames, media frame) of a pause
        self.pauses: list[Pause] = []

    def attach(self, journal: Journal) -> None:
        self._journal = journal

    @property
    def journal(self) -> Journal:
        assert self._journal is not None, "the recorder's journal is attached before it is used"
        return self._journal

    def __call__(self, inbound: Frame, outbound: Frame) -> None:
        # Listeners run while the clock's frame_index is the frame being moved.
        line = self._line
        line.append((self._media.frame_index, inbound.samples, outbound.samples))
        if self._journal is None:
            return
        held_from = self._media.held_from
        while line and (len(line) > DELAY_FRAMES or held_from is None or line[0][0] < held_from):
            self._emit(*line.popleft())

    def control(self, mode: Mode, at_frame: int) -> None:
        """From ``at_frame`` on (or the oldest frame still in the line), record in ``mode``."""
        if self._controls:
            # Controls apply in the order they were handled.
            at_frame = max(at_frame, self._controls[-1][0])
        self._controls.append((at_frame, mode))

    def stop(self, at_frame: int) -> int:
        """Journal every frame before ``at_frame``, drop the rest, and record nothing more. Returns
        how many journaled frames the recording keeps: a stop decided on a frame already journaled
        (the end of a ``<Record>`` or a ``<Dial>``, seen by its task some frames later) keeps only
        those before it, up to ``DELAY_FRAMES`` back (recording/journal.py cuts them on reading)."""
        self.control(Mode.STOPPED, at_frame)
        while self._line:
            self._emit(*self._line.popleft())
        self._controls.clear()
        late = sum(1 for frame_index in self._journaled if frame_index >= at_frame)
        kept = self.journal.frames - late
        self._switch(Mode.STOPPED, at_frame, kept)
        return kept

    @property
    def stopped(self) -> bool:
        return self._mode is Mode.STOPPED

    def _apply_controls(self, frame_index: int) -> None:
        controls = self._controls
        while controls and controls[0][0] <= frame_index and self._mode is not Mode.STOPPED:
            self._switch(controls.popleft()[1], frame_index, self.journal.frames)

    def _switch(self, mode: Mode, frame_index: int, journaled: int) -> None:
        """Record in ``mode`` from media frame ``frame_index``, ``journaled`` frames in; a pause
        that ends here goes to the ledger."""
        if self._paused_at is not None and mode is not self._mode:
            start, paused_from = self._paused_at
            self._paused_at = None
            if len(self.pauses) < MAX_PAUSES:
                self.pauses.append(Pause(self._mode.value, start, journaled, frame_index - paused_from))
        if mode in _PAUSED and self._paused_at is None:
            self._paused_at = (journaled, frame_index)
        self._mode = mode

    def _emit(self, frame_index: int, inbound: Pcm, outbound: Pcm) -> None:
        if self._controls:
            self._apply_controls(frame_index)
        mode = self._mode
        if mode is Mode.RECORDING:
            self.journal.append(inbound, outbound)
        elif mode is Mode.SILENCE:
            self.journal.append(_ZEROS, _ZEROS)
        else:
            return
        self._journaled.append(frame_index)
