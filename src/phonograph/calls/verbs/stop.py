"""``<Stop><Recording name>``: stop the recordings ``<Start><Recording>`` began on this call, by
name; a ``<Recording>`` without a name stops all of them
(https://www.twilio.com/docs/voice/twiml/recording)."""

from __future__ import annotations

from phonograph import twiml
from phonograph.calls.interpreter import VerbRunner, runs
from phonograph.recording import Source


@runs(twiml.Stop)
class StopRunner(VerbRunner[twiml.Stop]):
    async def run(self) -> None:
        recordings = self.ctx.recordings
        if recordings is None:
            return
        for noun in self.verb.children:
            for live in recordings.live():
                if live.source == Source.START_CALL_RECORDING_TWIML and noun.name in (None, live.name):
                    await recordings.stop(live.sid)
