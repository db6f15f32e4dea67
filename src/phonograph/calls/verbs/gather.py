"""``<Gather input="dtmf">``: collect keypresses while prompts play
(https://www.twilio.com/docs/voice/twiml/gather).

Digits are the DTMF events on the leg's inbound track (RFC 4733 end-of-event marks one press).
The first press stops the nested prompts (barge-in). After the prompts, and after each press,
``timeout`` seconds of media time without a press end the gather; so do ``finishOnKey`` (not
included in ``Digits``) and ``numDigits`` presses. Every way it can end goes through ``_finish``.
"""

from __future__ import annotations

import asyncio

from phonograph import twiml
from phonograph.calls.interpreter import Interpreter, VerbRunner, action_source, runs, within_media_ms
from phonograph.calls.source import ReplaceProgram
from phonograph.media import Frame


@runs(twiml.Gather)
class GatherRunner(VerbRunner[twiml.Gather]):
    digits: str
    finished_on_key: str | None

    async def run(self) -> None:
        self.digits = ""
        self.finished_on_key = None
        self._pressed = asyncio.Event()
        self._done = asyncio.Event()
        self.ctx.leg.listeners.append(self._on_frame)
        try:
            await self._prompt()
            while not self._done.is_set():
                self._pressed.clear()
                if not await within_media_ms(self.ctx, self._pressed.wait(), self.verb.timeout_s * 1000):
                    self._finish()
        finally:
            self.ctx.leg.listeners.remove(self._on_frame)
        await self._report()

    async def _prompt(self) -> None:
        prompts = asyncio.ensure_future(Interpreter(self.ctx).run(twiml.Document(self.verb.children, ())))
        first_press = asyncio.ensure_future(self._pressed.wait())
        try:
            await asyncio.wait({prompts, first_press}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            first_press.cancel()
            if not prompts.done():
                # Barge-in: a keypress cuts the prompt off mid-word.
                prompts.cancel()
                self.ctx.leg.stop_playing()
            await asyncio.gather(prompts, first_press, return_exceptions=True)
        if prompts.done() and not prompts.cancelled() and prompts.exception() is not None:
            raise prompts.exception()  # type: ignore[misc]

    def _on_frame(self, inbound: Frame, _outbound: Frame) -> None:
        event = inbound.dtmf
        if event is None or not event.end or self._done.is_set():
            return
        if event.digit in self.verb.finish_on_key:
            self.finished_on_key = event.digit
            self._finish()
        else:
            self.digits += event.digit
            if self.verb.num_digits is not None and len(self.digits) >= self.verb.num_digits:
                self._finish()
        self._pressed.set()

    def _finish(self) -> None:
        self._done.set()

    async def _report(self) -> None:
        if not self.digits and not self.verb.action_on_empty_result:
            return  # No input: Twilio moves on to the next verb.
        extra = [("Digits", self.digits)]
        if self.finished_on_key:
            extra.append(("FinishedOnKey", self.finished_on_key))
        source = action_source(self.ctx, self.verb.action, str(self.verb.method), extra)
        if source is not None:
            raise ReplaceProgram(source)
