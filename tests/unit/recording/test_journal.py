"""The recording journal: round trips, torn writes, crash reads, threads, the flusher, disk errors."""

from __future__ import annotations

import asyncio
import ctypes
import errno
import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from phonograph.media import SAMPLES_PER_FRAME, Pcm
from phonograph.recording.journal import (
    EVENTS_FILE,
    FRAME_BYTES,
    LIBC_SYNCFS,
    TRACKS_FILE,
    Journal,
    JournalError,
    JournalFlusher,
    SyncFs,
    journal_folders,
    read_journal,
    remove_journal,
)

SID = "RE0123456789abcdef0123456789abcdef"
WAIT_S = 10.0


def inbound_frame(index: int) -> Pcm:
    """Frame ``index`` of the inbound track: a ramp that starts at the index (< 32768 - 160)."""
    return np.arange(index, index + SAMPLES_PER_FRAME, dtype=np.int16)


def outbound_frame(index: int) -> Pcm:
    return -inbound_frame(index)


def append_frames(journal: Journal, start: int, stop: int) -> None:
    for index in range(start, stop):
        journal.append(inbound_frame(index), outbound_frame(index))


def expected_track(start: int, stop: int, make: Callable[[int], Pcm]) -> Pcm:
    return np.concatenate([make(index) for index in range(start, stop)])


def assert_frames(path: Path, count: int) -> None:
    """The journal at ``path`` holds exactly frames 0..count-1 of both tracks, in order."""
    contents = read_journal(path)
    assert contents.frames == count
    assert contents.inbound.dtype == np.int16
    np.testing.assert_array_equal(contents.inbound, expected_track(0, count, inbound_frame))
    np.testing.assert_array_equal(contents.outbound, expected_track(0, count, outbound_frame))


def tracks_size(journal: Journal) -> int:
    return (journal.path / TRACKS_FILE).stat().st_size


def test_create_makes_both_files_and_missing_parents(tmp_path: Path) -> None:
    folder = tmp_path / "data" / "journals"
    journal = Journal.create(folder, SID)
    assert journal.sid == SID
    assert journal.path == folder / SID
    assert (journal.path / TRACKS_FILE).read_bytes() == b""
    assert (journal.path / EVENTS_FILE).read_bytes() == b""
    contents = read_journal(journal.path)
    assert contents.sid == SID
    assert contents.frames == 0
    assert contents.events == []
    assert not contents.stopped
    journal.close()


def test_create_refuses_an_existing_journal_and_odd_sids(tmp_path: Path) -> None:
    Journal.create(tmp_path, SID).close()
    with pytest.raises(JournalError, match=SID):
        Journal.create(tmp_path, SID)
    for sid in ("", "..", "a/b"):
        with pytest.raises(ValueError, match="plain folder name"):
            Journal.create(tmp_path, sid)


def test_frames_and_events_round_trip(tmp_path: Path) -> None:
    journal = Journal.create(tmp_path, SID)
    journal.event("start", frame=0, track="both")
    append_frames(journal, 0, 30)
    journal.event("pause", frame=journal.frames)
    append_frames(journal, 30, 75)
    journal.event("stop", frame=journal.frames, reason='hangup\nwith "quotes" and ünïcode')
    assert journal.frames == 75
    journal.close()

    contents = read_journal(journal.path)
    assert_frames(journal.path, 75)
    assert contents.events == [
        {"event": "start", "frame": 0, "track": "both"},
        {"event": "pause", "frame": 30},
        {"event": "stop", "frame": 75, "reason": 'hangup\nwith "quotes" and ünïcode'},
    ]
    assert contents.stopped
    assert tracks_size(journal) == 75 * FRAME_BYTES


def test_append_checks_and_converts_its_samples(tmp_path: Path) -> None:
    journal = Journal.create(tmp_path, SID)
    strided = np.arange(2 * SAMPLES_PER_FRAME, dtype=np.int16)[::2]
    big_endian = inbound_frame(7).astype(">i2")
    journal.append(strided, big_endian)
    with pytest.raises(ValueError, match="160 int16 samples"):
        journal.append(np.zeros(SAMPLES_PER_FRAME - 1, dtype=np.int16), outbound_frame(0))
    with pytest.raises(ValueError, match="float"):
        journal.append(inbound_frame(0), np.zeros(SAMPLES_PER_FRAME, dtype=np.float32))
    journal.close()

    contents = read_journal(journal.path)
    assert contents.frames == 1
    np.testing.assert_array_equal(contents.inbound, strided)
    np.testing.assert_array_equal(contents.outbound, inbound_frame(7))


def test_an_event_may_not_shadow_the_event_name(tmp_path: Path) -> None:
    journal = Journal.create(tmp_path, SID)
    with pytest.raises(ValueError, match="'event'"):
        journal.event("start", event="stop")
    journal.close()


def test_a_partial_trailing_frame_is_ignored(tmp_path: Path) -> None:
    journal = Journal.create(tmp_path, SID)
    append_frames(journal, 0, 3)
    journal.close()
    with (journal.path / TRACKS_FILE).open("ab") as tracks:
        tracks.write(b"\x01\x02\x03" * 100)  # most of a frame: a write cut short by a crash

    assert_frames(journal.path, 3)


def test_a_torn_final_event_line_is_ignored(tmp_path: Path) -> None:
    journal = Journal.create(tmp_path, SID)
    journal.event("start", frame=0)
    journal.close()
    with (journal.path / EVENTS_FILE).open("ab") as events:
        events.write(b'{"event":"stop","fra')

    contents = read_journal(journal.path)
    assert contents.events == [{"event": "start", "frame": 0}]
    assert not contents.stopped


def test_an_unreadable_event_line_is_skipped_and_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    journal = Journal.create(tmp_path, SID)
    journal.close()
    (journal.path / EVENTS_FILE).write_bytes(b'{"event":"start"}\n\x00\x00\x00\n[1]\n{"event":"stop"}\n')

    with caplog.at_level(logging.WARNING):
        contents = read_journal(journal.path)
    assert contents.events == [{"event": "start"}, {"event": "stop"}]
    assert [record.getMessage() for record in caplog.records] == [
        f"journal event line skipped sid={SID} line=2",
        f"journal event line skipped sid={SID} line=3",
    ]


def test_a_crash_keeps_exactly_the_flushed_frames(tmp_path: Path) -> None:
    journal = Journal.create(tmp_path, SID)
    journal.event("start", frame=0)
    append_frames(journal, 0, 10)
    journal.flush()
    append_frames(journal, 10, 15)  # buffered only: a kill -9 now loses these

    # No close(): read the files as a restarted server would.
    assert journal_folders(tmp_path) == [journal.path]
    contents = read_journal(journal.path)
    assert_frames(journal.path, 10)
    assert contents.events == [{"event": "start", "frame": 0}]
    assert not contents.stopped
    assert journal.frames == 15
    journal.close()
    assert_frames(journal.path, 15)


def test_close_is_idempotent_and_later_appends_are_ignored(tmp_path: Path) -> None:
    journal = Journal.create(tmp_path, SID)
    append_frames(journal, 0, 4)
    journal.close()
    journal.close()
    append_frames(journal, 4, 8)
    journal.flush()
    journal.close()

    assert journal.frames == 4
    assert_frames(journal.path, 4)
    with pytest.raises(ValueError, match="closed"):
        journal.event("stop")


def test_flush_from_a_thread_while_appending_keeps_every_frame_once_in_order(tmp_path: Path) -> None:
    frame_count = 20_000
    journal = Journal.create(tmp_path, SID)
    appended = threading.Event()
    start = threading.Barrier(2)
    torn_sizes: list[int] = []
    flushes = 0

    def flush_until_appended() -> None:
        nonlocal flushes
        start.wait()
        while not appended.is_set():
            journal.flush()
            flushes += 1
            size = tracks_size(journal)
            if size % FRAME_BYTES:
                torn_sizes.append(size)

    flusher = threading.Thread(target=flush_until_appended)
    flusher.start()
    start.wait()
    for index in range(frame_count):
        # Frame i holds i everywhere: a ramp would overflow int16 this far.
        journal.append(
            np.full(SAMPLES_PER_FRAME, index, np.int16), np.full(SAMPLES_PER_FRAME, ~index, np.int16)
        )
    appended.set()
    flusher.join()
    journal.flush()

    assert torn_sizes == []  # each flush writes whole frames
    assert flushes > 1
    contents = read_journal(journal.path)
    assert contents.frames == frame_count
    indices = np.arange(frame_count, dtype=np.int16)
    np.testing.assert_array_equal(contents.inbound.reshape(-1, SAMPLES_PER_FRAME)[:, 0], indices)
    np.testing.assert_array_equal(contents.outbound.reshape(-1, SAMPLES_PER_FRAME)[:, -1], ~indices)
    assert (contents.inbound.reshape(-1, SAMPLES_PER_FRAME) == indices[:, None]).all()
    journal.close()


def test_close_racing_flush_writes_everything_once(tmp_path: Path) -> None:
    for attempt in range(20):
        journal = Journal.create(tmp_path, f"{SID}{attempt}")
        done = threading.Event()
        errors: list[BaseException] = []

        def flush_until_done(
            journal: Journal = journal, done: threading.Event = done, errors: list[BaseException] = errors
        ) -> None:
            try:
                while not done.is_set():
                    journal.flush()
            except BaseException as exc:
                errors.append(exc)

        flusher = threading.Thread(target=flush_until_done)
        flusher.start()
        append_frames(journal, 0, 200)
        journal.close()
        done.set()
        flusher.join()

        assert errors == []
        assert_frames(journal.path, 200)


def test_a_failed_write_keeps_the_frames_for_the_next_flush(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = Journal.create(tmp_path, SID)
    append_frames(journal, 0, 5)
    real_pwrite = os.pwrite

    def disk_fills_up(fd: int, data: bytes, offset: int) -> int:
        if offset == 0:
            return real_pwrite(fd, memoryview(data)[: FRAME_BYTES + 7], offset)  # a short write
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "pwrite", disk_fills_up)
    with pytest.raises(JournalError, match=f"journal of {SID}.*No space left"):
        journal.flush()
    assert_frames(journal.path, 1)  # a crash now keeps the whole frame that made it
    append_frames(journal, 5, 8)
    with pytest.raises(JournalError):
        journal.flush()

    monkeypatch.setattr(os, "pwrite", real_pwrite)
    journal.flush()
    assert_frames(journal.path, 8)
    assert tracks_size(journal) == 8 * FRAME_BYTES
    journal.close()


def test_a_failed_event_write_raises_and_can_be_retried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = Journal.create(tmp_path, SID)
    real_pwrite = os.pwrite

    def short_then_full(fd: int, data: bytes, offset: int) -> int:
        real_pwrite(fd, memoryview(data)[:5], offset)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "pwrite", short_then_full)
    with pytest.raises(JournalError, match="journal events"):
        journal.event("stop", frame=3)
    monkeypatch.setattr(os, "pwrite", real_pwrite)
    journal.event("stop", frame=3)
    journal.close()

    assert read_journal(journal.path).events == [{"event": "stop", "frame": 3}]


async def wait_for(condition: Callable[[], bool]) -> bool:
    deadline = asyncio.get_running_loop().time() + WAIT_S
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            return False
        await asyncio.sleep(0.005)
    return True


def test_flusher_flushes_periodically_and_stop_flushes_the_rest(tmp_path: Path) -> None:
    async def scenario() -> None:
        journal = Journal.create(tmp_path, SID)
        flusher = JournalFlusher(tmp_path, interval_s=0.01)
        flusher.add(journal)
        flusher.start()
        append_frames(journal, 0, 3)
        assert await wait_for(lambda: tracks_size(journal) == 3 * FRAME_BYTES)
        append_frames(journal, 3, 10)
        assert await wait_for(lambda: tracks_size(journal) == 10 * FRAME_BYTES)
        await flusher.stop()
        journal.close()
        assert_frames(journal.path, 10)

    asyncio.run(scenario())


def test_flusher_stop_flushes_what_is_registered(tmp_path: Path) -> None:
    async def scenario() -> None:
        kept = Journal.create(tmp_path, "REkept")
        removed = Journal.create(tmp_path, "REremoved")
        flusher = JournalFlusher(tmp_path, interval_s=3600)
        flusher.add(kept)
        flusher.add(removed)
        flusher.start()
        with pytest.raises(RuntimeError, match="already started"):
            flusher.start()
        flusher.remove(removed)
        append_frames(kept, 0, 6)
        append_frames(removed, 0, 6)
        await flusher.stop()
        assert tracks_size(kept) == 6 * FRAME_BYTES
        assert tracks_size(removed) == 0
        kept.close()
        removed.close()

    asyncio.run(scenario())


@pytest.mark.parametrize(("workers", "syncfs"), [(1, None), (4, None), (1, LIBC_SYNCFS)])
def test_flusher_logs_a_failing_journal_once_and_flushes_the_others(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    workers: int,
    syncfs: SyncFs | None,
) -> None:
    failing = Journal.create(tmp_path, "REfailing")
    healthy = Journal.create(tmp_path, "REhealthy")
    failing_fd = failing._tracks_fd  # the only way to aim a fault at one journal's file
    real_pwrite = os.pwrite

    def full_for_one(fd: int, data: bytes, offset: int) -> int:
        if fd == failing_fd:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_pwrite(fd, data, offset)

    async def flush_round(flusher: JournalFlusher) -> None:
        append_frames(failing, failing.frames, failing.frames + 2)
        append_frames(healthy, healthy.frames, healthy.frames + 2)
        await flusher.stop()  # one flush of everything registered

    async def scenario() -> None:
        flusher = JournalFlusher(tmp_path, workers=workers, syncfs=syncfs)
        flusher.add(failing)
        flusher.add(healthy)
        monkeypatch.setattr(os, "pwrite", full_for_one)
        await flush_round(flusher)
        await flush_round(flusher)
        assert tracks_size(healthy) == 4 * FRAME_BYTES
        monkeypatch.setattr(os, "pwrite", real_pwrite)
        await flush_round(flusher)

    with caplog.at_level(logging.INFO, logger="phonograph.recording.journal"):
        asyncio.run(scenario())
    assert [(record.levelno, record.getMessage()) for record in caplog.records] == [
        (logging.ERROR, "journal write failed sid=REfailing error=[Errno 28] No space left on device"),
        (logging.INFO, "journal write recovered sid=REfailing"),
    ]
    for journal in (failing, healthy):
        journal.close()
        assert_frames(journal.path, 6)


def test_flusher_flushes_many_journals_over_its_workers(tmp_path: Path) -> None:
    journals = [Journal.create(tmp_path, f"RE{index:03d}") for index in range(50)]

    async def scenario() -> None:
        flusher = JournalFlusher(tmp_path, workers=4, syncfs=None)
        for count, journal in enumerate(journals):
            flusher.add(journal)
            append_frames(journal, 0, count)
        await flusher.stop()

    asyncio.run(scenario())
    for count, journal in enumerate(journals):
        assert tracks_size(journal) == count * FRAME_BYTES
        journal.close()


def test_a_round_writes_every_journal_on_the_loop_then_syncs_their_file_system_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The frames are in the files before the sync (a killed process loses none of them), and a
    slow sync holds up neither the loop nor the next appends; no journal is fsynced on its own."""
    journals = [Journal.create(tmp_path, f"RE{index:03d}") for index in range(3)]
    synced_devices: list[int] = []
    syncing, release = threading.Event(), threading.Event()
    assert LIBC_SYNCFS is not None, "the test machine is Linux"
    libc_syncfs = LIBC_SYNCFS

    def slow_syncfs(fd: int) -> int:
        synced_devices.append(os.fstat(fd).st_dev)
        syncing.set()
        release.wait(WAIT_S)
        return libc_syncfs(fd)

    def no_fsync(fd: int) -> None:
        raise AssertionError("a journal was fsynced on its own")

    async def scenario() -> None:
        flusher = JournalFlusher(tmp_path, interval_s=3600, syncfs=slow_syncfs)
        for count, journal in enumerate(journals, start=1):
            flusher.add(journal)
            append_frames(journal, 0, count)
        monkeypatch.setattr(os, "fsync", no_fsync)
        stopping = asyncio.ensure_future(flusher.stop())  # one round
        assert await wait_for(syncing.is_set)
        assert [tracks_size(journal) for journal in journals] == [
            FRAME_BYTES,
            2 * FRAME_BYTES,
            3 * FRAME_BYTES,
        ]
        append_frames(journals[0], 1, 2)  # the loop goes on while the disk syncs
        release.set()
        await stopping

    asyncio.run(scenario())
    monkeypatch.undo()
    assert synced_devices == [os.stat(tmp_path).st_dev]
    for journal in journals:
        journal.close()


def test_a_failing_sync_of_the_file_system_is_logged_once_until_it_recovers(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    journal = Journal.create(tmp_path, SID)
    results = [-1, -1, 0]

    def failing_syncfs(_fd: int) -> int:
        ctypes.set_errno(errno.EIO)
        return results.pop(0)

    async def scenario() -> None:
        flusher = JournalFlusher(tmp_path, syncfs=failing_syncfs)
        flusher.add(journal)
        for _ in range(3):
            append_frames(journal, journal.frames, journal.frames + 1)
            await flusher.stop()  # one round

    with caplog.at_level(logging.INFO, logger="phonograph.recording.journal"):
        asyncio.run(scenario())
    assert [(record.levelno, record.getMessage()) for record in caplog.records] == [
        (logging.ERROR, "journal sync failed sid=* error=[Errno 5] Input/output error"),
        (logging.INFO, "journal sync recovered sid=*"),
    ]
    journal.close()
    assert_frames(journal.path, 3)


def test_flusher_refuses_odd_settings() -> None:
    with pytest.raises(ValueError, match="interval_s"):
        JournalFlusher(Path("journal"), interval_s=0)
    with pytest.raises(ValueError, match="workers"):
        JournalFlusher(Path("journal"), workers=0)


def test_journal_folders_lists_journals_only(tmp_path: Path) -> None:
    folder = tmp_path / "journals"
    assert journal_folders(folder) == []
    for sid in ("REb", "REa", "REc"):
        Journal.create(folder, sid).close()
    (folder / "stray.txt").write_text("not a journal")
    (folder / "REhalf").mkdir()  # a crash inside create() before events.jsonl
    (folder / "REhalf" / TRACKS_FILE).write_bytes(b"")

    assert journal_folders(folder) == [folder / "REa", folder / "REb", folder / "REc"]


def test_remove_journal(tmp_path: Path) -> None:
    journal = Journal.create(tmp_path, SID)
    append_frames(journal, 0, 2)
    journal.close()
    remove_journal(journal.path)
    assert not journal.path.exists()
    assert journal_folders(tmp_path) == []
    remove_journal(journal.path)  # already gone: fine
    remove_journal(tmp_path / "missing" / SID)


def test_frames_journaled_after_the_stop_frame_are_left_out_on_reading(tmp_path: Path) -> None:
    journal = Journal.create(tmp_path, SID)
    append_frames(journal, 0, 6)
    journal.flush()  # some already on disk, some still buffered: both are cut
    append_frames(journal, 6, 10)
    journal.event("stop", frame=107, frames=4)
    journal.close()
    assert_frames(journal.path, 4)
    assert tracks_size(journal) == 10 * FRAME_BYTES
