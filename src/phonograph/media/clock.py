"""The one media clock: every leg's 20 ms frame is produced, exchanged and consumed in one batch.

A single owned task wakes once per frame period (``FRAME_MS / speed``) and runs every frame that
is due since the clock started, so a slow wake-up catches up instead of drifting, and a clock run
faster than real time (``PHONOGRAPH_SPEED`` > 1) runs several frames per wake-up. No per-call
sleeping: verbs wait on media time through ``sleep_ms`` (docs/architecture.md, "One media clock").
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from phonograph.media.frames import FRAME_MS, frames_in
from phonograph.media.leg import MediaLeg, run_frame

log = logging.getLogger(__name__)

LATENESS_WINDOW_TICKS = 15_000  # five minutes of lateness samples at speed 1


@dataclass
class TickStats:
    """How late each wake-up ran against its frame's schedule, in real milliseconds (the last
    window), and how many wake-ups were late by a whole frame period or more (a *late tick*)."""

    frames: int = 0
    late_ticks: int = 0
    lateness_ms: deque[float] = field(default_factory=lambda: deque(maxlen=LATENESS_WINDOW_TICKS))

    def percentile_ms(self, fraction: float) -> float:
        if not self.lateness_ms:
            return 0.0
        ordered = sorted(self.lateness_ms)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class MediaClock:
    """Media time in whole frames since start; legs join with ``add`` and leave with ``remove``."""

    def __init__(self, speed: float = 1.0, *, monotonic_s: Callable[[], float] = time.monotonic) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self.frame_index = 0
        self.stats = TickStats()
        self._monotonic_s = monotonic_s
        self._period_s = FRAME_MS / 1000 / speed
        self._legs: dict[int, MediaLeg] = {}
        self._timers: list[tuple[int, int, asyncio.Future[None]]] = []
        self._timer_ids = itertools.count()
        self._task: asyncio.Task[None] | None = None
        self._holds: Counter[int] = Counter()
        self.before_frame: list[Callable[[], None]] = []
        """Called before each frame (the SIP room decodes every phone's packet for it)."""
        self.after_frame: list[Callable[[], None]] = []
        """Called after each frame (the SIP room sends the frame's RTP and reads what came): a
        wake-up catching up after a stall reads the packets that came during it after its first
        frame, so the phones' jitter buffers have them for the frames that follow."""
        self.lag_frames = 0
        """Frames recorders keep back with no hold at all: while other nodes may send recording
        controls here, each arrives some frames after the frame it cuts at (calls/bus.py)."""

    @contextmanager
    def hold(self, frame: int) -> Iterator[None]:
        """While this lasts, frames from ``frame`` on may still be cut by what is being handled (a
        recording control that arrived on ``frame``): recorders keep them (recording/recorder.py)."""
        self._holds[frame] += 1
        try:
            yield
        finally:
            self._holds[frame] -= 1
            if not self._holds[frame]:
                del self._holds[frame]

    @property
    def held_from(self) -> int | None:
        """The first frame a hold (or the lag) keeps, or None when nothing holds frames back."""
        held = min(self._holds) if self._holds else None
        if not self.lag_frames:
            return held
        lagged = self.frame_index - self.lag_frames
        return lagged if held is None else min(held, lagged)

    @property
    def now_ms(self) -> int:
        return self.frame_index * FRAME_MS

    @property
    def leg_count(self) -> int:
        return len(self._legs)

    def add(self, leg: MediaLeg) -> None:
        self._legs[id(leg)] = leg

    def remove(self, leg: MediaLeg) -> None:
        self._legs.pop(id(leg), None)

    async def sleep_ms(self, duration_ms: float) -> None:
        """Wait ``duration_ms`` of media time (rounded up to whole frames)."""
        await self.sleep_until(self.frame_index + frames_in(duration_ms))

    async def sleep_until(self, frame: int) -> None:
        """Wait until ``frame`` has come (at once if it has): a wait counted from a frame in the
        past, such as the one a call began ringing on, ends where it would have had nothing
        delayed the waiter."""
        if frame <= self.frame_index:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._timers, (frame, next(self._timer_ids), future))
        await future

    def reset_stats(self) -> TickStats:
        """The stats so far; counting starts again from now."""
        stats, self.stats = self.stats, TickStats()
        return stats

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="media-clock")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    def run_frames(self, count: int) -> None:
        """Run ``count`` frames now (the loop's step; tests and benchmarks drive it directly too)."""
        for _ in range(count):
            for before in self.before_frame:
                before()
            run_frame(self._legs.values())
            self.frame_index += 1
            self._fire_timers()
            for after in self.after_frame:
                after()

    def _fire_timers(self) -> None:
        timers = self._timers
        while timers and timers[0][0] <= self.frame_index:
            _, _, future = heapq.heappop(timers)
            if not future.done():
                future.set_result(None)

    async def _run(self) -> None:
        started_s = self._monotonic_s()
        done = 0
        while True:
            now_s = self._monotonic_s()
            due = int((now_s - started_s) / self._period_s)
            if due > done:
                scheduled_s = started_s + (done + 1) * self._period_s
                lateness_s = now_s - scheduled_s
                self.stats.lateness_ms.append(lateness_s * 1000)
                if lateness_s >= self._period_s:
                    self.stats.late_ticks += 1
                self.stats.frames += due - done
                self.run_frames(due - done)
                done = due
            next_s = started_s + (done + 1) * self._period_s
            await asyncio.sleep(max(0.0, next_s - self._monotonic_s()))
