"""``<Redirect>``: run another document instead (https://www.twilio.com/docs/voice/twiml/redirect)."""

from __future__ import annotations

from phonograph import twiml
from phonograph.calls.interpreter import VerbRunner, resolve_url, runs
from phonograph.calls.source import ProgramSource, ReplaceProgram


@runs(twiml.Redirect)
class RedirectRunner(VerbRunner[twiml.Redirect]):
    async def run(self) -> None:
        url = resolve_url(self.ctx, self.verb.url)
        params = tuple(self.ctx.webhook_params())
        raise ReplaceProgram(ProgramSource(url=url, method=str(self.verb.method), params=params))
