"""The media clock's hook after each frame (media/clock.py): the SIP room's RTP, sent and read a
frame at a time, also between the frames of a wake-up that catches up after a stall."""

from __future__ import annotations

from phonograph.media import MediaClock, MediaLeg


def test_after_frame_runs_after_every_frame_of_a_late_wake_up() -> None:
    media = MediaClock()
    leg = MediaLeg("a")
    media.add(leg)
    seen: list[tuple[int, int]] = []
    played: list[int] = []
    leg.listeners.append(lambda _inbound, _outbound: played.append(media.frame_index))
    media.after_frame.append(lambda: seen.append((media.frame_index, len(played))))
    media.run_frames(3)  # a late wake-up catching up three frames
    media.run_frames(1)
    assert seen == [(1, 1), (2, 2), (3, 3), (4, 4)]
