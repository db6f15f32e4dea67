"""``<Hangup>`` (https://www.twilio.com/docs/voice/twiml/hangup)."""

from __future__ import annotations

from phonograph import twiml
from phonograph.calls.interpreter import VerbRunner, runs
from phonograph.calls.source import EndProgram


@runs(twiml.Hangup)
class HangupRunner(VerbRunner[twiml.Hangup]):
    async def run(self) -> None:
        await self.ctx.hang_up()
        raise EndProgram
