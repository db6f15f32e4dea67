"""Fetching a v3 ``MEDIA_URL`` job's audio (twilio.com/docs/configurations/batch-transcription-quickstart),
over an injected ``httpx.AsyncClient`` (docs/style.md rule 9).

The worker fetches when the job runs, not when it is created, as Twilio's batch jobs do: a plain
``GET`` with no credentials (Twilio fetches "a publicly accessible URL", error 17500's page),
redirects followed, bounded in time and in size. Every failure is a ``MediaUnavailable`` that
fails the job: 11205 when no answer came, 11200 when the answer was not a 2xx or too large.
"""

from __future__ import annotations

import asyncio

import httpx

from phonograph.transcription.state import MediaUnavailable

MEDIA_FETCH_TIMEOUT_S = 30.0
MEDIA_MAX_BYTES = 100 * 1024 * 1024
"""About 100 minutes of dual 8 kHz WAV, or many hours of MP3; the whole file is held in memory."""
HTTP_CONNECTION_FAILURE = 11205


class MediaFetcher:
    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        timeout_s: float = MEDIA_FETCH_TIMEOUT_S,
        max_bytes: int = MEDIA_MAX_BYTES,
    ) -> None:
        self._http = http
        self._timeout_s = timeout_s
        self._max_bytes = max_bytes

    async def fetch(self, url: str) -> bytes:
        """The body at ``url``; ``MediaUnavailable`` when there is none to have."""
        try:
            async with asyncio.timeout(self._timeout_s):
                return await self._download(url)
        except TimeoutError:
            raise MediaUnavailable(
                f"HTTP connection failure: {url} did not send its media within {self._timeout_s:g} s",
                code=HTTP_CONNECTION_FAILURE,
            ) from None
        except httpx.HTTPError as exc:
            raise MediaUnavailable(
                f"HTTP connection failure: could not fetch {url} ({type(exc).__name__}: {exc})",
                code=HTTP_CONNECTION_FAILURE,
            ) from exc

    async def _download(self, url: str) -> bytes:
        async with self._http.stream("GET", url, follow_redirects=True) as response:
            if not response.is_success:
                raise MediaUnavailable(f"HTTP retrieval failure: {url} answered HTTP {response.status_code}")
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > self._max_bytes:
                    raise MediaUnavailable(
                        f"HTTP retrieval failure: the media at {url} is larger than {self._max_bytes} bytes"
                    )
            return bytes(body)
