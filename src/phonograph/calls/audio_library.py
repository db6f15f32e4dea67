"""Audio for ``<Play>``: fetched over HTTP, decoded to 8 kHz, and cached by URL the way HTTP says.

``Cache-Control: max-age`` keeps an entry fresh; a stale entry with an ``ETag`` or
``Last-Modified`` is revalidated with a conditional GET (RFC 9111 §4.3), and ``no-store`` is never
kept. Concurrent requests for one URL share one fetch, so a thousand calls playing the same hold
music cost one download.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from phonograph.core import PhonographError
from phonograph.media import Clip, decode_audio

MAX_AGE = re.compile(r"max-age=(\d+)")
AUDIO_FETCH_TIMEOUT_S = 15.0


class AudioUnavailable(PhonographError):
    """The URL could not be fetched (11200, 11205) or decoded (12300)."""


@dataclass
class _Entry:
    clip: Clip
    fresh_until_s: float
    etag: str | None
    last_modified: str | None


class AudioLibrary:
    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        max_entries: int = 256,
        monotonic_s: Callable[[], float] = time.monotonic,
    ) -> None:
        self._http = http
        self._max_entries = max_entries
        self._monotonic_s = monotonic_s
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._inflight: dict[str, asyncio.Future[Clip]] = {}

    async def clip(self, url: str) -> Clip:
        entry = self._entries.get(url)
        if entry is not None and entry.fresh_until_s > self._monotonic_s():
            self._entries.move_to_end(url)
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
            response = await self._http.get(url, headers=headers, timeout=AUDIO_FETCH_TIMEOUT_S)
        except httpx.HTTPError as error:
            raise AudioUnavailable(f"could not fetch {url}: {error!r}", code=11205) from error
        if response.status_code == 304 and entry is not None:
            clip = entry.clip
        elif response.is_success:
            clip = Clip(await asyncio.to_thread(decode_audio, response.content))
        else:
            raise AudioUnavailable(f"{url} answered HTTP {response.status_code}", code=11200)
        self._keep(url, clip, response.headers)
        return clip

    def _keep(self, url: str, clip: Clip, headers: httpx.Headers) -> None:
        cache_control = headers.get("cache-control", "").lower()
        if "no-store" in cache_control:
            self._entries.pop(url, None)
            return
        match = MAX_AGE.search(cache_control)
        max_age_s = 0 if "no-cache" in cache_control or match is None else int(match.group(1))
        self._entries[url] = _Entry(
            clip, self._monotonic_s() + max_age_s, headers.get("etag"), headers.get("last-modified")
        )
        self._entries.move_to_end(url)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)
