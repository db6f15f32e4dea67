"""``<Say>``: text to speech on the outbound track (https://www.twilio.com/docs/voice/twiml/say).

Long text is spoken piece by piece (``speech_pieces``): the next piece is synthesized while one
plays, so a call hears its first sentence without waiting for the rest, and holds the process's
one speech engine for a piece at a time, not for its whole text.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools

from phonograph import twiml
from phonograph.calls.interpreter import VerbRunner, play, runs
from phonograph.media import Clip, speech_pieces


@runs(twiml.Say)
class SayRunner(VerbRunner[twiml.Say]):
    async def run(self) -> None:
        pieces = speech_pieces(self.verb.text)
        if len(pieces) <= 1:
            # loop="0" repeats until the call moves on (Twilio caps it at 1000; the call's end stops it).
            await play(self.ctx, await self.ctx.speech(self.verb), self.verb.loop)
            return
        rounds = itertools.count() if self.verb.loop == 0 else range(self.verb.loop)
        texts = (piece for _ in rounds for piece in pieces)
        upcoming = self._spoken(next(texts))
        try:
            for text in texts:
                clip = await upcoming
                upcoming = self._spoken(text)
                await play(self.ctx, clip)
            await play(self.ctx, await upcoming)
        finally:
            upcoming.cancel()
            await asyncio.gather(upcoming, return_exceptions=True)

    def _spoken(self, text: str) -> asyncio.Future[Clip]:
        return asyncio.ensure_future(self.ctx.speech(dataclasses.replace(self.verb, text=text)))
