"""``<Pause>``: silence on the outbound track (https://www.twilio.com/docs/voice/twiml/pause)."""

from __future__ import annotations

from phonograph import twiml
from phonograph.calls.interpreter import VerbRunner, runs


@runs(twiml.Pause)
class PauseRunner(VerbRunner[twiml.Pause]):
    async def run(self) -> None:
        await self.ctx.media.sleep_ms(self.verb.length_s * 1000)
