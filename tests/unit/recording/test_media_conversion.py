"""A recording's MP3 and mixed-down media (RecordingService.media) are made from its WAV a block at
a time: the bytes equal those of encoding the whole recording at once, and no read of the WAV is
larger than one block, so an hour of recording is never all in memory."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import numpy as np

from phonograph.media import MediaClock
from phonograph.recording import RecordingService, encode_mp3, encode_wav
from phonograph.recording.compose import mix
from phonograph.recording.encode import MP3_BLOCK_FRAMES
from phonograph.store import Database, LocalBlobStore
from tests.support.store import sqlite_url
from tests.unit.recording.test_promise_transcriptions import FixedClock, recording

ACCOUNT = "AC" + "0" * 32


class CountingStore(LocalBlobStore):
    """A folder that notes the largest read it was asked for."""

    largest_read = 0

    async def read(self, key: str, start: int = 0, end: int | None = None) -> bytes:
        data = await super().read(key, start, end)
        self.largest_read = max(self.largest_read, len(data))
        return data


def test_mp3_and_mixdowns_are_made_a_block_at_a_time_and_equal_the_whole_encoding(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    # One and a half blocks of two channels: the last block is a partial one.
    samples = rng.integers(-20_000, 20_000, size=(MP3_BLOCK_FRAMES * 3 // 2, 2), dtype=np.int16)
    mixed = mix(samples[:, 0], samples[:, 1]).reshape(-1, 1)
    store = CountingStore(tmp_path / "blobs")
    made = recording(ACCOUNT, status="completed", channels=2)
    made = replace(made, media_key=f"{ACCOUNT}/{made.sid}.wav")
    reader = LocalBlobStore(tmp_path / "blobs")  # reads the results back, uncounted

    async def check() -> None:
        await reader.put(f"{ACCOUNT}/{made.sid}.wav", encode_wav(samples))
        recordings = RecordingService(
            Database(sqlite_url(tmp_path)),
            FixedClock(),
            MediaClock(),
            store,
            tmp_path / "journals",
            "http://phonograph.test",
            lambda: None,
            node_id="n",
        )
        expected = {
            ("mp3", None): encode_mp3(samples),
            ("mp3", 1): encode_mp3(mixed),
            ("wav", 1): encode_wav(mixed),
        }
        for (extension, channels), whole in expected.items():
            key = await recordings.media(made, extension, channels)
            assert await reader.read(key) == whole, (extension, channels)
        assert await recordings.media(made, "wav") == made.media_key

    asyncio.run(check())
    assert 0 < store.largest_read <= MP3_BLOCK_FRAMES * 2 * 2  # a block of two int16 channels
