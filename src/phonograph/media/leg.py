"""Media legs: the two tracks of one side of a call, and what feeds them each frame.

A leg's *outbound* track is what it sends to its far end (a player's audio, or the *inbound* audio
of the leg it is bridged to); its *inbound* track is what its ``peer`` sent on the same frame. A
peer is the far end: a virtual phone's leg, the other leg of a call between two of the account's
numbers, or nobody (silence). A leg in a conference (``mixer``) sends the mix of the other members
instead. ``run_frame`` moves one 20 ms frame for every leg in phases — mix, produce, exchange,
consume — so the result never depends on the order legs are visited in.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Protocol

from phonograph.media.frames import SILENT_FRAME, Clip, Frame

if TYPE_CHECKING:
    from phonograph.media.mixer import Mixer

FrameListener = Callable[[Frame, Frame], None]
"""Called once per frame with (inbound, outbound): taps, DTMF collectors, recorders."""


class FrameSource(Protocol):
    """What a leg sends, frame by frame: a clip being played, or a real phone's audio as it arrives
    (sip/rtp_stream.py). ``None``: nothing more to send (the leg goes silent)."""

    def next_frame(self) -> Frame | None: ...

    def finish(self) -> None:
        """Stop: a player that is cut off resolves whatever waits for its end."""


class ClipPlayer:
    """Plays a clip ``loop`` times (0 = until stopped); ``done`` resolves when it ends or is stopped."""

    def __init__(self, clip: Clip, loop: int = 1) -> None:
        self.clip = clip
        self.loop = loop
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._index = 0
        self._plays = 0

    def next_frame(self) -> Frame | None:
        frames = self.clip.frames
        if self._index >= len(frames):
            self._plays += 1
            self._index = 0
            if not frames or (self.loop and self._plays >= self.loop):
                self.finish()
                return None
        frame = frames[self._index]
        self._index += 1
        return frame

    def finish(self) -> None:
        if not self.done.done():
            self.done.set_result(None)


class MediaLeg:
    """One side of a call as the platform sees it (``name`` is for logs: a CallSid or a phone)."""

    __slots__ = ("bridge", "inbound", "listeners", "mixer", "name", "outbound", "peer", "player")

    def __init__(self, name: str) -> None:
        self.name = name
        self.inbound: Frame = SILENT_FRAME
        self.outbound: Frame = SILENT_FRAME
        self.player: FrameSource | None = None
        self.peer: MediaLeg | None = None
        self.bridge: MediaLeg | None = None
        self.listeners: list[FrameListener] = []
        self.mixer: Mixer | None = None

    def start_clip(self, clip: Clip, loop: int = 1) -> ClipPlayer:
        """Send ``clip`` from the next frame on, cutting off whatever was playing."""
        self.stop_playing()
        self.player = ClipPlayer(clip, loop)
        return self.player

    def stop_playing(self) -> None:
        if self.player is not None:
            self.player.finish()
            self.player = None

    def _produce(self) -> None:
        mixer = self.mixer
        if mixer is not None and mixer.hears(self):
            self.outbound = mixer.output_for(self)
            return
        if self.bridge is not None:
            # The bridged leg's inbound from the previous frame: 20 ms of latency, order-free.
            self.outbound = self.bridge.inbound
            return
        player = self.player
        if player is None:
            self.outbound = SILENT_FRAME
            return
        frame = player.next_frame()
        if frame is None:
            self.player = None
            frame = SILENT_FRAME
        self.outbound = frame


def connect(a: MediaLeg, b: MediaLeg) -> None:
    """Make ``a`` and ``b`` each other's far end."""
    a.peer, b.peer = b, a


def disconnect(leg: MediaLeg) -> None:
    peer = leg.peer
    leg.peer = None
    if peer is not None and peer.peer is leg:
        peer.peer = None


def run_frame(legs: Iterable[MediaLeg]) -> None:
    """Move one frame on every leg: mix conferences, produce outbound, exchange with peers, hand both
    to listeners. Each conference mixes once, from the inbound of the previous frame, before any leg
    produces: the same 20 ms of latency a bridge has, whatever order the legs come in."""
    batch = list(legs)
    mixers: dict[int, Mixer] = {}
    for leg in batch:
        mixer = leg.mixer
        if mixer is not None:
            mixers[id(mixer)] = mixer
    for mixer in mixers.values():
        mixer.mix()
    for leg in batch:
        leg._produce()
    for leg in batch:
        peer = leg.peer
        leg.inbound = SILENT_FRAME if peer is None else peer.outbound
    for leg in batch:
        for listener in leg.listeners:
            listener(leg.inbound, leg.outbound)
