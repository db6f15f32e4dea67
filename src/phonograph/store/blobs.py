"""Blob stores: where recording media lives, behind one small async interface.

``PHONOGRAPH_STORAGE_URL`` picks the store (docs/architecture.md, "Contracts"): a folder (a plain
path or ``file:///abs/path``), or ``s3://bucket/prefix`` on any S3-compatible object store through
obstore (credentials, region and endpoint from the standard ``AWS_*`` variables).

A store that does not answer raises ``ServiceUnavailable`` (20503): a recording being finalized
keeps its journal and is tried again (recording/service.py), a media request is answered 503.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import stat
import tempfile
from collections.abc import AsyncIterable, AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO, Protocol
from urllib.parse import unquote, urlsplit

import obstore
from obstore.store import S3Store

from phonograph.core import NotFound, ServiceUnavailable

log = logging.getLogger(__name__)


class BlobNotFound(NotFound):
    """No blob under the key (never written, or deleted)."""


class BlobStore(Protocol):
    """Whole-object writes and ranged reads, keyed by ``/``-separated relative names."""

    shared: bool
    """Other nodes read what this one writes (an object store), not only this machine (a folder)."""

    async def put(self, key: str, data: bytes) -> None:
        """Store ``data`` under ``key``, atomically: a reader sees the old blob or the new one."""
        ...

    async def put_stream(self, key: str, chunks: AsyncIterable[bytes]) -> None:
        """Store the chunks, joined, under ``key`` as ``put`` does, without holding them all."""
        ...

    async def read(self, key: str, start: int = 0, end: int | None = None) -> bytes:
        """Bytes ``[start, end)`` of the blob (to its end when ``end`` is None); ``BlobNotFound``."""
        ...

    async def size(self, key: str) -> int | None:
        """The blob's length in bytes, or None when there is none."""
        ...

    async def delete(self, key: str) -> None:
        """Remove the blob; a missing one is fine."""
        ...


def _key_parts(key: str) -> list[str]:
    """The key's path segments; a key that could leave the store's root is refused."""
    parts = key.split("/")
    # An absolute key ("/etc/x") has an empty first segment.
    if "\\" in key or "\0" in key or any(part in ("", ".", "..") for part in parts):
        raise ValueError(f"blob key {key!r} must be a relative path of non-empty segments without '..'")
    return parts


def _object_path(key: str) -> str:
    """The key as an object path (checked as a file's would be: the same keys are valid in both)."""
    return "/".join(_key_parts(key))


class LocalBlobStore:
    """Blobs as files under ``root``: key ``AC…/RE….wav`` is the file ``root/AC…/RE….wav``."""

    shared = False

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*_key_parts(key))

    async def put(self, key: str, data: bytes) -> None:
        await self.put_stream(key, _one(data))

    async def put_stream(self, key: str, chunks: AsyncIterable[bytes]) -> None:
        # A temporary file beside the target, made durable, then renamed over it: rename is atomic
        # within one file system, and the directory fsync makes the rename durable.
        path = self._path(key)
        await asyncio.to_thread(path.parent.mkdir, parents=True, exist_ok=True)
        fd, tmp_name = await asyncio.to_thread(
            tempfile.mkstemp, dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
        )
        try:
            with os.fdopen(fd, "wb") as tmp:
                async for chunk in chunks:
                    await asyncio.to_thread(tmp.write, chunk)
                await asyncio.to_thread(_flush_durably, tmp)
            await asyncio.to_thread(os.replace, tmp_name, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp_name)
            raise
        await asyncio.to_thread(_fsync_dir, path.parent)

    async def read(self, key: str, start: int = 0, end: int | None = None) -> bytes:
        if start < 0 or (end is not None and end < start):
            raise ValueError(f"bad byte range [{start}, {end}) for blob {key!r}")
        return await asyncio.to_thread(_read_range, self._path(key), key, start, end)

    async def size(self, key: str) -> int | None:
        return await asyncio.to_thread(_file_size, self._path(key))

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, missing_ok=True)


async def _one(data: bytes) -> AsyncIterator[bytes]:
    yield data


def _flush_durably(file: BinaryIO) -> None:
    file.flush()
    os.fsync(file.fileno())


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _read_range(path: Path, key: str, start: int, end: int | None) -> bytes:
    try:
        with path.open("rb") as blob:
            blob.seek(start)
            return blob.read() if end is None else blob.read(end - start)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
        raise BlobNotFound(f"no blob {key!r}") from exc


def _file_size(path: Path) -> int | None:
    try:
        info = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return None
    return info.st_size if stat.S_ISREG(info.st_mode) else None


S3_CONNECT_TIMEOUT = timedelta(seconds=5)
S3_REQUEST_TIMEOUT = timedelta(seconds=60)  # a whole hour-long recording's WAV, read or written
S3_RETRIES = 3
S3_RETRY_TIMEOUT = timedelta(seconds=10)


class S3BlobStore:
    """Blobs as objects under ``s3://bucket/prefix``: key ``AC…/RE….wav`` is the object
    ``prefix/AC…/RE….wav``. An S3 PUT replaces an object whole, so a reader sees the old blob or
    the new one, and a completed PUT is durable (docs.aws.amazon.com/AmazonS3/latest/userguide/
    Welcome.html, "Amazon S3 data consistency model")."""

    shared = True

    def __init__(self, url: str) -> None:
        self.url = url
        # obstore reads AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION and AWS_ENDPOINT_URL
        # from the environment; no I/O happens here. Client options given here replace the ones
        # it would read, so AWS_ALLOW_HTTP (a plain-HTTP endpoint) is read here as it reads it.
        # Its default retries a store that is down for up to three minutes per request, and a
        # media request would hang that long: one gives up after S3_RETRY_TIMEOUT (a recording
        # being finalized is tried again later with its own back-off).
        allow_http = os.environ.get("AWS_ALLOW_HTTP", "").strip().lower() in ("true", "1")
        self._store = S3Store.from_url(
            url,
            client_options={
                "allow_http": allow_http,
                "connect_timeout": S3_CONNECT_TIMEOUT,
                "timeout": S3_REQUEST_TIMEOUT,
            },
            retry_config={"max_retries": S3_RETRIES, "retry_timeout": S3_RETRY_TIMEOUT},
        )

    async def put(self, key: str, data: bytes) -> None:
        path = _object_path(key)
        try:
            await obstore.put_async(self._store, path, data)
        except Exception as exc:
            raise self._unavailable("store", key, exc) from exc

    async def put_stream(self, key: str, chunks: AsyncIterable[bytes]) -> None:
        # A multipart upload (5 MiB parts), completed only once every part is in: until then
        # readers see the old object (docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html).
        try:
            await obstore.put_async(self._store, _object_path(key), chunks)
        except Exception as exc:
            raise self._unavailable("store", key, exc) from exc

    async def read(self, key: str, start: int = 0, end: int | None = None) -> bytes:
        if start < 0 or (end is not None and end < start):
            raise ValueError(f"bad byte range [{start}, {end}) for blob {key!r}")
        path = _object_path(key)
        try:
            if end is None:
                result = await obstore.get_async(self._store, path, options={"range": {"offset": start}})
                return bytes(await result.bytes_async())
            if end > start:
                return bytes(await obstore.get_range_async(self._store, path, start=start, end=end))
        except FileNotFoundError as exc:
            raise BlobNotFound(f"no blob {key!r}") from exc
        except Exception as exc:
            # S3 answers 416 to a range that starts at or past the end, where a file reads nothing.
            size = await self.size(key)
            if size is None:
                raise BlobNotFound(f"no blob {key!r}") from exc
            if start < size:
                raise self._unavailable("read", key, exc) from exc
            return b""
        if await self.size(key) is None:  # an empty range: only whether the blob is there
            raise BlobNotFound(f"no blob {key!r}")
        return b""

    async def size(self, key: str) -> int | None:
        path = _object_path(key)
        try:
            meta = await obstore.head_async(self._store, path)
        except FileNotFoundError:
            return None
        except Exception as exc:
            raise self._unavailable("look up", key, exc) from exc
        return int(meta["size"])

    async def delete(self, key: str) -> None:
        path = _object_path(key)
        try:
            await obstore.delete_async(self._store, path)  # a missing object is fine for S3
        except Exception as exc:
            raise self._unavailable("delete", key, exc) from exc

    def _unavailable(self, doing: str, key: str, exc: Exception) -> ServiceUnavailable:
        # The operator's log says what failed; the answer says only that the store is down (a
        # tenant has no business knowing the bucket or the endpoint). obstore's errors name the
        # URL and the status, never a credential.
        log.warning(
            "media store unavailable: could not %s url=%s key=%s error=%s: %s",
            doing,
            self.url,
            key,
            type(exc).__name__,
            exc,
        )
        return ServiceUnavailable("The media store does not answer; try again later", retry_after_s=1)


def open_blob_store(url: str) -> BlobStore:
    """The store that ``url`` names: ``file:///abs/path`` or a plain path is a folder of files."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
            raise ValueError(f"storage URL {url!r}: a file URL names a local folder (file:///abs/path)")
        return LocalBlobStore(Path(unquote(parts.path)))
    if parts.scheme == "s3":
        if not parts.netloc or parts.query or parts.fragment:
            raise ValueError(
                f"storage URL {url!r}: an S3 URL names a bucket and a prefix (s3://bucket/prefix)"
            )
        try:
            return S3BlobStore(url)
        except Exception as exc:  # obstore refuses a malformed URL or configuration
            raise ValueError(f"storage URL {url!r}: {exc}") from exc
    if parts.scheme == "" and url:
        return LocalBlobStore(Path(url))
    raise ValueError(f"storage URL {url!r}: use a folder (a path or file:///abs/path) or s3://bucket/prefix")
