"""``<Say>`` with long text plays piece by piece: the first piece is heard while the next is still
being synthesized, every piece is heard once per loop, in order. Media time is stepped by hand."""

from __future__ import annotations

import asyncio
from typing import cast

import numpy as np
import pytest

from phonograph import twiml
from phonograph.calls.interpreter import VerbContext
from phonograph.calls.verbs.say import SayRunner
from phonograph.media import SAMPLES_PER_FRAME, Clip, MediaClock, MediaLeg, connect, speech_pieces

SENTENCE = "This sentence is about sixty characters long, give or take a few."
TEXT = " ".join(f"{SENTENCE} Part {n}." for n in range(8))
PIECES = speech_pieces(TEXT)
PIECE_FRAMES = 3


class Line:
    """The context a ``<Say>`` runs in: a leg whose far end keeps what it hears, and a speech
    engine that says piece ``n`` as ``PIECE_FRAMES`` frames of the constant ``n + 1`` and holds
    back every piece after the first until ``release`` is set."""

    def __init__(self) -> None:
        self.clock = MediaClock()
        self.leg, self.phone = MediaLeg("call"), MediaLeg("phone")
        connect(self.leg, self.phone)
        self.clock.add(self.leg)
        self.clock.add(self.phone)
        self.heard: list[int] = []
        self.phone.listeners.append(lambda inbound, _outbound: self.heard.append(int(inbound.samples[0])))
        self.asked: list[str] = []
        self.release = asyncio.Event()

    async def speech(self, say: twiml.Say) -> Clip:
        self.asked.append(say.text)
        if say.text != PIECES[0]:
            await self.release.wait()
        value = PIECES.index(say.text) + 1
        return Clip(np.full(PIECE_FRAMES * SAMPLES_PER_FRAME, value, dtype=np.int16))

    async def step(self, frames: int) -> None:
        for _ in range(frames):
            await asyncio.sleep(0)
            self.clock.run_frames(1)

    def spoken(self) -> list[int]:
        """The piece values heard, one per piece played (silent frames between pieces dropped)."""
        values = [value for value in self.heard if value]
        return values[::PIECE_FRAMES]


async def say(loop: int) -> tuple[Line, asyncio.Task[None]]:
    line = Line()
    runner = SayRunner(twiml.Say(TEXT, loop=loop), cast(VerbContext, line))
    return line, asyncio.ensure_future(runner.run())


def test_the_text_is_several_pieces() -> None:
    assert len(PIECES) >= 3


@pytest.mark.parametrize("loop", [1, 2])
def test_the_first_piece_plays_before_the_next_is_ready_and_every_piece_plays_in_order(loop: int) -> None:
    async def run() -> None:
        line, task = await say(loop)
        await line.step(2 * PIECE_FRAMES)
        assert line.spoken() == [1]  # heard while piece 2 is still being synthesized
        assert line.asked == PIECES[:2]
        line.release.set()
        await line.step(len(PIECES) * loop * (PIECE_FRAMES + 2))
        assert task.done()
        await task
        assert line.spoken() == list(range(1, len(PIECES) + 1)) * loop

    asyncio.run(run())


def test_loop_0_repeats_until_the_call_moves_on_and_leaves_nothing_running() -> None:
    async def run() -> None:
        line, task = await say(0)
        line.release.set()
        await line.step(3 * len(PIECES) * (PIECE_FRAMES + 2))
        assert line.spoken()[: 2 * len(PIECES)] == list(range(1, len(PIECES) + 1)) * 2
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        assert task.cancelled()
        assert len(asyncio.all_tasks()) == 1  # the prefetch of the next piece went with it

    asyncio.run(run())
