"""``<Dial>``: call other parties and bridge them to this call (https://www.twilio.com/docs/voice/twiml/dial).

The session does the dialling and bridging; this runner turns the outcome into the ``action``
request (``DialCallStatus``, ``DialCallSid``, ``DialCallDuration``, ``DialBridged``) or, without an
action, moves on to the next verb as Twilio does.
"""

from __future__ import annotations

from phonograph import twiml
from phonograph.calls.interpreter import VerbRunner, action_source, runs
from phonograph.calls.source import ReplaceProgram


@runs(twiml.Dial)
class DialRunner(VerbRunner[twiml.Dial]):
    async def run(self) -> None:
        outcome = await self.ctx.dial(self.verb)
        if self.verb.action is None:
            return
        source = action_source(self.ctx, self.verb.action, str(self.verb.method), outcome)
        if source is not None:
            raise ReplaceProgram(source)
