"""The recording journal: what makes a recording crash-safe (docs/architecture.md, "Recording is crash-safe").

A running recording appends every 20 ms frame of its call leg's two tracks to a journal on disk, and
its rare control events (start, pause, resume, stop with their media offsets) beside them. After a
``kill -9`` and a restart, the recording service reads every journal left behind and finalizes it.

One journal is one folder, ``<folder>/<sid>/``:

- ``tracks.raw``: frame after frame; one frame is ``SAMPLES_PER_FRAME`` inbound samples then as many
  outbound samples, int16 little-endian (``FRAME_BYTES``). Both tracks are always kept: the
  composition picks tracks later.
- ``events.jsonl``: one JSON object per line, ``{"event": name, **fields}``.

Durability: ``append`` only extends an in-memory buffer (it runs on the media clock for every recorded
frame); ``write`` puts the buffer in the file (the page cache: a killed process loses none of it)
and ``sync`` fsyncs it (a crashed machine neither), ``flush`` does both, and ``JournalFlusher``
writes and syncs every journal at least every ``FLUSH_INTERVAL_S``. ``event`` writes and fsyncs at
once. Writes go to explicit offsets (``pwrite``), so a write that failed half way is written
again over itself by the next one: the file only ever holds a prefix of the journaled bytes. On
read, a partial trailing frame and a torn (unterminated) last event line are what a crash mid-write
leaves, and are ignored.
"""

from __future__ import annotations

import asyncio
import ctypes
import json
import logging
import os
import shutil
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from phonograph.core.errors import InternalError
from phonograph.media import SAMPLES_PER_FRAME, Pcm

log = logging.getLogger(__name__)

FRAME_BYTES = 2 * SAMPLES_PER_FRAME * 2
"""One frame of inbound and one of outbound, int16 little-endian."""
FLUSH_INTERVAL_S = 0.5
"""Half a second: with the flush's own time, a ``kill -9`` loses under a second of what was
recorded (issue 12 asks for at most one); the flusher never queues ticks, so a slow disk only makes
it flush back to back."""
FLUSH_WORKERS = 4
TRACKS_FILE = "tracks.raw"
EVENTS_FILE = "events.jsonl"

_LE_INT16 = np.dtype("<i2")
_TRACK_BYTES = SAMPLES_PER_FRAME * 2


class JournalError(InternalError):
    """The journal could not be written, created or removed (disk full, I/O error, ...)."""


class Journal:
    """One recording's journal: folder/<sid>/tracks.raw (frames) + events.jsonl (control events).

    ``append`` runs on the event-loop thread; ``flush`` and ``sync`` may run at the same time in a
    worker thread. Locks: ``_io_lock`` serializes writes, syncs and close (so bytes reach the file in
    order, and never after close); ``_buffer_lock`` only guards the swap of the in-memory buffer and
    is held for a few hundred nanoseconds.
    """

    def __init__(self, path: Path, sid: str, tracks_fd: int, events_fd: int) -> None:
        """Use ``Journal.create``."""
        self.sid = sid
        self.path = path
        self._tracks_fd: int | None = tracks_fd
        self._events_fd: int | None = events_fd
        self._buffer = bytearray()
        self._frames = 0
        self._closed = False
        self._tracks_bytes = 0  # bytes of tracks.raw written
        self._events_bytes = 0
        self._buffer_lock = threading.Lock()
        self._io_lock = threading.Lock()
        self._events_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Journal(sid={self.sid!r}, frames={self._frames})"

    @classmethod
    def create(cls, folder: Path, sid: str) -> Journal:
        """Make ``folder/sid`` with both files, fsynced with every directory it created.

        Once this returns, a crash leaves a journal the restart finds, so create it before the
        recording is announced. An existing journal of the same sid is an error, never overwritten.
        """
        if sid in ("", ".", "..") or "/" in sid or "\\" in sid or "\0" in sid:
            raise ValueError(f"a journal sid must be a plain folder name, got {sid!r}")
        path = folder / sid
        created = _missing_folders(path)
        fds: list[int] = []
        try:
            path.mkdir(parents=True)
            # tracks.raw first: a folder that holds events.jsonl (what journal_folders looks for)
            # holds both files.
            for name in (TRACKS_FILE, EVENTS_FILE):
                fds.append(os.open(path / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644))
                os.fsync(fds[-1])
            for directory in [*created, created[-1].parent]:
                _fsync_folder(directory)
        except OSError as exc:
            for fd in fds:
                os.close(fd)
            raise JournalError(f"cannot create the journal of {sid} in {folder}: {exc}") from exc
        return cls(path, sid, fds[0], fds[1])

    def append(self, inbound: Pcm, outbound: Pcm) -> None:
        """Buffer one frame of each track (no I/O). Ignored once the journal is closed."""
        if not (
            inbound.dtype is _LE_INT16
            and outbound.dtype is _LE_INT16
            and inbound.nbytes == _TRACK_BYTES
            and outbound.nbytes == _TRACK_BYTES
            and inbound.flags.c_contiguous
            and outbound.flags.c_contiguous
        ):
            inbound, outbound = _frame_samples(inbound), _frame_samples(outbound)
        with self._buffer_lock:
            if self._closed:
                return
            self._buffer.extend(inbound)
            self._buffer.extend(outbound)
            self._frames += 1

    @property
    def frames(self) -> int:
        """Frames appended so far, buffered or written."""
        return self._frames

    def event(self, name: str, **fields: int | str) -> None:
        """Append ``{"event": name, **fields}`` to events.jsonl and fsync it now.

        Events are rare (start, pause, resume, stop); give them their media offset in ``fields``
        (for example ``frame=journal.frames``) to place them against the tracks.
        """
        if "event" in fields:
            raise ValueError("an event field may not be named 'event'")
        line = json.dumps({"event": name, **fields}, separators=(",", ":")) + "\n"
        data = line.encode()
        with self._events_lock:
            if self._events_fd is None:
                raise ValueError(f"the journal of {self.sid} is closed")
            try:
                _pwrite_all(self._events_fd, data, self._events_bytes)
                os.fsync(self._events_fd)
            except OSError as exc:
                raise JournalError(f"cannot write the journal events of {self.sid}: {exc}") from exc
            self._events_bytes += len(data)

    def restore(self, tracks: bytes, events: bytes) -> None:
        """Fill a journal just made with the bytes of one shipped elsewhere (recording/shipping.py),
        fsynced."""
        with self._io_lock, self._events_lock:
            if self._tracks_fd is None or self._events_fd is None or self._tracks_bytes or self._events_bytes:
                raise ValueError(f"only a new journal is restored, not {self.sid}'s")
            try:
                for fd, data in ((self._tracks_fd, tracks), (self._events_fd, events)):
                    _pwrite_all(fd, data, 0)
                    os.fsync(fd)
            except OSError as exc:
                raise JournalError(f"cannot restore the journal of {self.sid}: {exc}") from exc
            self._tracks_bytes, self._events_bytes = len(tracks), len(events)

    def flush(self) -> None:
        """Write the buffered frames to tracks.raw and fsync; a no-op when nothing is buffered.

        Safe from a worker thread while another thread appends. On failure the frames stay buffered
        for the next flush and ``JournalError`` says why.
        """
        with self._io_lock:
            if self._tracks_fd is not None:
                self._write(self._tracks_fd)
                self._sync(self._tracks_fd)

    def write(self) -> None:
        """Write the buffered frames to tracks.raw without waiting: while a sync or a close holds
        the file they wait for the next write. For the event loop, which must never wait on the
        disk: the write only reaches the page cache. ``JournalError`` as ``flush``."""
        if not self._io_lock.acquire(blocking=False):
            return
        try:
            if self._tracks_fd is not None:
                self._write(self._tracks_fd)
        finally:
            self._io_lock.release()

    def sync(self) -> None:
        """fsync what was written to tracks.raw (``JournalError`` when it fails)."""
        with self._io_lock:
            if self._tracks_fd is not None:
                self._sync(self._tracks_fd)

    def close(self) -> None:
        """Flush what is buffered and close the files; later appends are ignored. Idempotent.

        The files are closed even when the final flush fails (which raises ``JournalError``).
        """
        with self._io_lock:
            with self._buffer_lock:
                if self._closed:
                    return
                self._closed = True
            try:
                if self._tracks_fd is not None:
                    self._write(self._tracks_fd)
                    self._sync(self._tracks_fd)
            finally:
                self._close_files()

    def _write(self, fd: int) -> None:
        with self._buffer_lock:
            pending, self._buffer = self._buffer, bytearray()
        if not pending:
            return
        try:
            _pwrite_all(fd, pending, self._tracks_bytes)
        except OSError as exc:
            # Put the frames back in front of those appended meanwhile; the next flush writes them
            # again at the same offset, over whatever part of them this attempt left.
            with self._buffer_lock:
                self._buffer[:0] = pending
            raise JournalError(f"cannot write the journal of {self.sid}: {exc}") from exc
        self._tracks_bytes += len(pending)

    def _sync(self, fd: int) -> None:
        try:
            os.fsync(fd)
        except OSError as exc:
            raise JournalError(f"cannot sync the journal of {self.sid}: {exc}") from exc

    def _close_files(self) -> None:
        tracks_fd, self._tracks_fd = self._tracks_fd, None
        if tracks_fd is not None:
            os.close(tracks_fd)
        with self._events_lock:
            events_fd, self._events_fd = self._events_fd, None
            if events_fd is not None:
                os.close(events_fd)


@dataclass(frozen=True, eq=False)
class JournalContents:
    """What a journal holds on disk. ``eq=False``: numpy arrays do not compare to one bool."""

    sid: str
    inbound: Pcm
    outbound: Pcm
    events: list[dict[str, Any]]

    @property
    def frames(self) -> int:
        return len(self.inbound) // SAMPLES_PER_FRAME

    @property
    def stopped(self) -> bool:
        """The recording was stopped before the journal was left (else it ended in a crash)."""
        return any(event.get("event") == "stop" for event in self.events)


def read_journal(path: Path) -> JournalContents:
    """Read the journal folder ``path``; a partial trailing frame and a torn last event line are
    ignored, and so are frames past a ``stop`` event's ``frames`` (journaled after the frame the
    recording stopped on, recording/recorder.py)."""
    events = _read_events(path)
    frames = _read_tracks(path / TRACKS_FILE).reshape(-1, 2, SAMPLES_PER_FRAME)
    kept = [event["frames"] for event in events if event.get("event") == "stop" and "frames" in event]
    if kept:
        frames = frames[: min(kept)]
    inbound: Pcm = np.ascontiguousarray(frames[:, 0, :], dtype=np.int16).reshape(-1)
    outbound: Pcm = np.ascontiguousarray(frames[:, 1, :], dtype=np.int16).reshape(-1)
    return JournalContents(path.name, inbound, outbound, events)


def journal_folders(folder: Path) -> list[Path]:
    """The journals under ``folder`` (folders holding events.jsonl), sorted; [] when it is missing."""
    try:
        entries = list(folder.iterdir())
    except FileNotFoundError:
        return []
    return sorted(entry for entry in entries if (entry / EVENTS_FILE).is_file())


def has_journal(folder: Path, sid: str) -> bool:
    """Whether ``folder`` holds the journal of recording ``sid``."""
    return (folder / sid / EVENTS_FILE).is_file()


def remove_journal(path: Path) -> None:
    """Delete the journal folder once its recording is finalized; a missing one is fine."""
    try:
        shutil.rmtree(path)
        # Make the removal durable, so a restart does not finalize the recording a second time.
        _fsync_folder(path.parent)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise JournalError(f"cannot remove the journal {path}: {exc}") from exc


SyncFs = Callable[[int], int]
"""Linux's ``syncfs(2)`` on a descriptor: 0, or -1 with ``errno`` set."""


def _libc_syncfs() -> SyncFs | None:
    """``syncfs`` from the C library (ctypes lets go of the GIL while it runs), None off Linux."""
    if not sys.platform.startswith("linux"):
        return None
    syncfs: SyncFs | None = getattr(ctypes.CDLL(None, use_errno=True), "syncfs", None)
    return syncfs


LIBC_SYNCFS = _libc_syncfs()


class JournalFlusher:
    """Owns one asyncio task that, every interval_s of wall time, writes every registered journal
    on the event loop, then makes them durable in a worker thread (asyncio.to_thread).

    Why the write is on the loop: it only reaches the page cache (a few microseconds a journal, and
    a journal whose file is busy waits for the next round), while a worker thread that writes has
    to take the GIL back from the media clock after every system call. At 300 SIP calls that
    hand-over, a thousand times a round, made 13 to 22 media ticks late in 15 s; with no flushing
    at all none or three were.

    Durable: where the C library has ``syncfs`` (Linux), one call syncs the file system the
    journals are on; elsewhere the worker fsyncs each journal, spread over ``workers`` threads (the
    file system commits concurrent fsyncs together: on a 2-core ext4 machine 1000 journals sync 3
    to 5 times faster with 4 threads than with one).

    Rounds keep to a fixed schedule (a slow one shortens the next wait rather than adding to it),
    so a frame waits at most about ``interval_s`` plus one round before it is durable. A journal
    that fails is logged once when it starts failing and once when it recovers; the others go on.
    """

    def __init__(
        self,
        folder: Path,
        interval_s: float = FLUSH_INTERVAL_S,
        *,
        workers: int = FLUSH_WORKERS,
        syncfs: SyncFs | None = LIBC_SYNCFS,
    ) -> None:
        """``folder``: where the journals are (``syncfs`` syncs its file system)."""
        if interval_s <= 0:
            raise ValueError(f"interval_s must be positive, got {interval_s}")
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        self._folder = folder
        self._interval_s = interval_s
        self._workers = workers
        self._syncfs = syncfs
        self._journals: dict[Journal, None] = {}  # a set that keeps insertion order
        self._failing: set[tuple[str, str]] = set()  # (step, journal's SID or "*" for all)
        self._task: asyncio.Task[None] | None = None

    def add(self, journal: Journal) -> None:
        self._journals[journal] = None

    def remove(self, journal: Journal) -> None:
        """Stop flushing ``journal``; it is not flushed here: its owner closes it."""
        self._journals.pop(journal, None)
        self._failing -= {("write", journal.sid), ("sync", journal.sid)}

    def start(self) -> None:
        """Start the flushing task; needs a running loop."""
        if self._task is not None:
            raise RuntimeError("the journal flusher is already started")
        self._task = asyncio.get_running_loop().create_task(self._run(), name="journal-flusher")

    async def stop(self) -> None:
        """Cancel the task and wait for it, then flush every journal still registered once."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.wait({task})
        await self._round()

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        next_at = loop.time()
        while True:
            next_at += self._interval_s
            delay_s = next_at - loop.time()
            if delay_s > 0:
                await asyncio.sleep(delay_s)
            else:
                next_at = loop.time()  # behind schedule: flush now, and do not try to catch up
            await self._round()

    async def _round(self) -> None:
        journals = list(self._journals)
        if not journals:
            return
        written = [journal for journal in journals if self._checked("write", journal.sid, journal.write)]
        await asyncio.to_thread(self._sync_all, written)

    def _sync_all(self, journals: list[Journal]) -> None:
        """Make what ``journals`` wrote durable (runs in a worker thread)."""
        if self._syncfs is not None:
            self._checked("sync", "*", self._sync_folder)
        elif self._workers == 1 or len(journals) < 2:
            self._sync_each(journals)
        else:
            shares = [journals[start :: self._workers] for start in range(self._workers)]
            with ThreadPoolExecutor(self._workers, thread_name_prefix="journal-sync") as pool:
                list(pool.map(self._sync_each, shares))

    def _sync_folder(self) -> None:
        assert self._syncfs is not None
        try:
            fd = os.open(self._folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError as exc:
            raise JournalError(f"cannot sync {self._folder}") from exc
        try:
            if self._syncfs(fd) != 0:
                error = ctypes.get_errno()
                raise JournalError(f"cannot sync {self._folder}") from OSError(error, os.strerror(error))
        finally:
            os.close(fd)

    def _sync_each(self, journals: list[Journal]) -> None:
        for journal in journals:
            self._checked("sync", journal.sid, journal.sync)

    def _checked(self, step: str, sid: str, run: Callable[[], None]) -> bool:
        """Run a journal's ``step`` (``sid`` "*": every journal's sync), logging a failure once and
        its recovery once; whether it succeeded."""
        key = (step, sid)
        try:
            run()
        except JournalError as exc:
            if key not in self._failing:
                self._failing.add(key)
                log.error("journal %s failed sid=%s error=%s", step, sid, exc.__cause__)
            return False
        except Exception:
            log.exception("journal %s crashed sid=%s", step, sid)
            return False
        if key in self._failing:
            self._failing.discard(key)
            log.info("journal %s recovered sid=%s", step, sid)
        return True


def _frame_samples(samples: Pcm) -> Pcm:
    """One track's frame as contiguous int16 little-endian, or a ValueError naming what is wrong."""
    if samples.dtype.kind != "i" or samples.dtype.itemsize != 2 or samples.shape != (SAMPLES_PER_FRAME,):
        raise ValueError(
            f"a journal frame is {SAMPLES_PER_FRAME} int16 samples, got shape {samples.shape} "
            f"of {samples.dtype}"
        )
    return np.ascontiguousarray(samples, dtype=_LE_INT16)


def _pwrite_all(fd: int, data: bytes | bytearray, offset: int) -> None:
    view = memoryview(data)
    while view:
        written = os.pwrite(fd, view, offset)
        view = view[written:]
        offset += written


def _missing_folders(path: Path) -> list[Path]:
    """``path`` and those of its parents that do not exist yet, deepest first."""
    missing = [path]
    while not missing[-1].parent.exists() and missing[-1].parent != missing[-1]:
        missing.append(missing[-1].parent)
    return missing


def _fsync_folder(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _read_tracks(file: Path) -> Pcm:
    try:
        size = file.stat().st_size
    except FileNotFoundError:
        size = 0
    count = size // FRAME_BYTES * (FRAME_BYTES // 2)
    if count == 0:
        return np.zeros(0, dtype=_LE_INT16)
    samples: Pcm = np.fromfile(file, dtype=_LE_INT16, count=count)
    return samples[: len(samples) // (2 * SAMPLES_PER_FRAME) * (2 * SAMPLES_PER_FRAME)]


def _read_events(path: Path) -> list[dict[str, Any]]:
    try:
        data = (path / EVENTS_FILE).read_bytes()
    except FileNotFoundError:
        return []
    # Every event ends in a newline; what follows the last one is a torn write and is left out.
    lines = data.split(b"\n")[:-1]
    events: list[dict[str, Any]] = []
    for number, line in enumerate(lines, start=1):
        try:
            event = json.loads(line)
        except ValueError:
            event = None
        if isinstance(event, dict):
            events.append(event)
        else:
            log.warning("journal event line skipped sid=%s line=%s", path.name, number)
    return events
