"""The blob stores and open_blob_store: whole writes, ranged reads, safe keys, atomic overwrite.

The contract runs on both stores: a folder, and S3 on a real SeaweedFS that checks signatures
(tests/support/seaweedfs.py), each test under a prefix of its own. What only a folder has (files,
temporary files, folders that are not blobs) is tested on the folder alone."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from phonograph.core import NotFound, ServiceUnavailable
from phonograph.store import BlobNotFound, BlobStore, LocalBlobStore, open_blob_store
from phonograph.store.blobs import S3BlobStore
from phonograph.testing.server import free_port
from tests.support.seaweedfs import SeaweedServer

KEY = "AC0123/RE4567.wav"


def s3_store(seaweedfs: SeaweedServer, monkeypatch: pytest.MonkeyPatch, **env: str) -> S3BlobStore:
    """A store under a fresh prefix of the worker's SeaweedFS, with ``env`` over its settings."""
    for name, value in {**seaweedfs.env(), **env}.items():
        monkeypatch.setenv(name, value)
    return S3BlobStore(seaweedfs.url(f"test-{uuid.uuid4().hex}"))


@pytest.fixture(params=["folder", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> BlobStore:
    if request.param == "folder":
        return LocalBlobStore(tmp_path)
    return s3_store(request.getfixturevalue("seaweedfs"), monkeypatch)


def test_put_read_size_delete(store: BlobStore) -> None:
    async def main() -> None:
        data = bytes(range(256)) * 4
        await store.put(KEY, data)
        assert await store.read(KEY) == data
        assert await store.size(KEY) == len(data)
        await store.delete(KEY)
        assert await store.size(KEY) is None
        await store.delete(KEY)  # a missing blob is fine

    asyncio.run(main())


def test_a_stream_is_stored_whole_and_one_that_fails_changes_nothing(store: BlobStore) -> None:
    mib = 1024 * 1024
    # Over S3's 5 MiB part size: the upload has several parts.
    pieces = [bytes([index]) * mib for index in range(12)]

    async def chunks() -> AsyncIterator[bytes]:
        for piece in pieces:
            yield piece

    async def broken() -> AsyncIterator[bytes]:
        yield b"half of it"
        raise OSError("the source failed")

    async def main() -> None:
        await store.put_stream(KEY, chunks())
        assert await store.size(KEY) == 12 * mib
        assert await store.read(KEY, 5 * mib - 2, 5 * mib + 2) == b"\x04\x04\x05\x05"
        # A folder lets the source's error through; S3 says the upload did not complete.
        with pytest.raises((OSError, ServiceUnavailable)):
            await store.put_stream(KEY, broken())
        assert await store.size(KEY) == 12 * mib

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
def test_ranges_are_half_open(store: BlobStore, start: int, end: int | None, expected: bytes) -> None:
    async def main() -> bytes:
        await store.put("a/b", b"0123456789")
        return await store.read("a/b", start, end)

    assert asyncio.run(main()) == expected


@pytest.mark.parametrize(("start", "end"), [(-1, None), (5, 4)])
def test_bad_ranges_are_refused(store: BlobStore, start: int, end: int | None) -> None:
    async def main() -> None:
        await store.put("a", b"0123456789")
        await store.read("a", start, end)

    with pytest.raises(ValueError, match="range"):
        asyncio.run(main())


def test_missing_blobs(store: BlobStore) -> None:
    async def main() -> None:
        for start, end in ((0, None), (0, 4), (3, 3)):
            with pytest.raises(BlobNotFound) as caught:
                await store.read(KEY, start, end)
            assert isinstance(caught.value, NotFound)
        assert await store.size(KEY) is None
        await store.delete(KEY)

    asyncio.run(main())


def test_a_folder_or_a_path_through_a_file_is_no_blob(tmp_path: Path) -> None:
    async def main() -> None:
        store = LocalBlobStore(tmp_path)
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
def test_bad_keys_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seaweedfs: SeaweedServer, key: str
) -> None:
    stores: list[BlobStore] = [LocalBlobStore(tmp_path / "root"), s3_store(seaweedfs, monkeypatch)]

    async def main() -> None:
        for store in stores:
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


def test_overwrite_is_atomic(store: BlobStore, tmp_path: Path) -> None:
    """Readers racing a stream of overwrites only ever see one whole version."""
    versions = [bytes([n]) * 200_000 for n in range(8)]

    async def main() -> set[bytes]:
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
    if isinstance(store, LocalBlobStore):  # no temporary files are left beside the blob
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


def test_open_blob_store_takes_an_s3_url(seaweedfs: SeaweedServer, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in seaweedfs.env().items():
        monkeypatch.setenv(name, value)
    store = open_blob_store("s3://bucket/some/prefix")
    assert isinstance(store, S3BlobStore)
    assert store.url == "s3://bucket/some/prefix"


@pytest.mark.parametrize(
    "url",
    [
        "",
        "http://example.com/media",
        "gs://bucket",
        "file://host/path",
        "file:relative",
        "file://",
        "s3://",
        "s3:///prefix",
        "s3://bucket/p?x=1",
    ],
)
def test_open_blob_store_refuses_other_urls(url: str) -> None:
    with pytest.raises(ValueError, match="storage URL"):
        open_blob_store(url)


def test_a_store_that_refuses_the_credentials_is_unavailable_and_logs_why_without_them(
    seaweedfs: SeaweedServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    key = seaweedfs.secret_key
    # Not the key with one letter changed to what it may already be (a random key starts with W
    # one time in 64, and then this "wrong" key was the right one: a flaky test).
    wrong = ("X" if key.startswith("W") else "W") + key[1:]
    store = s3_store(seaweedfs, monkeypatch, AWS_SECRET_ACCESS_KEY=wrong)

    async def main() -> None:
        for operation in (store.put(KEY, b"x"), store.read(KEY, 0, 1), store.size(KEY), store.delete(KEY)):
            with pytest.raises(ServiceUnavailable) as caught:
                await operation
            assert (caught.value.status, caught.value.code) == (503, 20503)
            # Tenants see that the store is down, not where it is (the operator's log says).
            assert caught.value.message == "The media store does not answer; try again later"

    asyncio.run(main())
    logged = [record.getMessage() for record in caplog.records if record.name == "phonograph.store.blobs"]
    assert len(logged) >= 4, logged
    assert all(store.url in line and "403" in line for line in logged), logged
    assert not any(wrong in line or seaweedfs.secret_key in line for line in logged), logged


def test_a_store_that_does_not_answer_is_unavailable(
    seaweedfs: SeaweedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = s3_store(seaweedfs, monkeypatch, AWS_ENDPOINT_URL=f"http://127.0.0.1:{free_port()}")

    async def main() -> None:
        with pytest.raises(ServiceUnavailable):
            await store.put(KEY, b"x")
        with pytest.raises(ServiceUnavailable):
            await store.size(KEY)

    asyncio.run(main())
