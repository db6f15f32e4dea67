"""Virtual phones: scripted far ends for local testing (``/phonograph/v1/Phones``).

A phone answers as told (``answer``, after ``answer_after_s`` of media time), then runs its
``twiml`` with the same interpreter as calls: its Say/Play/Pause are the audio it sends, which
is the call's *inbound* track; ``<Hangup/>`` hangs up; after the script it stays on the line,
silent, until the call ends.
"""

from __future__ import annotations

import asyncio
import logging

from phonograph import twiml
from phonograph.calls.contracts import CallLeg
from phonograph.calls.far_ends import Answer
from phonograph.calls.interpreter import Interpreter
from phonograph.calls.params import Params
from phonograph.calls.runtime import Runtime
from phonograph.calls.source import EndProgram, ReplaceProgram
from phonograph.core import PhonographError
from phonograph.media import Clip, MediaClock, MediaLeg, frames_in
from phonograph.store import VirtualPhone

log = logging.getLogger(__name__)


class VirtualPhoneLine:
    def __init__(self, runtime: Runtime, caller: CallLeg, phone: VirtualPhone) -> None:
        self._runtime = runtime
        self._caller = caller
        self._phone = phone
        self._script: asyncio.Task[None] | None = None
        self.leg = MediaLeg(f"phone {phone.phone_number}")

    async def ring(self, since_frame: int) -> Answer:
        answer = Answer(self._phone.answer)
        if answer is Answer.NO_ANSWER:
            await asyncio.Event().wait()  # rings until the caller's timeout
        await self._runtime.media.sleep_until(since_frame + frames_in(self._phone.answer_after_s * 1000))
        return answer

    def answered(self) -> None:
        self._runtime.media.add(self.leg)
        if self._phone.twiml:
            self._script = self._runtime.tasks.spawn(self._run_script(), name=f"phone {self._phone.sid}")

    async def _run_script(self) -> None:
        assert self._phone.twiml is not None
        try:
            await Interpreter(PhoneContext(self)).run(twiml.parse(self._phone.twiml))
        except EndProgram:
            await self.hang_up_from_phone()
        except ReplaceProgram:
            pass  # A phone has no app to fetch from: its script simply ends.

    async def hang_up_from_phone(self) -> None:
        self._leave()
        await self._caller.far_end_hung_up()

    async def hang_up(self) -> None:
        if self._script is not None and self._script is not asyncio.current_task():
            self._script.cancel()
        self._leave()

    def _leave(self) -> None:
        self.leg.stop_playing()
        self._runtime.media.remove(self.leg)


class PhoneContext:
    """The ``VerbContext`` of a phone's script: audio goes out on the phone's own leg."""

    def __init__(self, line: VirtualPhoneLine) -> None:
        self._line = line

    @property
    def leg(self) -> MediaLeg:
        return self._line.leg

    @property
    def media(self) -> MediaClock:
        return self._line._runtime.media

    @property
    def document_url(self) -> str | None:
        return None

    def webhook_params(self) -> Params:
        return []

    async def speech(self, say: twiml.Say) -> Clip:
        return await self._line._caller.speech(say)

    async def audio(self, url: str) -> Clip:
        return await self._line._caller.audio(url)

    @property
    def recordings(self) -> None:
        return None  # the phone is the far end: recording happens on the call's own leg

    async def dial(self, dial: twiml.Dial) -> Params:
        raise PhonographError("a virtual phone cannot <Dial>", code=12100)

    async def hang_up(self) -> None:
        pass  # EndProgram follows; the line hangs up when the script stops.

    async def reject(self, reason: str) -> None:
        pass

    async def warn(self, code: int, message: str) -> None:
        log.info("virtual phone warning phone=%s code=%s", self._line._phone.phone_number, code)
