"""Blob stores: where recording media lives, behind one small async interface.

``PHONOGRAPH_STORAGE_URL`` picks the store (docs/architecture.md, "Contracts"): a folder (a plain path
or ``file:///abs/path``) is built; ``s3://bucket/prefix`` is planned for scale-out and fits the
same interface (put whole objects, ranged reads, size, delete).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import stat
import tempfile
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from phonograph.core import NotFound


class BlobNotFound(NotFound):
    """No blob under the key (never written, or deleted)."""


class BlobStore(Protocol):
    """Whole-object writes and ranged reads, keyed by ``/``-separated relative names."""

    async def put(self, key: str, data: bytes) -> None:
        """Store ``data`` under ``key``, atomically: a reader sees the old blob or the new one."""
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


class LocalBlobStore:
    """Blobs as files under ``root``: key ``AC…/RE….wav`` is the file ``root/AC…/RE….wav``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*_key_parts(key))

    async def put(self, key: str, data: bytes) -> None:
        await asyncio.to_thread(_write_atomically, self._path(key), data)

    async def read(self, key: str, start: int = 0, end: int | None = None) -> bytes:
        if start < 0 or (end is not None and end < start):
            raise ValueError(f"bad byte range [{start}, {end}) for blob {key!r}")
        return await asyncio.to_thread(_read_range, self._path(key), key, start, end)

    async def size(self, key: str) -> int | None:
        return await asyncio.to_thread(_file_size, self._path(key))

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, missing_ok=True)


def _write_atomically(path: Path, data: bytes) -> None:
    # Write a temporary file beside the target, make it durable, then rename it over the target:
    # rename is atomic within one file system, and the directory fsync makes the rename durable.
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    _fsync_dir(path.parent)


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


def open_blob_store(url: str) -> BlobStore:
    """The store that ``url`` names: ``file:///abs/path`` or a plain path is a folder of files."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
            raise ValueError(f"storage URL {url!r}: a file URL names a local folder (file:///abs/path)")
        return LocalBlobStore(Path(unquote(parts.path)))
    if parts.scheme == "s3":
        raise ValueError(
            f"s3 storage is planned but not built yet: {url!r}; use a folder (a path or file:///abs/path)"
        )
    if parts.scheme == "" and url:
        return LocalBlobStore(Path(url))
    raise ValueError(f"storage URL {url!r}: use a folder (a path or file:///abs/path); s3:// is planned")
