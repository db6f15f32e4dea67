"""Conference audio on the media clock: every member hears the sum of the others.

A ``<Conference>`` participant hears everyone else in the room, not itself; a muted participant
still hears, but is not heard; a participant on hold neither hears nor is heard and gets hold music
instead (https://www.twilio.com/docs/voice/twiml/conference#attributes-muted,
https://www.twilio.com/docs/voice/api/conference-participant-resource#update-a-participant-resource,
``Hold`` and ``HoldUrl``). ``Mixer.mix`` runs once per frame before legs produce, from each member's
*inbound* of the previous frame — the same 20 ms of latency a ``<Dial>`` bridge has — so the result
never depends on the order legs are visited in.

The sum is taken once in ``int32`` and each talker's own voice is subtracted from it, so a frame
costs O(members), and members who send nothing (``SILENT_FRAME``) all share one output frame.
Results saturate to ``int16`` instead of wrapping. Conference audio is mixed PCM: it carries no
DTMF events (a member's own DTMF still reaches its own leg's listeners on its inbound track).

The mixer also watches who is talking, for the conference ``speaker`` status callback event
(https://www.twilio.com/docs/voice/api/conference-resource#conference-status-callback-events),
and feeds recording taps the first member's voice and the rest of the room apart, for dual-channel
conference recordings.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from phonograph.media.frames import FRAME_MS, SILENT_FRAME, Clip, Frame, Pcm
from phonograph.media.leg import ClipPlayer, FrameListener, MediaLeg

SPEAKING_PEAK = 1000
"""A frame whose peak reaches this (about -30 dBFS) counts as talk; quieter is room noise."""
SPEAKING_START_MS = 60
"""Talk must last this long (consecutive loud frames) before a member counts as speaking."""
SPEAKING_STOP_MS = 500
"""A speaking member stops speaking after this long without a loud frame."""
_START_FRAMES = SPEAKING_START_MS // FRAME_MS
_STOP_FRAMES = SPEAKING_STOP_MS // FRAME_MS

# numpy scalars, not Python ints: np.clip then runs its int32 loop without converting the bounds.
_INT16_MIN = np.int32(-32768)
_INT16_MAX = np.int32(32767)
_SILENCE = SILENT_FRAME.samples


class _Member:
    """One leg in the room, with its flags, its own announcement player and its talk detector."""

    __slots__ = (
        "held",
        "key",
        "leg",
        "loud_at",
        "loud_frames",
        "muted",
        "player",
        "quiet_frames",
        "speaking",
    )

    def __init__(self, leg: MediaLeg, muted: bool, held: bool) -> None:
        self.leg = leg
        self.key = id(leg)
        self.muted = muted
        self.held = held
        self.player: ClipPlayer | None = None
        self.loud_at = -1  # the last frame (of this mixer) on which it was loud
        self.loud_frames = 0
        self.quiet_frames = 0
        self.speaking = False


class Mixer:
    """A conference's audio on the media clock: every member hears the sum of the others.

    ``listeners`` are recording taps, called once per frame with ``(first, rest)``: ``first`` is
    the voice of the first member ever added (channel 1 of a dual-channel conference recording),
    silence while that member is muted, held or gone; ``rest`` is every other audible voice mixed,
    plus what ``play`` sends to everyone. ``on_speaking`` is called from ``mix`` when a member
    starts (``True``) or stops (``False``) speaking, and on mute or hold of a speaking member.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.listeners: list[FrameListener] = []
        self.on_speaking: Callable[[MediaLeg, bool], None] | None = None
        self._members: dict[int, _Member] = {}
        self._first: MediaLeg | None = None
        self._player: ClipPlayer | None = None
        self._with_players: dict[int, _Member] = {}  # members with an announcement of their own
        self._talking: dict[int, _Member] = {}  # members with a loud streak or speaking
        self._base = SILENT_FRAME  # what a member who adds nothing to the mix hears this frame
        self._outputs: dict[int, Frame] = {}  # the other members' outputs, by id of their leg
        self._frames = 0

    @property
    def member_count(self) -> int:
        return len(self._members)

    def add(self, leg: MediaLeg, *, muted: bool = False, held: bool = False) -> None:
        """Bring ``leg`` into the room (out of any other room it is in); it is heard and hears from
        the next frame. Adding a member again only sets its flags."""
        key = id(leg)
        if key in self._members:
            self.set_muted(leg, muted)
            self.set_held(leg, held)
            return
        if leg.mixer is not None:
            leg.mixer.remove(leg)
        self._members[key] = _Member(leg, muted, held)
        leg.mixer = self
        if self._first is None:
            self._first = leg

    def remove(self, leg: MediaLeg) -> None:
        """Take ``leg`` out of the room and stop what was playing to it alone (no speaking callback)."""
        key = id(leg)
        member = self._members.pop(key, None)
        if member is None:
            return
        if leg.mixer is self:
            leg.mixer = None
        self._with_players.pop(key, None)
        self._talking.pop(key, None)
        if member.player is not None:
            member.player.finish()
            member.player = None

    def set_muted(self, leg: MediaLeg, muted: bool) -> None:
        """A muted member hears the others and is not heard."""
        member = self._member(leg)
        member.muted = muted
        if muted:
            self._stop_talking(member)

    def set_held(self, leg: MediaLeg, held: bool) -> None:
        """A held member neither hears nor is heard: its leg plays its own player (hold music) as if
        it were not in the room. Starting and stopping that player is the caller's business."""
        member = self._member(leg)
        member.held = held
        if held:
            self._stop_talking(member)

    def hears(self, leg: MediaLeg) -> bool:
        member = self._members.get(id(leg))
        return member is not None and not member.held

    def play(self, clip: Clip, *, to: MediaLeg | None = None, loop: int = 1) -> ClipPlayer:
        """Play ``clip`` to every member and the recording (``to=None``: announcements, beeps), or to
        member ``to`` alone and unrecorded, from the next frame on. A new play to the same audience
        cuts off the previous one, as ``MediaLeg.start_clip`` does."""
        player = ClipPlayer(clip, loop)
        if to is None:
            if self._player is not None:
                self._player.finish()
            self._player = player
            return player
        member = self._member(to)
        if member.player is not None:
            member.player.finish()
        member.player = player
        self._with_players[id(to)] = member
        return player

    def output_for(self, leg: MediaLeg) -> Frame:
        """What member ``leg`` hears this frame (computed in ``mix``); silence for a held member."""
        key = id(leg)
        member = self._members.get(key)
        if member is None or member.held:
            return SILENT_FRAME
        return self._outputs.get(key, self._base)

    def mix(self) -> None:
        """Mix one frame: every member's output, the recording taps, then talk detection."""
        everyone = self._next_everyone_frame()
        talkers: list[_Member] = []
        voices: list[Pcm] = []
        for member in self._members.values():
            if not (member.muted or member.held):
                samples = member.leg.inbound.samples
                if samples is not _SILENCE:  # most members are quiet most of the time: skip them cheaply
                    talkers.append(member)
                    voices.append(samples)
        outputs: dict[int, Frame] = {}
        first_voice: Frame = SILENT_FRAME
        base = rest = SILENT_FRAME if everyone is None else everyone
        loud: list[_Member] = []
        if talkers:
            stack = np.array(voices, dtype=np.int32)
            total = stack.sum(axis=0)
            if everyone is not None:
                total += everyone.samples
            # Each talker hears the total less its own voice; everyone else hears the total.
            others = _saturate(total[np.newaxis, :] - stack)
            outputs = dict(zip([member.key for member in talkers], map(Frame, others), strict=True))
            base = rest = Frame(_saturate(total))
            first = self._first
            if first is not None and id(first) in outputs:
                rest = outputs[id(first)]
                first_voice = first.inbound if first.inbound.dtmf is None else Frame(first.inbound.samples)
            peaks = np.abs(stack).max(axis=1)
            loud = [talkers[index] for index in np.flatnonzero(peaks >= SPEAKING_PEAK).tolist()]
        self._add_own_players(outputs, base)
        self._base, self._outputs = base, outputs
        for listener in self.listeners:
            listener(first_voice, rest)
        self._detect_talk(loud)

    def _next_everyone_frame(self) -> Frame | None:
        player = self._player
        if player is None:
            return None
        frame = player.next_frame()
        if frame is None:
            self._player = None
            return None
        return frame if frame.dtmf is None else Frame(frame.samples)

    def _add_own_players(self, outputs: dict[int, Frame], base: Frame) -> None:
        """Add what plays to one member alone on top of what it hears from the room."""
        for key, member in list(self._with_players.items()):
            player = member.player
            frame = None if player is None else player.next_frame()
            if frame is None:
                member.player = None
                del self._with_players[key]
                continue
            heard = outputs.get(key, base).samples
            outputs[key] = Frame(_saturate(heard.astype(np.int32) + frame.samples))

    def _detect_talk(self, loud: list[_Member]) -> None:
        """Count loud and quiet frames for members with talk in progress only: O(talkers), not O(room)."""
        self._frames += 1
        frame = self._frames
        changes: list[tuple[MediaLeg, bool]] = []
        for member in loud:
            member.loud_at = frame
            member.loud_frames += 1
            member.quiet_frames = 0
            self._talking[member.key] = member
            if not member.speaking and member.loud_frames >= _START_FRAMES:
                member.speaking = True
                changes.append((member.leg, True))
        for key, member in list(self._talking.items()):
            if member.loud_at == frame:
                continue
            member.loud_frames = 0
            if member.speaking:
                member.quiet_frames += 1
                if member.quiet_frames < _STOP_FRAMES:
                    continue
                member.speaking = False
                changes.append((member.leg, False))
            del self._talking[key]
        callback = self.on_speaking
        if callback is not None:
            for leg, speaking in changes:
                callback(leg, speaking)

    def _stop_talking(self, member: _Member) -> None:
        was_speaking = member.speaking
        member.speaking = False
        member.loud_frames = member.quiet_frames = 0
        self._talking.pop(member.key, None)
        if was_speaking and self.on_speaking is not None:
            self.on_speaking(member.leg, False)

    def _member(self, leg: MediaLeg) -> _Member:
        member = self._members.get(id(leg))
        if member is None:
            raise ValueError(f"leg {leg.name} is not in conference {self.name}")
        return member


def _saturate(values: npt.NDArray[np.int32]) -> Pcm:
    """Clip a sum to the int16 range (in place) instead of letting it wrap around, read-only."""
    pcm = np.clip(values, _INT16_MIN, _INT16_MAX, out=values).astype(np.int16)
    pcm.setflags(write=False)
    return pcm
