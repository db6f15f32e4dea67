"""``<Say>``: text to speech on the outbound track (https://www.twilio.com/docs/voice/twiml/say)."""

from __future__ import annotations

from phonograph import twiml
from phonograph.calls.interpreter import VerbRunner, play, runs


@runs(twiml.Say)
class SayRunner(VerbRunner[twiml.Say]):
    async def run(self) -> None:
        clip = await self.ctx.speech(self.verb)
        # loop="0" repeats until the call moves on (Twilio caps it at 1000; the call's end stops it).
        await play(self.ctx, clip, self.verb.loop)
