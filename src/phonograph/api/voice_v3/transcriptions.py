"""Batch Transcriptions, ``/v3/Transcriptions``
(twilio.com/docs/configurations/batch-transcription-quickstart): create, list and fetch (JSON, camelCase).

- Create answers 202 with the long-running-operation envelope ``{status, statusUrl, transcription}``
  and the headers ``Operation-Id``, ``Location``, ``Retry-After`` and the echoed
  ``Idempotency-Key``. A replayed key answers the transcription it made first.
- Fetch answers ``{operationId, status, statusUrl, transcription}``, with ``Retry-After`` while the
  job is PENDING or RUNNING; the list answers the transcriptions themselves, newest first.
- A transcription is the authenticated account's own (v3 paths name no account); only batch
  transcriptions (``voice_transcription_…``) are here, legacy ``TR…`` ones are under v2010.
- ``links.transcript`` points at phonograph's own ``/phonograph/v1/Transcriptions/{id}``, which
  holds the sentences (Twilio stores transcripts in Conversational Intelligence instead).
Errors are RFC 9457 problem documents (api/errors.py renders every ``/v3/`` error so).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from phonograph.api.auth import Authenticated, not_found
from phonograph.api.body import read_json_object
from phonograph.api.context import ApiContext, Context
from phonograph.api.params import Params
from phonograph.api.voice_v3.bodies import IDEMPOTENCY_KEY_HEADER, batch_request, idempotency_key
from phonograph.api.voice_v3.paging import TokenPageRequest, render_token_page
from phonograph.core import InvalidParameter, NotFound, iso8601, parse_day_or_time
from phonograph.store import RecordingRepo, Transcription, TranscriptionFilters, TranscriptionRepo
from phonograph.transcription import (
    UNFINISHED,
    TranscriptionKind,
    TranscriptionStatus,
    V3Status,
    from_v3_status,
    transcript_url,
    transcription_url,
    v3_status,
)

router = APIRouter(prefix="/Transcriptions")

# Seconds a client should wait before polling again; offline jobs of short recordings take seconds.
RETRY_AFTER_S = 1
# The list's sourceId filter: a Recording SID in lowercase hex, anything else a 400
# (twilio.com/docs/configurations/batch-transcription-quickstart).
SOURCE_ID_FILTER_RE = re.compile(r"RE[0-9a-f]{32}")
LIST_FILTERS = ("createdAfter", "createdBefore", "languageCode", "sourceId", "status")


def resolved_configuration(transcription: Transcription) -> dict[str, Any] | None:
    """The configuration body the job used, without ``configurationType``, which the v3
    ``ResolvedConfiguration`` schema does not have."""
    stored = transcription.resolved_configuration
    if stored is None:
        return None
    return {name: value for name, value in stored.items() if name != "configurationType"}


def transcription_json(context: ApiContext, transcription: Transcription) -> dict[str, Any]:
    """``voice.v3.transcription.Transcription``; ``audioStartedAt`` is the recording's start (the
    OpenAPI: "inferred from the recording resource's start time"), or what a ``mediaUrl`` request
    said."""
    public = context.transcriptions.public_url
    started = transcription.audio_started_at
    return {
        "id": transcription.sid,
        "accountId": transcription.account_sid,
        "status": v3_status(transcription.status).value,
        "transcriptionConfigurationId": transcription.configuration_id,
        "mediaUrl": transcription.media_url,
        "sourceId": transcription.recording_sid,
        "audioStartedAt": None if started is None else iso8601(started),
        "conversationId": None,
        "participants": transcription.participants,
        "duration": transcription.duration_s,
        "resolvedConfiguration": resolved_configuration(transcription),
        "createdAt": iso8601(transcription.date_created),
        "updatedAt": iso8601(transcription.date_updated),
        "url": transcription_url(public, transcription),
        "links": {"transcript": transcript_url(public, transcription.sid)},
        # phonograph's extension: why a FAILED job failed (Twilio's resource has no such field and
        # says it only in the status callback), null otherwise; docs/compatibility.md.
        "errorCode": transcription.error_code,
        "errorMessage": transcription.error_message,
    }


# --- create ----------------------------------------------------------------------------------------


@router.post("")
async def create_transcription(request: Request, principal: Authenticated, context: Context) -> JSONResponse:
    key = idempotency_key(request)
    wanted = batch_request(await read_json_object(request))
    recording_sid = wanted.source.recording_sid
    if recording_sid is not None:
        async with context.db.transaction() as session:
            source = await RecordingRepo(session).get_for_account(
                principal.account.sid, recording_sid, include_deleted=True
            )
        if source is None:
            # The OpenAPI's 404: "the referenced recording does not exist" (nor another account's).
            raise NotFound(f"Invalid 'sourceId': recording {recording_sid} was not found in this account")
    transcription = await context.transcriptions.create_batch(
        principal.account,
        configuration_id=wanted.configuration_id,
        source=wanted.source,
        participants=wanted.participants,
        idempotency_key=key,
        body=wanted.body,
    )
    rendered = transcription_json(context, transcription)
    url = rendered["url"]
    headers = {"Operation-Id": transcription.sid, "Location": url, "Retry-After": str(RETRY_AFTER_S)}
    if key is not None:
        headers[IDEMPOTENCY_KEY_HEADER] = key
    body = {"status": rendered["status"], "statusUrl": url, "transcription": rendered}
    return JSONResponse(body, status_code=202, headers=headers)


# --- list ------------------------------------------------------------------------------------------


def _instant(params: Params, name: str) -> datetime | None:
    value = params.get_str(name)
    if value is None:
        return None
    try:
        return parse_day_or_time(value)[0]
    except ValueError:
        raise InvalidParameter(
            f"Invalid '{name}': must be an ISO 8601 date-time such as 2026-01-01T00:00:00Z; got {value!r}"
        ) from None


def _list_filters(account_sid: str, params: Params) -> TranscriptionFilters:
    source_id = params.get_str("sourceId")
    if source_id is not None and SOURCE_ID_FILTER_RE.fullmatch(source_id) is None:
        raise InvalidParameter(
            "Invalid 'sourceId': must be a Recording SID in lowercase hex (RE + 32 of 0-9a-f);"
            f" got {source_id!r}"
        )
    status_name = params.get_str("status")
    status: TranscriptionStatus | None = None
    if status_name is not None:
        try:
            status = from_v3_status(status_name)
        except ValueError:
            allowed = ", ".join(V3Status)
            raise InvalidParameter(
                f"Invalid 'status': must be one of {allowed}; got {status_name!r}"
            ) from None
    return TranscriptionFilters(
        account_sid=account_sid,
        kind=TranscriptionKind.BATCH.value,
        recording_sid=source_id,
        status=None if status is None else status.value,
        language=params.get_str("languageCode"),
        created_after=_instant(params, "createdAfter"),
        created_before=_instant(params, "createdBefore"),
    )


@router.get("")
async def list_transcriptions(request: Request, principal: Authenticated, context: Context) -> dict[str, Any]:
    params = Params(request.query_params.multi_items())
    filters = _list_filters(principal.account.sid, params)
    paging = TokenPageRequest.from_params(params, {name: params.get_str(name) for name in LIST_FILTERS})
    async with context.db.read() as session:
        page = await TranscriptionRepo(session).page(filters, paging.spec)
    items = [transcription_json(context, item) for item in page.items]
    return render_token_page("transcriptions", items, page, paging)


# --- fetch -----------------------------------------------------------------------------------------


@router.get("/{transcription_id}")
async def fetch_transcription(
    transcription_id: str, request: Request, principal: Authenticated, context: Context
) -> JSONResponse:
    async with context.db.read() as session:
        transcription = await TranscriptionRepo(session).get_for_account(
            principal.account.sid, transcription_id
        )
    if transcription is None or transcription.kind != TranscriptionKind.BATCH:
        raise not_found(request.url.path)
    rendered = transcription_json(context, transcription)
    body = {
        "operationId": transcription.sid,
        "status": rendered["status"],
        "statusUrl": rendered["url"],
        "transcription": rendered,
    }
    unfinished = TranscriptionStatus(transcription.status) in UNFINISHED
    headers = {"Retry-After": str(RETRY_AFTER_S)} if unfinished else {}
    return JSONResponse(body, headers=headers)
