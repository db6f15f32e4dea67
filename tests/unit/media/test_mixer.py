"""The conference mixer, driven frame by frame: who hears whom, mute, hold, announcements, the
recording taps and talk detection, checked by looking at the spectrum of what each leg sent."""

from __future__ import annotations

import asyncio
import functools
import random
from collections.abc import Callable, Coroutine
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from phonograph.media import (
    SAMPLE_RATE_HZ,
    SILENT_FRAME,
    SPEAKING_PEAK,
    Clip,
    Frame,
    MediaClock,
    MediaLeg,
    Mixer,
    conference_beep,
    connect,
    dtmf_clip,
    hold_music,
    run_frame,
    tone,
)
from phonograph.testing.audio import dominant_frequency_hz

TONES_HZ = (400, 700, 1100)
ANNOUNCEMENT_HZ = 1500
HOLD_HZ = 250
WINDOW_FRAMES = 20  # 400 ms: 2.5 Hz bins, every test tone on a bin
HEARD = 0.05  # a tone is heard when its spectral peak holds this share of full-scale sine amplitude

AsyncTest = Callable[[], Coroutine[Any, Any, None]]


def in_loop(test: AsyncTest) -> Callable[[], None]:
    """Run an async test in a fresh event loop (a ClipPlayer's ``done`` future needs one)."""

    @functools.wraps(test)
    def run() -> None:
        asyncio.run(test())

    return run


class Member:
    """A conference member's leg and its far end (a phone), with what the leg sent it."""

    def __init__(self, name: str, clock: MediaClock, frequency_hz: int | None = None) -> None:
        self.leg = MediaLeg(name)
        self.phone = MediaLeg(f"{name}-phone")
        connect(self.leg, self.phone)
        clock.add(self.leg)
        clock.add(self.phone)
        self.heard: list[Frame] = []
        self.leg.listeners.append(lambda _inbound, outbound: self.heard.append(outbound))
        if frequency_hz is not None:
            self.speak(frequency_hz)

    def speak(self, frequency_hz: int, amplitude: float = 0.2) -> None:
        self.phone.start_clip(Clip(tone(frequency_hz, 1000, amplitude)), loop=0)

    def last_heard(self, frames: int = WINDOW_FRAMES) -> npt.NDArray[np.int16]:
        return np.concatenate([frame.samples for frame in self.heard[-frames:]])


class Tap:
    """A recording tap: the two channels a conference recording gets."""

    def __init__(self) -> None:
        self.first: list[Frame] = []
        self.rest: list[Frame] = []

    def __call__(self, first: Frame, rest: Frame) -> None:
        self.first.append(first)
        self.rest.append(rest)

    def channel(self, frames: list[Frame], count: int = WINDOW_FRAMES) -> npt.NDArray[np.int16]:
        return np.concatenate([frame.samples for frame in frames[-count:]])


def levels(samples: npt.NDArray[np.int16], *frequencies_hz: int) -> list[float]:
    """Each tone's amplitude in ``samples`` as a share of full scale (rectangular window: every
    test tone sits on a bin, so there is no leakage)."""
    spectrum = np.abs(np.fft.rfft(samples.astype(np.float64))) * 2 / len(samples) / 32768
    bin_hz = SAMPLE_RATE_HZ / len(samples)
    return [float(spectrum[round(frequency_hz / bin_hz)]) for frequency_hz in frequencies_hz]


def tones_heard(samples: npt.NDArray[np.int16], *candidates_hz: int) -> set[int]:
    heard = levels(samples, *candidates_hz)
    return {frequency_hz for frequency_hz, level in zip(candidates_hz, heard, strict=True) if level > HEARD}


def conference(clock: MediaClock, *frequencies_hz: int | None) -> tuple[Mixer, list[Member]]:
    mixer = Mixer("room")
    members = [Member(f"m{index}", clock, hz) for index, hz in enumerate(frequencies_hz)]
    for member in members:
        mixer.add(member.leg)
    return mixer, members


@in_loop
async def test_each_member_hears_the_others_but_not_itself() -> None:
    clock = MediaClock()
    mixer, members = conference(clock, *TONES_HZ)
    clock.run_frames(WINDOW_FRAMES + 2)
    for member, own_hz in zip(members, TONES_HZ, strict=True):
        assert member.leg.mixer is mixer
        assert tones_heard(member.last_heard(), *TONES_HZ) == set(TONES_HZ) - {own_hz}
        assert all(frame.dtmf is None for frame in member.heard)
    assert mixer.member_count == 3


@in_loop
async def test_the_mix_is_a_frame_late_like_a_bridge() -> None:
    clock = MediaClock()
    _, (a, b) = conference(clock, None, None)
    voice = Clip(tone(TONES_HZ[0], 1000, amplitude=0.2))
    a.phone.start_clip(voice)
    clock.run_frames(3)
    # Frame 0: a's phone speaks; frame 1: the mixer hears it and b's leg sends it on.
    assert b.heard[0] is SILENT_FRAME
    assert np.array_equal(b.heard[1].samples, voice.frames[0].samples)
    assert np.array_equal(b.heard[2].samples, voice.frames[1].samples)
    assert not a.heard[2].samples.any()


@in_loop
async def test_muted_member_hears_but_is_not_heard_nor_recorded() -> None:
    clock = MediaClock()
    mixer, members = conference(clock, *TONES_HZ)
    tap = Tap()
    mixer.listeners.append(tap)
    mixer.set_muted(members[1].leg, True)
    clock.run_frames(WINDOW_FRAMES + 2)
    assert tones_heard(members[0].last_heard(), *TONES_HZ) == {TONES_HZ[2]}
    assert tones_heard(members[2].last_heard(), *TONES_HZ) == {TONES_HZ[0]}
    assert tones_heard(members[1].last_heard(), *TONES_HZ) == {TONES_HZ[0], TONES_HZ[2]}
    assert tones_heard(tap.channel(tap.first), *TONES_HZ) == {TONES_HZ[0]}
    assert tones_heard(tap.channel(tap.rest), *TONES_HZ) == {TONES_HZ[2]}
    mixer.set_muted(members[1].leg, False)
    clock.run_frames(WINDOW_FRAMES + 2)
    assert tones_heard(members[0].last_heard(), *TONES_HZ) == {TONES_HZ[1], TONES_HZ[2]}


@in_loop
async def test_held_member_hears_its_own_player_and_is_out_of_the_mix() -> None:
    clock = MediaClock()
    mixer, members = conference(clock, *TONES_HZ)
    held = members[0]
    mixer.set_held(held.leg, True)
    held.leg.start_clip(Clip(tone(HOLD_HZ, 1000)), loop=0)
    assert not mixer.hears(held.leg)
    clock.run_frames(WINDOW_FRAMES + 2)
    everything = (*TONES_HZ, HOLD_HZ)
    assert tones_heard(held.last_heard(), *everything) == {HOLD_HZ}
    assert tones_heard(members[1].last_heard(), *everything) == {TONES_HZ[2]}
    assert tones_heard(members[2].last_heard(), *everything) == {TONES_HZ[1]}
    held.leg.stop_playing()
    mixer.set_held(held.leg, False)
    assert mixer.hears(held.leg)
    clock.run_frames(WINDOW_FRAMES + 2)
    assert tones_heard(held.last_heard(), *everything) == {TONES_HZ[1], TONES_HZ[2]}
    assert tones_heard(members[1].last_heard(), *everything) == {TONES_HZ[0], TONES_HZ[2]}


@in_loop
async def test_taps_get_the_first_member_apart_from_the_rest() -> None:
    clock = MediaClock()
    mixer = Mixer("room")
    tap = Tap()
    mixer.listeners.append(tap)
    first, second, third = (Member(f"m{index}", clock, hz) for index, hz in enumerate(TONES_HZ))
    mixer.add(first.leg)
    clock.run_frames(WINDOW_FRAMES + 2)
    assert tones_heard(tap.channel(tap.first), *TONES_HZ) == {TONES_HZ[0]}
    assert not tap.channel(tap.rest).any()
    mixer.add(second.leg)
    mixer.add(third.leg)
    clock.run_frames(WINDOW_FRAMES + 2)
    assert tones_heard(tap.channel(tap.first), *TONES_HZ) == {TONES_HZ[0]}
    assert tones_heard(tap.channel(tap.rest), *TONES_HZ) == {TONES_HZ[1], TONES_HZ[2]}
    mixer.remove(first.leg)
    clock.run_frames(WINDOW_FRAMES + 2)
    assert not tap.channel(tap.first).any()
    assert tones_heard(tap.channel(tap.rest), *TONES_HZ) == {TONES_HZ[1], TONES_HZ[2]}
    assert len(tap.first) == len(tap.rest) == 3 * (WINDOW_FRAMES + 2)


@in_loop
async def test_a_room_of_held_members_still_feeds_its_taps_every_frame() -> None:
    clock = MediaClock()
    mixer, members = conference(clock, *TONES_HZ)
    tap = Tap()
    mixer.listeners.append(tap)
    for member in members:
        mixer.set_held(member.leg, True)
    clock.run_frames(10)
    assert len(tap.rest) == 10
    assert all(frame is SILENT_FRAME for frame in tap.first + tap.rest)


@in_loop
async def test_play_to_everyone_reaches_every_member_and_the_recording() -> None:
    clock = MediaClock()
    mixer, members = conference(clock, *TONES_HZ)
    tap = Tap()
    mixer.listeners.append(tap)
    player = mixer.play(Clip(tone(ANNOUNCEMENT_HZ, WINDOW_FRAMES * 20)))
    clock.run_frames(WINDOW_FRAMES)
    for member in members:
        assert ANNOUNCEMENT_HZ in tones_heard(member.last_heard(), ANNOUNCEMENT_HZ)
    assert tones_heard(tap.channel(tap.rest), ANNOUNCEMENT_HZ, *TONES_HZ) == {
        ANNOUNCEMENT_HZ,
        TONES_HZ[1],
        TONES_HZ[2],
    }
    assert tones_heard(tap.channel(tap.first), ANNOUNCEMENT_HZ) == set()
    clock.run_frames(1)
    await asyncio.sleep(0)
    assert player.done.done()


@in_loop
async def test_a_new_announcement_cuts_off_the_last_one() -> None:
    clock = MediaClock()
    mixer, _ = conference(clock, None, None)
    first = mixer.play(Clip(tone(ANNOUNCEMENT_HZ, 1000)))
    clock.run_frames(2)
    second = mixer.play(conference_beep())
    assert first.done.done()
    assert not second.done.done()


@in_loop
async def test_play_to_one_member_reaches_only_that_member() -> None:
    clock = MediaClock()
    mixer, members = conference(clock, *TONES_HZ)
    tap = Tap()
    mixer.listeners.append(tap)
    target = members[1]
    mixer.play(Clip(tone(ANNOUNCEMENT_HZ, 1000)), to=target.leg)
    clock.run_frames(WINDOW_FRAMES + 2)
    everything = (*TONES_HZ, ANNOUNCEMENT_HZ)
    assert tones_heard(target.last_heard(), *everything) == {TONES_HZ[0], TONES_HZ[2], ANNOUNCEMENT_HZ}
    assert tones_heard(members[0].last_heard(), *everything) == {TONES_HZ[1], TONES_HZ[2]}
    assert tones_heard(members[2].last_heard(), *everything) == {TONES_HZ[0], TONES_HZ[1]}
    assert ANNOUNCEMENT_HZ not in tones_heard(tap.channel(tap.rest), *everything)
    assert ANNOUNCEMENT_HZ not in tones_heard(tap.channel(tap.first), *everything)


@in_loop
async def test_loud_voices_saturate_instead_of_wrapping() -> None:
    clock = MediaClock()
    _, members = conference(clock, None, None, None)
    for member in members:
        member.phone.start_clip(Clip(np.full(8000, 30000, dtype=np.int16)), loop=0)
    clock.run_frames(3)
    heard = members[0].heard[-1].samples
    assert heard.dtype == np.int16
    assert int(heard.min()) == 32767


@in_loop
async def test_mixed_audio_carries_no_dtmf_events_but_the_senders_leg_still_gets_them() -> None:
    clock = MediaClock()
    mixer, (sender, listener) = conference(clock, None, None)
    sender.phone.start_clip(dtmf_clip("123"))
    mixer.play(dtmf_clip("9"))
    received: list[Frame] = []
    sender.leg.listeners.append(lambda inbound, _outbound: received.append(inbound))
    clock.run_frames(30)
    assert any(frame.samples.any() for frame in listener.heard)
    assert all(frame.dtmf is None for frame in listener.heard + sender.heard)
    assert {frame.dtmf.digit for frame in received if frame.dtmf is not None} == {"1", "2", "3"}


@in_loop
async def test_speaking_starts_after_60_ms_and_stops_after_500_ms_of_quiet() -> None:
    clock = MediaClock()
    mixer, (talker, _) = conference(clock, None, None)
    events: list[tuple[str, bool, int]] = []
    mixer.on_speaking = lambda leg, speaking: events.append((leg.name, speaking, clock.frame_index))
    talker.phone.start_clip(Clip(tone(440, 200, amplitude=0.1)))  # 10 frames, peak above SPEAKING_PEAK
    clock.run_frames(60)
    # The phone speaks on frames 0-9; the mixer hears them on frames 1-10.
    assert events == [("m0", True, 3), ("m0", False, 35)]


@in_loop
async def test_quiet_frames_and_short_blips_are_not_speaking() -> None:
    clock = MediaClock()
    mixer, (talker, _) = conference(clock, None, None)
    events: list[tuple[str, bool]] = []
    mixer.on_speaking = lambda leg, speaking: events.append((leg.name, speaking))
    quiet = SPEAKING_PEAK / 32767 / 2
    talker.phone.start_clip(Clip(tone(440, 400, amplitude=quiet)))
    clock.run_frames(30)
    talker.phone.start_clip(Clip(tone(440, 40, amplitude=0.5)))  # two loud frames: a blip
    clock.run_frames(30)
    assert events == []


@in_loop
async def test_mute_and_hold_stop_speaking_and_remove_is_silent() -> None:
    clock = MediaClock()
    mixer, members = conference(clock, *TONES_HZ)
    events: list[tuple[str, bool]] = []
    mixer.on_speaking = lambda leg, speaking: events.append((leg.name, speaking))
    clock.run_frames(5)
    assert sorted(events) == [("m0", True), ("m1", True), ("m2", True)]
    events.clear()
    mixer.set_muted(members[0].leg, True)
    mixer.set_held(members[1].leg, True)
    mixer.remove(members[2].leg)
    clock.run_frames(40)
    assert events == [("m0", False), ("m1", False)]


@in_loop
async def test_remove_clears_the_leg_and_stops_its_own_player() -> None:
    clock = MediaClock()
    mixer, (a, b) = conference(clock, TONES_HZ[0], TONES_HZ[1])
    player = mixer.play(Clip(tone(ANNOUNCEMENT_HZ, 1000)), to=a.leg)
    clock.run_frames(2)
    mixer.remove(a.leg)
    assert a.leg.mixer is None
    assert player.done.done()
    assert mixer.member_count == 1
    assert not mixer.hears(a.leg)
    a.leg.start_clip(Clip(tone(HOLD_HZ, 1000)), loop=0)
    clock.run_frames(WINDOW_FRAMES + 2)
    assert tones_heard(a.last_heard(), *TONES_HZ, HOLD_HZ, ANNOUNCEMENT_HZ) == {HOLD_HZ}
    assert tones_heard(b.last_heard(), *TONES_HZ) == set()
    with pytest.raises(ValueError, match="not in conference room"):
        mixer.set_muted(a.leg, True)


@in_loop
async def test_adding_to_another_room_leaves_the_first() -> None:
    clock = MediaClock()
    room, (a, _) = conference(clock, None, None)
    other = Mixer("other")
    other.add(a.leg, muted=True)
    assert a.leg.mixer is other
    assert room.member_count == 1
    assert other.member_count == 1


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_mix_does_not_depend_on_the_order_legs_are_visited_in(seed: int) -> None:
    async def outputs(shuffle: bool) -> list[list[bytes]]:
        clock = MediaClock()
        mixer, members = conference(clock, *TONES_HZ, 1300)
        mixer.set_muted(members[3].leg, True)
        mixer.play(conference_beep())
        legs = [leg for member in members for leg in (member.leg, member.phone)]
        rng = random.Random(seed)
        for _ in range(15):
            if shuffle:
                rng.shuffle(legs)
            run_frame(legs)
        return [[frame.samples.tobytes() for frame in member.heard] for member in members]

    assert asyncio.run(outputs(shuffle=False)) == asyncio.run(outputs(shuffle=True))


def test_hold_music_is_a_gentle_read_only_loop() -> None:
    clip = hold_music()
    assert clip is hold_music()
    assert 5500 <= clip.duration_ms <= 7000
    assert not clip.samples.flags.writeable
    peak = int(np.abs(clip.samples).max())
    assert 0.1 * 32767 < peak <= 0.16 * 32767
    # The first note is middle C, and it fades in from nothing.
    assert dominant_frequency_hz(clip.samples[:4000], SAMPLE_RATE_HZ) == pytest.approx(262, abs=2)
    assert abs(int(clip.samples[0])) < 50


def test_conference_beep_is_a_short_800_hz_tone() -> None:
    beep = conference_beep()
    assert beep is conference_beep()
    assert beep.duration_ms == 200
    assert not beep.samples.flags.writeable
    assert dominant_frequency_hz(beep.samples, SAMPLE_RATE_HZ) == pytest.approx(800, abs=2)
