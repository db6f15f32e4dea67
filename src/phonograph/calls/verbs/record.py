"""``<Record>``: beep, record the caller on one channel, then ask ``action`` what next
(https://www.twilio.com/docs/voice/twiml/record).

The recording ends at the first of: ``finishOnKey`` pressed, ``timeout`` seconds of silence on the
caller's track (0 = never), ``maxLength`` seconds, or the caller hanging up. Every way ends in
``_finish``. Then:

- nothing audible was recorded: no request; the next verb runs (Twilio's documented behaviour);
- otherwise ``action`` (default: this document) gets ``RecordingUrl``, ``RecordingDuration`` (before
  trimming), ``Digits`` (the key, or ``hangup``) and ``RecordingSid`` (docs/compatibility.md), and its answer
  replaces the program — or, after a hang-up, the request goes out through the outbox with
  ``CallStatus=completed`` and its answer is ignored.

``transcribe="true"`` has the completed recording transcribed (a legacy ``TR…`` transcription,
recording/transcriptions.py), its result POSTed to ``transcribeCallback`` (relative to this
document, as ``action`` is). A ``transcribeCallback`` alone asks for a transcription too: the
callback has no other use.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

import numpy as np

from phonograph import twiml
from phonograph.calls.interpreter import (
    VerbRunner,
    action_source,
    play,
    resolve_url,
    runs,
    twiml_request,
    within_media_ms,
)
from phonograph.calls.source import ReplaceProgram
from phonograph.media import FRAME_MS, Clip, Frame, tone
from phonograph.recording import SILENCE_PEAK, Source
from phonograph.store import Recording

BEEP = Clip(tone(1000, 500))
HANG_UP = "hangup"
ENDED = "completed"


@runs(twiml.Record)
class RecordRunner(VerbRunner[twiml.Record]):
    async def run(self) -> None:
        recordings = self.ctx.recordings
        if recordings is None:
            await self.ctx.warn(12200, "<Record> needs a call leg; a virtual phone cannot record")
            return
        plan = await recordings.plan_for_twiml(Source.RECORD_VERB, twiml_request(self.ctx, self.verb))
        callback = self.verb.transcribe_callback
        plan = replace(
            plan,
            transcribe=self.verb.transcribe or callback is not None,
            transcribe_callback=resolve_url(self.ctx, callback) if callback is not None else None,
        )
        if self.verb.play_beep:
            await play(self.ctx, BEEP)
        self.key: str | None = None
        self.heard = False
        self._ended = asyncio.Event()
        self._quiet_frames = 0
        # The tap joins the leg at this frame (or the next): the recording's first. Its end is a
        # frame too (the key's last, the last quiet one, maxLength's), and the recording stops
        # exactly there however many frames later this task gets round to stopping it.
        media = self.ctx.media
        self._first_frame = media.frame_index
        self._end_frame: int | None = None
        limit_frame = self._first_frame + self.verb.max_length_s * 1000 // FRAME_MS
        self.ctx.leg.listeners.append(self._on_frame)
        try:
            recording = await recordings.start(plan)
            try:
                await within_media_ms(
                    self.ctx, self._ended.wait(), (limit_frame - media.frame_index) * FRAME_MS
                )
            except asyncio.CancelledError:
                # The caller hung up: the call is ending, but the action request is still owed.
                self.key = self.key or HANG_UP
                end_frame = self._end_frame or media.frame_index
                await asyncio.shield(self._report(recording, end_frame, after_hang_up=True))
                raise
        finally:
            self.ctx.leg.listeners.remove(self._on_frame)
        await self._report(recording, self._end_frame or limit_frame, after_hang_up=False)

    def _on_frame(self, inbound: Frame, _outbound: Frame) -> None:
        if self._ended.is_set():
            return
        event = inbound.dtmf
        if event is not None and event.end and event.digit in self.verb.finish_on_key:
            self.key = event.digit
            self._finish()
            return
        if int(np.abs(inbound.samples).max(initial=0)) >= SILENCE_PEAK:
            self.heard = True
            self._quiet_frames = 0
            return
        self._quiet_frames += 1
        timeout_s = self.verb.timeout_s
        if timeout_s and self._quiet_frames * FRAME_MS >= timeout_s * 1000:
            self._finish()

    def _finish(self) -> None:
        """End with the frame being moved now (listeners run while it is the clock's frame)."""
        self._end_frame = self.ctx.media.frame_index + 1
        self._ended.set()

    async def _report(self, recording: Recording, end_frame: int, *, after_hang_up: bool) -> None:
        recordings = self.ctx.recordings
        assert recordings is not None
        duration_ms = (end_frame - self._first_frame) * FRAME_MS
        await recordings.stop(recording.sid, at_frame=end_frame)
        if not self.heard:
            return
        extra = [
            ("RecordingUrl", recordings.url(recording)),
            ("RecordingDuration", str(round(duration_ms / 1000))),
            ("RecordingSid", recording.sid),
        ]
        if self.key is not None:
            extra.append(("Digits", self.key))
        source = action_source(self.ctx, self.verb.action, str(self.verb.method), extra)
        if source is None or source.url is None:
            return
        if after_hang_up:
            # Sent once the call is over, so it describes a completed call (as a status callback
            # about the hang-up would), not the in-progress call the session still is meanwhile.
            params = [(name, ENDED if name == "CallStatus" else value) for name, value in source.params]
            await recordings.request_after_hang_up(source.url, source.method, params)
            return
        raise ReplaceProgram(source)
