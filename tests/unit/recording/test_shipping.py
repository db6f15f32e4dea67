"""Journal segments (recording/shipping.py) on a real SeaweedFS: a journal shipped in rounds while
it grows is rebuilt elsewhere byte for byte (whole frames, whole event lines), the segments are
deleted once forgotten, a folder store ships nothing, and a store that does not answer keeps the
bytes for the next round."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable
from pathlib import Path

import numpy as np
import pytest

from phonograph.core import ServiceUnavailable
from phonograph.recording.journal import EVENTS_FILE, FRAME_BYTES, TRACKS_FILE, Journal, read_journal
from phonograph.recording.shipping import JournalShipper, segment_key
from phonograph.store import BlobStore, LocalBlobStore
from tests.support.seaweedfs import SeaweedServer
from tests.unit.recording.test_journal import SID, inbound_frame, outbound_frame
from tests.unit.test_blobs import s3_store


def grow(journal: Journal, start: int, count: int) -> None:
    for index in range(start, start + count):
        journal.append(inbound_frame(index), outbound_frame(index))
    journal.flush()


def test_a_journal_shipped_in_rounds_is_rebuilt_elsewhere_and_its_segments_deleted(
    tmp_path: Path, seaweedfs: SeaweedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = s3_store(seaweedfs, monkeypatch)

    async def check() -> None:
        shipper = JournalShipper(store)
        journal = Journal.create(tmp_path / "here", SID)
        shipper.add(journal)
        grow(journal, 0, 30)
        journal.event("start", frame=0)
        await shipper.ship()
        await shipper.ship()  # nothing new: no segment
        grow(journal, 30, 20)
        journal.event("pause", frame=40, behavior="silence")
        # A torn tail (half a frame, half a line) waits for the next round.
        with (journal.path / TRACKS_FILE).open("ab") as tracks:
            tracks.write(b"\x01\x02\x03")
        with (journal.path / EVENTS_FILE).open("ab") as events:
            events.write(b'{"event":"res')
        await shipper.ship()
        # ... and the bytes that complete them go with the round after.
        with (journal.path / TRACKS_FILE).open("ab") as tracks:
            tracks.write(bytes(FRAME_BYTES - 3))
        with (journal.path / EVENTS_FILE).open("ab") as events:
            events.write(b'ume","frame":45}\n')
        await shipper.ship()
        assert await store.size(segment_key(SID, 2)) is not None
        assert await store.size(segment_key(SID, 3)) is None

        elsewhere = JournalShipper(store)
        await elsewhere.fetch(SID, tmp_path / "there")
        shipped, local = read_journal(tmp_path / "there" / SID), read_journal(journal.path)
        assert shipped.frames == local.frames == 51
        assert np.array_equal(shipped.inbound, local.inbound)
        assert np.array_equal(shipped.outbound, local.outbound)
        assert (
            shipped.events
            == local.events
            == [
                {"event": "start", "frame": 0},
                {"event": "pause", "frame": 40, "behavior": "silence"},
                {"event": "resume", "frame": 45},
            ]
        )
        await elsewhere.forget(SID)
        assert [await store.size(segment_key(SID, number)) for number in range(3)] == [None] * 3
        journal.close()

    asyncio.run(check())


def test_nothing_is_shipped_to_a_folder_and_a_recording_without_segments_fetches_nothing(
    tmp_path: Path,
) -> None:
    store = LocalBlobStore(tmp_path / "media")

    async def check() -> None:
        shipper = JournalShipper(store)
        journal = Journal.create(tmp_path / "journals", SID)
        shipper.add(journal)
        grow(journal, 0, 10)
        await shipper.ship()
        assert await store.size(segment_key(SID, 0)) is None
        await shipper.fetch(SID, tmp_path / "elsewhere")
        assert not (tmp_path / "elsewhere").exists()
        journal.close()

    asyncio.run(check())


class Outage:
    """A store that refuses every request while ``down``, as S3BlobStore does when its endpoint
    does not answer (tests/unit/test_blobs.py shows that it does)."""

    shared = True

    def __init__(self, store: BlobStore) -> None:
        self.store = store
        self.down = True

    def _check(self) -> None:
        if self.down:
            raise ServiceUnavailable("the media store does not answer")

    async def put(self, key: str, data: bytes) -> None:
        self._check()
        await self.store.put(key, data)

    async def put_stream(self, key: str, chunks: AsyncIterable[bytes]) -> None:
        self._check()
        await self.store.put_stream(key, chunks)

    async def read(self, key: str, start: int = 0, end: int | None = None) -> bytes:
        self._check()
        return await self.store.read(key, start, end)

    async def size(self, key: str) -> int | None:
        self._check()
        return await self.store.size(key)

    async def delete(self, key: str) -> None:
        self._check()
        await self.store.delete(key)


def test_a_round_the_store_refuses_is_shipped_whole_by_the_next(
    tmp_path: Path, seaweedfs: SeaweedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Outage(s3_store(seaweedfs, monkeypatch))

    async def check() -> None:
        shipper = JournalShipper(store)
        journal = Journal.create(tmp_path / "here", SID)
        shipper.add(journal)
        grow(journal, 0, 25)
        await shipper.ship()  # logged; the bytes wait for the next round
        store.down = False
        grow(journal, 25, 5)
        await shipper.ship()
        await JournalShipper(store).fetch(SID, tmp_path / "there")
        assert read_journal(tmp_path / "there" / SID).frames == 30
        journal.close()

    asyncio.run(check())
