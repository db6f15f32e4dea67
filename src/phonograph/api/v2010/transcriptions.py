"""Legacy transcriptions, ``/Transcriptions`` and ``/Recordings/{RecordingSid}/Transcriptions``
(twilio.com/docs/voice/api/recording-transcription; OpenAPI ``api.v2010.account.transcription``).

Only ``TR…`` transcriptions (kind ``legacy``: ``<Record transcribe>`` and phonograph's own
``phonograph transcribe``) are listed here; v3 batch transcriptions live under ``/v3/Transcriptions``.
Both variants answer the same JSON: ``uri`` is the account-level path, as in Twilio's examples.
``status`` is ``in-progress`` until the job ends (queued jobs included), then ``completed`` or
``failed``; ``type`` is always ``fast``; ``price`` is null (phonograph bills nothing).
``GET …/Transcriptions/{Sid}.txt`` answers the transcript alone, as plain text.
https://www.twilio.com/docs/voice/api/recording-transcription
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import PlainTextResponse

from phonograph.api.auth import Authenticated, not_found, reach_account
from phonograph.api.context import ApiContext, Context
from phonograph.api.paging import PageRequest, render_page
from phonograph.api.v2010.common import API_VERSION, account_path, query_params
from phonograph.core import rfc2822
from phonograph.store import Account, RecordingRepo, Transcription, TranscriptionFilters, TranscriptionRepo
from phonograph.transcription import TranscriptionKind, legacy_status

router = APIRouter(prefix="/Accounts/{account_sid}")

TRANSCRIPTION_TYPE = "fast"


def transcription_uri(transcription: Transcription) -> str:
    return f"{account_path(transcription.account_sid)}/Transcriptions/{transcription.sid}.json"


def transcription_json(transcription: Transcription) -> dict[str, Any]:
    """The OpenAPI fields; ``duration`` is a string of whole seconds, as the OpenAPI types it."""
    duration = transcription.duration_s
    return {
        "sid": transcription.sid,
        "account_sid": transcription.account_sid,
        "api_version": API_VERSION,
        "date_created": rfc2822(transcription.date_created),
        "date_updated": rfc2822(transcription.date_updated),
        "duration": None if duration is None else str(duration),
        "price": None,
        "price_unit": "USD",
        "recording_sid": transcription.recording_sid,
        "status": legacy_status(transcription.status),
        "transcription_text": transcription.text,
        "type": TRANSCRIPTION_TYPE,
        "uri": transcription_uri(transcription),
    }


async def _require_recording(context: ApiContext, account: Account, recording_sid: str, path: str) -> None:
    """A recording's transcriptions exist only under a recording of the account (deleted ones too:
    their transcriptions outlive the media)."""
    async with context.db.read() as session:
        recording = await RecordingRepo(session).get_for_account(
            account.sid, recording_sid, include_deleted=True
        )
    if recording is None:
        raise not_found(path)


async def _list(
    context: ApiContext, account: Account, request: Request, path: str, recording_sid: str | None
) -> dict[str, Any]:
    paging = PageRequest.from_params(query_params(request))
    filters = TranscriptionFilters(
        account_sid=account.sid, kind=TranscriptionKind.LEGACY.value, recording_sid=recording_sid
    )
    async with context.db.read() as session:
        page = await TranscriptionRepo(session).page(filters, paging.spec)
    items = [transcription_json(item) for item in page.items]
    return render_page("transcriptions", items, page, paging, path, {})


async def _fetch(
    context: ApiContext, account: Account, sid: str, path: str, recording_sid: str | None
) -> Transcription:
    """The account's legacy transcription ``sid`` (of ``recording_sid`` when given), else 20404."""
    async with context.db.read() as session:
        transcription = await TranscriptionRepo(session).get_for_account(account.sid, sid)
    if (
        transcription is None
        or transcription.kind != TranscriptionKind.LEGACY
        or (recording_sid is not None and transcription.recording_sid != recording_sid)
    ):
        raise not_found(path)
    return transcription


def _text(transcription: Transcription) -> PlainTextResponse:
    return PlainTextResponse(transcription.text or "")


# --- the account's transcriptions -------------------------------------------------------------------


@router.get("/Transcriptions.json")
async def list_transcriptions(
    account_sid: str, request: Request, principal: Authenticated, context: Context
) -> dict[str, Any]:
    account = await reach_account(context, principal, account_sid, request.url.path)
    return await _list(context, account, request, f"{account_path(account.sid)}/Transcriptions.json", None)


@router.get("/Transcriptions/{sid}.json")
async def fetch_transcription(
    account_sid: str, sid: str, request: Request, principal: Authenticated, context: Context
) -> dict[str, Any]:
    account = await reach_account(context, principal, account_sid, request.url.path)
    return transcription_json(await _fetch(context, account, sid, request.url.path, None))


@router.get("/Transcriptions/{sid}.txt")
async def fetch_transcription_text(
    account_sid: str, sid: str, request: Request, principal: Authenticated, context: Context
) -> PlainTextResponse:
    account = await reach_account(context, principal, account_sid, request.url.path)
    return _text(await _fetch(context, account, sid, request.url.path, None))


@router.delete("/Transcriptions/{sid}.json", status_code=204)
async def delete_transcription(
    account_sid: str, sid: str, request: Request, principal: Authenticated, context: Context
) -> Response:
    account = await reach_account(context, principal, account_sid, request.url.path)
    await context.transcriptions.delete(await _fetch(context, account, sid, request.url.path, None))
    return Response(status_code=204)


# --- a recording's transcriptions -------------------------------------------------------------------


@router.get("/Recordings/{recording_sid}/Transcriptions.json")
async def list_recording_transcriptions(
    account_sid: str, recording_sid: str, request: Request, principal: Authenticated, context: Context
) -> dict[str, Any]:
    account = await reach_account(context, principal, account_sid, request.url.path)
    await _require_recording(context, account, recording_sid, request.url.path)
    path = f"{account_path(account.sid)}/Recordings/{recording_sid}/Transcriptions.json"
    return await _list(context, account, request, path, recording_sid)


@router.get("/Recordings/{recording_sid}/Transcriptions/{sid}.json")
async def fetch_recording_transcription(
    account_sid: str,
    recording_sid: str,
    sid: str,
    request: Request,
    principal: Authenticated,
    context: Context,
) -> dict[str, Any]:
    account = await reach_account(context, principal, account_sid, request.url.path)
    return transcription_json(await _fetch(context, account, sid, request.url.path, recording_sid))


@router.get("/Recordings/{recording_sid}/Transcriptions/{sid}.txt")
async def fetch_recording_transcription_text(
    account_sid: str,
    recording_sid: str,
    sid: str,
    request: Request,
    principal: Authenticated,
    context: Context,
) -> PlainTextResponse:
    account = await reach_account(context, principal, account_sid, request.url.path)
    return _text(await _fetch(context, account, sid, request.url.path, recording_sid))


@router.delete("/Recordings/{recording_sid}/Transcriptions/{sid}.json", status_code=204)
async def delete_recording_transcription(
    account_sid: str,
    recording_sid: str,
    sid: str,
    request: Request,
    principal: Authenticated,
    context: Context,
) -> Response:
    account = await reach_account(context, principal, account_sid, request.url.path)
    transcription = await _fetch(context, account, sid, request.url.path, recording_sid)
    await context.transcriptions.delete(transcription)
    return Response(status_code=204)
