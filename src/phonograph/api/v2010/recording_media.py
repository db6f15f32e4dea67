"""Recording media: ``GET``/``HEAD /Recordings/{Sid}``, ``.wav`` and ``.mp3``
(twilio.com/docs/voice/api/recording).

- No extension or ``.wav``: ``audio/x-wav``; ``.mp3``: ``audio/mpeg``, made on first request.
  ``.json`` is the metadata fetch (``recordings.py``, whose routes are installed first).
- ``RequestedChannels=1`` mixes a dual recording down; ``2`` on a mono recording is a 400.
- Only a ``completed`` recording has media. Before that (in-progress, paused, stopped, processing)
  the answer is Twilio's 21501 "resource not yet available" as a 404 with ``Retry-After``
  twilio.com/docs/api/errors/21501; absent, failed, deleted, unknown or another account's: 20404.
- One byte range per request (``Range: bytes=a-b``, ``a-``, ``-n``, RFC 9110 §14): 206 with
  ``Content-Range``, 416 when unsatisfiable; other ``Range`` headers are ignored, as RFC 9110
  §14.2 allows. Every media answer says ``Accept-Ranges: bytes``.
- HTTP Basic auth as everywhere, unless the account turned ``enforce_media_auth`` off
  (``/phonograph/v1/Accounts/{AccountSid}/MediaSettings``): then a request *without* credentials
  is served; one with wrong credentials is still a 401 (twilio.com/docs/voice/api/recording,
  support.twilio.com/hc/en-us/articles/15827821586843).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse

from phonograph.api.auth import authenticate, not_found, reach_account
from phonograph.api.context import ApiContext, Context
from phonograph.api.errors import error_body
from phonograph.api.openapi import BASIC_AUTH
from phonograph.api.v2010.common import query_params
from phonograph.core import AuthenticationFailed, PhonographError
from phonograph.recording import MP3_CONTENT_TYPE, WAV_CONTENT_TYPE, RecordingStatus
from phonograph.store import Account, AccountRepo, AccountStatus, BlobStore, RecordingRepo

router = APIRouter(prefix="/Accounts/{account_sid}")

CHUNK_BYTES = 256 * 1024
RETRY_AFTER_S = 1
# The media format of each extension a media URL may end in, and its content type
# (twilio.com/docs/voice/api/recording).
FORMATS = {"": "wav", "wav": "wav", "mp3": "mp3"}
CONTENT_TYPES = {"wav": WAV_CONTENT_TYPE, "mp3": MP3_CONTENT_TYPE}
PENDING = frozenset(
    {
        RecordingStatus.IN_PROGRESS,
        RecordingStatus.PAUSED,
        RecordingStatus.STOPPED,
        RecordingStatus.PROCESSING,
    }
)
_RANGE = re.compile(r"bytes=(\d*)-(\d*)", re.ASCII | re.IGNORECASE)


class NotYetAvailable(PhonographError):
    """Twilio 21501: the recording is not finished yet; retry after ``Retry-After`` seconds."""

    code = 21501
    status = 404


class RangeNotSatisfiable(PhonographError):
    """416: no byte of the requested range exists. Twilio documents no code; 20416 is phonograph's,
    in the series of 20409, 20412 and 20413 (core/errors.py)."""

    code = 20416
    status = 416


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int
    """Exclusive."""

    def content_range(self, size: int) -> str:
        return f"bytes {self.start}-{self.end - 1}/{size}"


def byte_range(header: str | None, size: int) -> ByteRange | None:
    """The one range a ``Range`` header asks of ``size`` bytes, or None for all of them: no header,
    another unit, several ranges, or a malformed one (RFC 9110 §14.2: a server may ignore it).
    ``RangeNotSatisfiable`` when the range starts past the end or is an empty suffix."""
    match = None if header is None else _RANGE.fullmatch(header.strip())
    if match is None:
        return None
    first, last = match.groups()
    if not first:
        if not last:
            return None
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise RangeNotSatisfiable(f"Range {header!r}: the media has {size} bytes")
        return ByteRange(max(size - suffix, 0), size)
    start = int(first)
    if last and int(last) < start:
        return None
    if start >= size:
        raise RangeNotSatisfiable(f"Range {header!r}: the media has {size} bytes")
    return ByteRange(start, size if not last else min(int(last) + 1, size))


def _error(request: Request, error: PhonographError, headers: dict[str, str]) -> JSONResponse:
    return JSONResponse(error_body(error, request.url.path), status_code=error.status, headers=headers)


async def media_account(request: Request, context: ApiContext, account_sid: str) -> Account:
    """The account whose media is asked for: the caller's (or a subaccount's) when credentials come
    with the request, else the named account if it serves its media without HTTP auth."""
    if "authorization" in request.headers:
        principal = await authenticate(request, context)
        return await reach_account(context, principal, account_sid, request.url.path)
    async with context.db.read() as session:
        account = await AccountRepo(session).get(account_sid)
    # An unknown account answers as a closed one does: nothing tells them apart.
    if account is None or account.enforce_media_auth or account.status is not AccountStatus.ACTIVE:
        raise AuthenticationFailed("Authentication Error - No credentials provided")
    return account


async def _chunks(blobs: BlobStore, key: str, span: ByteRange) -> AsyncIterator[bytes]:
    position = span.start
    while position < span.end:
        stop = min(position + CHUNK_BYTES, span.end)
        yield await blobs.read(key, position, stop)
        position = stop


# Credentials are optional: an account that does not enforce media auth serves media without them.
OPTIONAL_AUTH: dict[str, Any] = {"security": [{BASIC_AUTH.scheme_name: []}, {}]}


@router.get("/Recordings/{name}", openapi_extra=OPTIONAL_AUTH)
@router.head("/Recordings/{name}", openapi_extra=OPTIONAL_AUTH)
async def recording_media(account_sid: str, name: str, request: Request, context: Context) -> Response:
    return await serve_media(request, context, await media_account(request, context, account_sid), name)


async def serve_media(request: Request, context: ApiContext, account: Account, name: str) -> Response:
    """Recording ``name`` (``RE….wav``, ``.mp3`` or no extension) of ``account``, whole or the
    range asked for: the API's media and the console's player."""
    sid, _, extension = name.partition(".")
    media_format = FORMATS.get(extension)
    if media_format is None:
        raise not_found(request.url.path)
    channels = query_params(request).get_int("RequestedChannels", minimum=1, maximum=2)
    async with context.db.read() as session:
        recording = await RecordingRepo(session).get_for_account(account.sid, sid)
    if recording is None:
        raise not_found(request.url.path)
    status = RecordingStatus(recording.status)
    if status in PENDING:
        message = f"Recording {sid} is {status.value}: its media is not available yet"
        raise NotYetAvailable(message, retry_after_s=RETRY_AFTER_S)
    if status is not RecordingStatus.COMPLETED:
        raise not_found(request.url.path)
    service = context.calls.recordings
    key = await service.media(recording, media_format, channels)
    size = await service.blobs.size(key)
    if size is None:  # deleted since it was read
        raise not_found(request.url.path)
    headers = {"Accept-Ranges": "bytes"}
    try:
        wanted = byte_range(request.headers.get("range"), size)
    except RangeNotSatisfiable as error:
        return _error(request, error, {**headers, "Content-Range": f"bytes */{size}"})
    span = wanted or ByteRange(0, size)
    if wanted is not None:
        headers["Content-Range"] = wanted.content_range(size)
    headers["Content-Length"] = str(span.end - span.start)
    status_code = 200 if wanted is None else 206
    media_type = CONTENT_TYPES[media_format]
    if request.method == "HEAD":
        return Response(status_code=status_code, headers=headers, media_type=media_type)
    body = _chunks(service.blobs, key, span)
    return StreamingResponse(body, status_code=status_code, headers=headers, media_type=media_type)
