"""Audio for ``<Play>``: fetched over HTTP, decoded to 8 kHz, and cached by URL the way HTTP says.

``Cache-Control: max-age`` keeps an entry fresh; a stale entry with an ``ETag`` or
``Last-Modified`` is revalidated with a conditional GET (RFC 9111 §4.3), and ``no-store`` is never
kept. Concurrent requests for one URL share one fetch, so a thousand calls playing the same hold
music cost one download.

Bounds (docs/security.md): a fetch ends after ``AUDIO_FETCH_TIMEOUT_S`` in all, however slowly
the server sends; a body over ``AUDIO_MAX_BYTES`` is refused unread; the decoded clips kept are
bounded in bytes (``PHONOGRAPH_PLAY_CACHE_MB``).
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from phonograph.core import ByteLru, PhonographError
from phonograph.media import Clip, decode_audio
from phonograph.webhooks import AUDIO_MAX_BYTES, read_capped, refusal

MAX_AGE = re.compile(r"max-age=(\d+)")
AUDIO_FETCH_TIMEOUT_S = 15.0
DEFAULT_CACHE_BYTES = 256 * 1024 * 1024


class AudioUnavailable(PhonographError):
    """The URL could not be fetched (11200, 11205) or decoded (12300)."""


@dataclass
class _Entry:
    clip: Clip
    fresh_until_s: float
    etag: str | None
    last_modified: str | None


def _weight_bytes(entry: _Entry) -> int:
    return entry.clip.memory_bytes


class AudioLibrary:
    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        max_bytes: int = DEFAULT_CACHE_BYTES,
        timeout_s: float = AUDIO_FETCH_TIMEOUT_S,
        monotonic_s: Callable[[], float] = time.monotonic,
    ) -> None:
        self._http = http
        self._timeout_s = timeout_s
        self._monotonic_s = monotonic_s
        self._entries: ByteLru[str, _Entry] = ByteLru(max_bytes, _weight_bytes)
        self._inflight: dict[str, asyncio.Future[Clip]] = {}

    async def clip(self, url: str) -> Clip:
        entry = self._entries.get(url)
        if entry is not None and entry.fresh_until_s > self._monotonic_s():
            return entry.clip
        pending = self._inflight.get(url)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[Clip] = asyncio.get_running_loop().create_future()
        self._inflight[url] = future
        try:
            clip = await self._fetch(url, entry)
            future.set_result(clip)
            return clip
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # retrieved: waiters re-raise it; no "never retrieved" warning
            raise
        finally:
            del self._inflight[url]

    async def _fetch(self, url: str, entry: _Entry | None) -> Clip:
        headers = {}
        if entry is not None and entry.etag:
            headers["If-None-Match"] = entry.etag
        if entry is not None and entry.last_modified:
            headers["If-Modified-Since"] = entry.last_modified
        try:
            async with asyncio.timeout(self._timeout_s):
                status, response_headers, body = await self._download(url, headers)
        except TimeoutError:
            raise AudioUnavailable(
                f"could not fetch {url}: no complete answer within {self._timeout_s:g} s", code=11205
            ) from None
        except httpx.HTTPError as error:
            refused = refusal(error)
            reason = str(refused) if refused is not None else repr(error)
            raise AudioUnavailable(f"could not fetch {url}: {reason}", code=11205) from error
        if status == 304 and entry is not None:
            clip = entry.clip
        elif 200 <= status < 300:
            clip = Clip(await asyncio.to_thread(decode_audio, body))
        else:
            raise AudioUnavailable(f"{url} answered HTTP {status}", code=11200)
        self._keep(url, clip, response_headers)
        return clip

    async def _download(self, url: str, headers: dict[str, str]) -> tuple[int, httpx.Headers, bytes]:
        async with self._http.stream("GET", url, headers=headers) as response:
            if not response.is_success:
                return response.status_code, response.headers, b""
            body, truncated = await read_capped(response, AUDIO_MAX_BYTES)
            if truncated:
                raise AudioUnavailable(f"{url} is larger than {AUDIO_MAX_BYTES} bytes", code=11200)
            return response.status_code, response.headers, body

    def _keep(self, url: str, clip: Clip, headers: httpx.Headers) -> None:
        cache_control = headers.get("cache-control", "").lower()
        if "no-store" in cache_control:
            self._entries.pop(url)
            return
        match = MAX_AGE.search(cache_control)
        max_age_s = 0 if "no-cache" in cache_control or match is None else int(match.group(1))
        self._entries.put(
            url,
            _Entry(clip, self._monotonic_s() + max_age_s, headers.get("etag"), headers.get("last-modified")),
        )
