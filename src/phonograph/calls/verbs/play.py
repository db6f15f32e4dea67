"""``<Play>``: an audio file, or ``digits`` as DTMF (https://www.twilio.com/docs/voice/twiml/play)."""

from __future__ import annotations

from phonograph import twiml
from phonograph.calls.interpreter import VerbRunner, play, resolve_url, runs
from phonograph.media import dtmf_clip


@runs(twiml.Play)
class PlayRunner(VerbRunner[twiml.Play]):
    async def run(self) -> None:
        if self.verb.digits is not None:
            # Digits are sent once; Twilio ignores loop for them.
            await play(self.ctx, dtmf_clip(self.verb.digits))
            return
        assert self.verb.url is not None, "the parser requires a URL or digits"
        clip = await self.ctx.audio(resolve_url(self.ctx, self.verb.url))
        await play(self.ctx, clip, self.verb.loop)
