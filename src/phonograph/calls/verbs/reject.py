"""``<Reject>``: refuse an unanswered call as busy or rejected
(https://www.twilio.com/docs/voice/twiml/reject)."""

from __future__ import annotations

from phonograph import twiml
from phonograph.calls.interpreter import VerbRunner, runs
from phonograph.calls.source import EndProgram


@runs(twiml.Reject)
class RejectRunner(VerbRunner[twiml.Reject]):
    async def run(self) -> None:
        await self.ctx.reject(str(self.verb.reason))
        raise EndProgram
