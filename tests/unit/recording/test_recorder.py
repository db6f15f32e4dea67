"""The recorder's delay line (recording/recorder.py): frames reach the journal as they are made,
except those a control request in flight may still cut (``MediaClock.hold``), and never more than
``DELAY_FRAMES`` wait. Frames carry their own index as samples, so the journal shows which went."""

from __future__ import annotations

from typing import cast

import numpy as np

from phonograph.media import SAMPLES_PER_FRAME, Frame, MediaClock, Pcm
from phonograph.recording.journal import Journal
from phonograph.recording.ledger import encode_pauses, pause_ledger
from phonograph.recording.recorder import (
    DELAY_FRAMES,
    HISTORY_FRAMES,
    MAX_PAUSES,
    FrameHistory,
    Mode,
    Recorder,
)


class Written:
    """Stands in for the journal: which frames were appended (their first inbound sample)."""

    def __init__(self) -> None:
        self.appended: list[int] = []

    @property
    def frames(self) -> int:
        return len(self.appended)

    def append(self, inbound: Pcm, outbound: Pcm) -> None:
        self.appended.append(int(inbound[0]))


def recorder() -> tuple[MediaClock, Recorder, Written]:
    media, written = MediaClock(), Written()
    tap = Recorder(media)
    tap.attach(cast(Journal, written))
    return media, tap, written


def run(media: MediaClock, tap: Recorder | FrameHistory, frames: int) -> None:
    """Move ``frames`` frames through the tap, as the media clock does (index set while moving)."""
    for _ in range(frames):
        samples = np.full(SAMPLES_PER_FRAME, media.frame_index, dtype=np.int16)
        tap(Frame(samples), Frame(samples))
        media.frame_index += 1


def test_with_no_control_in_flight_each_frame_reaches_the_journal_as_it_is_made() -> None:
    media, tap, written = recorder()
    run(media, tap, 10)
    assert written.appended == list(range(10))


def test_a_held_frame_waits_until_the_control_that_arrived_on_it_is_applied() -> None:
    media, tap, written = recorder()
    run(media, tap, 5)
    arrived = media.frame_index
    with media.hold(arrived):
        run(media, tap, 7)  # the request is handled while these frames are made
        assert written.appended == list(range(5))
        tap.control(Mode.SKIP, arrived)
    run(media, tap, 1)
    assert written.appended == list(range(5))  # the pause cut exactly at its arrival frame
    tap.control(Mode.RECORDING, media.frame_index)
    run(media, tap, 2)
    assert written.appended == [*range(5), 13, 14]


def test_a_hold_never_keeps_more_than_the_delay_line() -> None:
    media, tap, written = recorder()
    with media.hold(0):
        run(media, tap, DELAY_FRAMES + 30)
        assert written.appended == list(range(30))
    run(media, tap, 1)
    assert written.appended == list(range(DELAY_FRAMES + 31))


def test_holds_end_independently_and_the_oldest_one_counts() -> None:
    media = MediaClock()
    with media.hold(7):
        with media.hold(3), media.hold(3):
            assert media.held_from == 3
        assert media.held_from == 7
    assert media.held_from is None


def test_a_lag_keeps_the_last_frames_for_a_control_routed_from_another_node() -> None:
    media, tap, written = recorder()
    media.lag_frames = 10
    run(media, tap, 30)
    # Frames from ten before the one being made wait: a control that arrived on another node on
    # frame 25 still cuts there.
    assert written.appended == list(range(19))
    tap.control(Mode.SKIP, 25)
    with media.hold(28):
        assert media.held_from == 20
    media.lag_frames = 0
    run(media, tap, 1)
    assert written.appended == list(range(25))


def test_a_stop_on_a_frame_already_journaled_keeps_only_the_frames_before_it() -> None:
    media, tap, written = recorder()
    run(media, tap, 12)  # a <Record> ended on frame 9; its task stops the recording at frame 12
    assert tap.stop(9) == 9
    assert written.appended == list(range(12))  # journal.py drops the rest when it reads


def test_a_stop_keeps_every_frame_when_none_came_after_it() -> None:
    media, tap, written = recorder()
    run(media, tap, 5)
    with media.hold(5):
        run(media, tap, 3)
        assert tap.stop(5) == 5
    assert written.appended == list(range(5))


def test_a_start_handled_late_records_from_the_frame_its_request_arrived_on() -> None:
    media, written = MediaClock(), Written()
    history = FrameHistory(media)
    run(media, history, 4)
    arrived = media.frame_index
    run(media, history, 9)  # the start request is handled while these are made
    tap = Recorder(media, history.since(arrived))
    tap.attach(cast(Journal, written))
    run(media, tap, 2)
    assert written.appended == list(range(arrived, 4 + 9 + 2))


def test_the_history_keeps_only_its_last_frames() -> None:
    media = MediaClock()
    history = FrameHistory(media)
    run(media, history, HISTORY_FRAMES + 20)
    kept = [index for index, _inbound, _outbound in history.since(0)]
    assert kept == list(range(20, HISTORY_FRAMES + 20))


def test_the_ledger_places_each_pause_in_the_journaled_frames_and_counts_its_media() -> None:
    media, tap, written = recorder()
    run(media, tap, 5)
    tap.control(Mode.SKIP, media.frame_index)
    run(media, tap, 7)
    tap.control(Mode.RECORDING, media.frame_index)
    run(media, tap, 3)
    tap.control(Mode.SILENCE, media.frame_index)
    run(media, tap, 4)  # paused when stopped: the stop ends the pause
    kept = tap.stop(media.frame_index)
    assert kept == written.frames == 5 + 3 + 4
    assert [pause.as_json() for pause in tap.pauses] == [["skip", 5, 5, 7], ["silence", 8, 12, 4]]


def test_the_ledger_keeps_at_most_its_bound() -> None:
    media, tap, _ = recorder()
    for _ in range(MAX_PAUSES + 5):
        tap.control(Mode.SKIP, media.frame_index)
        run(media, tap, 1)
        tap.control(Mode.RECORDING, media.frame_index)
        run(media, tap, 1)
    assert len(tap.pauses) == MAX_PAUSES


def test_a_ledger_is_placed_after_the_trimmed_head_in_seconds() -> None:
    pauses = encode_pauses([["skip", 50, 50, 100], ["silence", 100, 150, 50], ["silence", 0, 10, 10]])
    events = [{"event": "stop", "frames": 200, "pauses": pauses}]
    # 20 frames (0.4 s) trimmed off the head; 150 frames (3 s) stored.
    ledger = pause_ledger(events, head_samples=20 * SAMPLES_PER_FRAME, stored_samples=150 * SAMPLES_PER_FRAME)
    assert ledger == [
        {"behavior": "skip", "start_s": 0.6, "end_s": 0.6, "paused_s": 2.0},
        {"behavior": "silence", "start_s": 1.6, "end_s": 2.6, "paused_s": 1.0},
    ]
    assert pause_ledger([{"event": "pause", "frame": 3}], 0, 100) == []  # no stop event: no ledger
