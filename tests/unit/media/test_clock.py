"""The media clock's hook after its frames (media/clock.py): what must follow a wake-up's frames
(the SIP room's RTP, sent a tick at a time) runs once per wake-up, after every frame of it."""

from __future__ import annotations

from phonograph.media import MediaClock, MediaLeg


def test_after_frames_runs_once_a_wake_up_after_all_its_frames() -> None:
    media = MediaClock()
    leg = MediaLeg("a")
    media.add(leg)
    seen: list[tuple[int, int]] = []
    played: list[int] = []
    leg.listeners.append(lambda _inbound, _outbound: played.append(media.frame_index))
    media.after_frames.append(lambda: seen.append((media.frame_index, len(played))))
    media.run_frames(3)  # a late wake-up catching up three frames
    media.run_frames(1)
    assert seen == [(3, 3), (4, 4)]
