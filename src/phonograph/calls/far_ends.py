"""Who answers a call: a virtual phone, another call leg (one of the server's own numbers), or a
silent line. Sessions never know which; they ring a ``FarEnd`` and connect to its media leg.
"""

from __future__ import annotations

import asyncio
from enum import StrEnum
from typing import Protocol

from phonograph.media import MediaClock, MediaLeg, frames_in

SILENT_LINE_ANSWER_AFTER_S = 1.0


class Answer(StrEnum):
    """How a far end responds to ringing (the ``answer`` field of a virtual phone)."""

    ANSWER = "answer"
    BUSY = "busy"
    NO_ANSWER = "no-answer"
    FAILED = "failed"


class NearEnd(Protocol):
    """The calling side, as a far end sees it: told when the far end hangs up."""

    async def far_end_hung_up(self) -> None: ...


class FarEnd(Protocol):
    leg: MediaLeg

    async def ring(self, since_frame: int) -> Answer:
        """Resolves when the far end answers or refuses; it may never resolve (no-answer). A far
        end that answers after a while counts it from ``since_frame``, when ringing began."""

    def answered(self) -> None:
        """The call is connected: start sending audio."""

    async def hang_up(self) -> None:
        """The near end hung up (or gave up ringing)."""


class SilentLine:
    """A number nobody scripted: answers after 1 s and stays silent until hung up."""

    def __init__(self, media: MediaClock, name: str) -> None:
        self.leg = MediaLeg(name)
        self._media = media

    async def ring(self, since_frame: int) -> Answer:
        await self._media.sleep_until(since_frame + frames_in(SILENT_LINE_ANSWER_AFTER_S * 1000))
        return Answer.ANSWER

    def answered(self) -> None:
        pass

    async def hang_up(self) -> None:
        pass


async def ring_until(far_end: FarEnd, media: MediaClock, timeout_s: float, since_frame: int) -> Answer:
    """The far end's answer, or NO_ANSWER once ``timeout_s`` of media time has passed since
    ``since_frame``, the frame ringing began on (Twilio's ``Timeout``: how long to let the call
    ring, https://www.twilio.com/docs/voice/api/call-resource#create-a-call-resource). Storing the
    ringing status and finding the far end take wall time that is not ringing time."""
    ringing = asyncio.ensure_future(far_end.ring(since_frame))
    timer = asyncio.ensure_future(media.sleep_until(since_frame + frames_in(timeout_s * 1000)))
    try:
        await asyncio.wait({ringing, timer}, return_when=asyncio.FIRST_COMPLETED)
        return ringing.result() if ringing.done() else Answer.NO_ANSWER
    finally:
        ringing.cancel()
        timer.cancel()
        await asyncio.gather(ringing, timer, return_exceptions=True)
