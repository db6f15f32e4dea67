"""``<Start><Recording>``: start background recordings and go on at once
(https://www.twilio.com/docs/voice/twiml/recording).

Each ``<Recording>`` starts one recording of this leg (``source`` StartCallRecordingTwiML,
docs/compatibility.md), two channels by default. A ``name`` already used by a running recording of the call is
a warning, and that noun is skipped; ``<Stop><Recording name>`` finds recordings by it.
"""

from __future__ import annotations

from phonograph import twiml
from phonograph.calls.interpreter import VerbRunner, runs, twiml_request
from phonograph.recording import Source

DUPLICATE_NAME = 12200


@runs(twiml.Start)
class StartRunner(VerbRunner[twiml.Start]):
    async def run(self) -> None:
        recordings = self.ctx.recordings
        if recordings is None:
            await self.ctx.warn(12200, "<Start><Recording> needs a call leg; a virtual phone cannot record")
            return
        # Each recording starts on the frame the verb was reached on, however long its plan takes
        # to resolve (a database read, slow on a loaded node): that time is not the call's.
        reached = self.ctx.media.frame_index
        with recordings.keeping_frames():
            for noun in self.verb.children:
                if noun.name is not None and any(live.name == noun.name for live in recordings.live()):
                    message = f"<Recording name={noun.name!r}> is already recording"
                    await self.ctx.warn(DUPLICATE_NAME, message)
                    continue
                request = twiml_request(self.ctx, noun, channels=noun.channels, track=noun.track)
                plan = await recordings.plan_for_twiml(Source.START_CALL_RECORDING_TWIML, request)
                await recordings.start(plan, name=noun.name, from_frame=reached)
