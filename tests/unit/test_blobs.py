"""LocalBlobStore and open_blob_store: whole writes, ranged reads, safe keys, atomic overwrite."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from phonograph.core import NotFound
from phonograph.store import BlobNotFound, BlobStore, LocalBlobStore, open_blob_store

KEY = "AC0123/RE4567.wav"


def test_put_read_size_delete(tmp_path: Path) -> None:
    async def main() -> None:
        store: BlobStore = LocalBlobStore(tmp_path)
        data = bytes(range(256)) * 4
        await store.put(KEY, data)
        assert (tmp_path / "AC0123" / "RE4567.wav").read_bytes() == data
        assert await store.read(KEY) == data
        assert await store.size(KEY) == len(data)
        await store.delete(KEY)
        assert await store.size(KEY) is None
        await store.delete(KEY)  # a missing blob is fine

    asyncio.run(main())


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (0, None, b"0123456789"),
        (3, None, b"3456789"),
        (0, 4, b"0123"),
        (2, 5, b"234"),
        (5, 5, b""),
        (8, 100, b"89"),
        (10, None, b""),
        (20, 30, b""),
    ],
)
def test_ranges_are_half_open(tmp_path: Path, start: int, end: int | None, expected: bytes) -> None:
    async def main() -> bytes:
        store = LocalBlobStore(tmp_path)
        await store.put("a/b", b"0123456789")
        return await store.read("a/b", start, end)

    assert asyncio.run(main()) == expected


@pytest.mark.parametrize(("start", "end"), [(-1, None), (5, 4)])
def test_bad_ranges_are_refused(tmp_path: Path, start: int, end: int | None) -> None:
    async def main() -> None:
        store = LocalBlobStore(tmp_path)
        await store.put("a", b"0123456789")
        await store.read("a", start, end)

    with pytest.raises(ValueError, match="range"):
        asyncio.run(main())


def test_missing_blobs(tmp_path: Path) -> None:
    async def main() -> None:
        store = LocalBlobStore(tmp_path)
        with pytest.raises(BlobNotFound) as caught:
            await store.read(KEY)
        assert isinstance(caught.value, NotFound)
        assert await store.size(KEY) is None
        # A folder is not a blob, nor is a path through a file.
        await store.put("AC1/RE1.wav", b"x")
        assert await store.size("AC1") is None
        assert await store.size("AC1/RE1.wav/deeper") is None
        with pytest.raises(BlobNotFound):
            await store.read("AC1")
        with pytest.raises(BlobNotFound):
            await store.read("AC1/RE1.wav/deeper")

    asyncio.run(main())


@pytest.mark.parametrize(
    "key",
    ["", "/etc/passwd", "../outside", "a/../../b", "a/./b", "a//b", "a/", "a\\b", "..", ".", "a\0b"],
)
def test_bad_keys_are_refused(tmp_path: Path, key: str) -> None:
    store = LocalBlobStore(tmp_path / "root")

    async def main() -> None:
        for operation in (
            store.put(key, b"x"),
            store.read(key),
            store.size(key),
            store.delete(key),
        ):
            with pytest.raises(ValueError, match="blob key"):
                await operation

    asyncio.run(main())
    assert not (tmp_path / "outside").exists()
    assert not (tmp_path / "root").exists()


def test_overwrite_is_atomic(tmp_path: Path) -> None:
    """Readers racing a stream of overwrites only ever see one whole version."""
    versions = [bytes([n]) * 200_000 for n in range(8)]

    async def main() -> set[bytes]:
        store = LocalBlobStore(tmp_path)
        await store.put(KEY, versions[0])
        seen: set[bytes] = set()
        writing = True

        async def write() -> None:
            nonlocal writing
            for version in versions[1:] * 3:
                await store.put(KEY, version)
            writing = False

        async def read() -> None:
            while writing:
                seen.add(await store.read(KEY))

        await asyncio.gather(write(), read(), read())
        return seen

    seen = asyncio.run(main())
    assert seen <= set(versions)
    # No temporary files are left beside the blob.
    assert [path.name for path in (tmp_path / "AC0123").iterdir()] == ["RE4567.wav"]


def test_a_failed_write_keeps_the_old_blob_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_args: object) -> None:
        raise OSError("disk full")

    async def main() -> bytes:
        store = LocalBlobStore(tmp_path)
        await store.put(KEY, b"old")
        monkeypatch.setattr("phonograph.store.blobs.os.replace", refuse)
        with pytest.raises(OSError, match="disk full"):
            await store.put(KEY, b"new")
        return await store.read(KEY)

    assert asyncio.run(main()) == b"old"
    assert [path.name for path in (tmp_path / "AC0123").iterdir()] == ["RE4567.wav"]


def test_open_blob_store_takes_a_folder(tmp_path: Path) -> None:
    for url in (str(tmp_path), tmp_path.as_uri(), f"file://localhost{tmp_path}"):
        store = open_blob_store(url)
        assert isinstance(store, LocalBlobStore)
        assert store.root == tmp_path
    relative = open_blob_store("data/media")
    assert isinstance(relative, LocalBlobStore)
    assert relative.root == Path("data/media")
    spaced = open_blob_store((tmp_path / "with space").as_uri())
    assert isinstance(spaced, LocalBlobStore)
    assert spaced.root == tmp_path / "with space"


def test_open_blob_store_refuses_s3_for_now() -> None:
    with pytest.raises(ValueError, match="s3 storage is planned but not built yet"):
        open_blob_store("s3://bucket/prefix")


@pytest.mark.parametrize(
    "url", ["", "http://example.com/media", "gs://bucket", "file://host/path", "file:relative", "file://"]
)
def test_open_blob_store_refuses_other_urls(url: str) -> None:
    with pytest.raises(ValueError, match="storage URL"):
        open_blob_store(url)
