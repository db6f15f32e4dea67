"""Journal segments in the shared media store: what lets another node finalize a recording whose
node died for good (docs/architecture.md, "Several nodes").

A journal (recording/journal.py) is on its node's disk, which dies with the node. When the media
store is shared (S3), every ``SEGMENT_INTERVAL_S`` each live journal's bytes written since its last
segment go to the store as the next segment, ``journals/<RecordingSid>/<n>``: a JSON header line
giving the lengths, then the new bytes of ``tracks.raw`` (whole frames) and of ``events.jsonl``
(whole lines). Segment ``n`` is put only after segment ``n - 1`` was, so segments 0, 1, … up to the
first missing one are a prefix of the journal. The node that takes the recording over (calls/nodes.py)
reads them back into a journal of its own and finalizes it as after a crash; the segments are
deleted once the recording is finalized.

A node killed for good loses what it had not shipped: at most ``SEGMENT_INTERVAL_S``, plus the
journal's flush interval and one PUT.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from phonograph.core import ServiceUnavailable
from phonograph.recording.journal import EVENTS_FILE, FRAME_BYTES, TRACKS_FILE, Journal
from phonograph.store import BlobNotFound, BlobStore

log = logging.getLogger(__name__)

SEGMENT_INTERVAL_S = 2.0
"""Two seconds of a recording at most are lost with its node (the issue allows five)."""
SHIPPING_CONCURRENCY = 16
"""Segments put at once, across recordings."""
SEGMENTS_KEPT_MAX = 100_000
"""Recordings whose segments this node remembers until they are deleted (one int each)."""


def segment_key(sid: str, number: int) -> str:
    return f"journals/{sid}/{number:08d}"


@dataclass
class _Shipped:
    tracks_bytes: int = 0
    events_bytes: int = 0


class JournalShipper:
    def __init__(self, blobs: BlobStore, interval_s: float = SEGMENT_INTERVAL_S) -> None:
        self._blobs = blobs
        self._interval_s = interval_s
        self._live: dict[Journal, _Shipped] = {}
        # Segments in the store per recording, until deleted: shipped here, or fetched for a takeover.
        self._segments: dict[str, int] = {}
        self._round = asyncio.Lock()
        self._failing = False
        self._task: asyncio.Task[None] | None = None

    def add(self, journal: Journal) -> None:
        """Ship ``journal`` from now on, when the store is one other nodes read."""
        if self._blobs.shared:
            self._live[journal] = _Shipped()

    def remove(self, journal: Journal) -> None:
        """Stop shipping ``journal`` (its recording stopped: this node finalizes it)."""
        self._live.pop(journal, None)

    def start(self) -> None:
        if self._blobs.shared:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="journal-shipper")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.wait({task})

    async def ship(self) -> None:
        """Put every live journal's next segment (one round)."""
        async with self._round:
            limit = asyncio.Semaphore(SHIPPING_CONCURRENCY)

            async def one(journal: Journal, shipped: _Shipped) -> None:
                async with limit:
                    await self._ship(journal, shipped)

            results = await asyncio.gather(
                *(one(journal, shipped) for journal, shipped in list(self._live.items())),
                return_exceptions=True,
            )
        failed = [result for result in results if isinstance(result, Exception)]
        if failed and not self._failing:
            log.error("journal segments not shipped count=%d error=%s", len(failed), failed[0])
        elif not failed and self._failing:
            log.info("journal segments shipped again")
        self._failing = bool(failed)

    async def fetch(self, sid: str, folder: Path) -> None:
        """Rebuild ``sid``'s journal in ``folder`` from its segments; nothing when it has none.
        ``ServiceUnavailable`` when the store does not answer (the caller tries again later)."""
        tracks, events, number = bytearray(), bytearray(), 0
        while True:
            try:
                segment = await self._blobs.read(segment_key(sid, number))
            except BlobNotFound:
                break
            header, _, body = segment.partition(b"\n")
            lengths = json.loads(header)
            tracks += body[: lengths["tracks"]]
            events += body[lengths["tracks"] : lengths["tracks"] + lengths["events"]]
            number += 1
        if number == 0:
            return
        self._remember(sid, number)
        journal = await asyncio.to_thread(Journal.create, folder, sid)
        try:
            await asyncio.to_thread(journal.restore, bytes(tracks), bytes(events))
        finally:
            await asyncio.to_thread(journal.close)
        log.info(
            "journal fetched from its segments sid=%s segments=%d frames=%d",
            sid,
            number,
            len(tracks) // FRAME_BYTES,
        )

    async def forget(self, sid: str) -> None:
        """Delete ``sid``'s segments (its recording is finalized); a store that does not answer
        leaves them, logged."""
        async with self._round:
            count = self._segments.pop(sid, 0)
        try:
            for number in range(count):
                await self._blobs.delete(segment_key(sid, number))
        except ServiceUnavailable:
            log.warning("journal segments left in the media store sid=%s", sid)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        next_at = loop.time()
        while True:
            next_at = max(next_at + self._interval_s, loop.time())
            await asyncio.sleep(next_at - loop.time())
            await self.ship()

    async def _ship(self, journal: Journal, shipped: _Shipped) -> None:
        try:
            tracks, events = await asyncio.to_thread(_new_bytes, journal.path, shipped)
        except FileNotFoundError:
            return  # stopped and finalized meanwhile
        if not tracks and not events:
            return
        number = self._segments.get(journal.sid, 0)
        header = json.dumps({"tracks": len(tracks), "events": len(events)}).encode()
        await self._blobs.put(segment_key(journal.sid, number), header + b"\n" + tracks + events)
        self._remember(journal.sid, number + 1)
        shipped.tracks_bytes += len(tracks)
        shipped.events_bytes += len(events)

    def _remember(self, sid: str, count: int) -> None:
        self._segments[sid] = count
        while len(self._segments) > SEGMENTS_KEPT_MAX:
            # The oldest: its segments stay in the store (a warning), this node's memory is bounded.
            forgotten = next(iter(self._segments))
            del self._segments[forgotten]
            log.warning("journal segments forgotten sid=%s", forgotten)


def _new_bytes(path: Path, shipped: _Shipped) -> tuple[bytes, bytes]:
    """The journal's whole frames and whole event lines written since ``shipped``."""
    with (path / TRACKS_FILE).open("rb") as file:
        file.seek(shipped.tracks_bytes)
        tracks = file.read()
    with (path / EVENTS_FILE).open("rb") as file:
        file.seek(shipped.events_bytes)
        events = file.read()
    tracks = tracks[: len(tracks) // FRAME_BYTES * FRAME_BYTES]
    events = events[: events.rfind(b"\n") + 1]
    return tracks, events
