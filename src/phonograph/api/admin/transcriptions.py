"""phonograph's own view of a transcription job, either kind (JSON): what ``phonograph transcribe``
creates and polls, and where a v3 transcription's ``links.transcript`` points.

- ``GET /phonograph/v1/Transcriptions/{id}``: the job, its progress and, once completed, its
  sentences and text. ``id`` is a ``TR…`` SID or a ``voice_transcription_…`` id.
- ``POST /phonograph/v1/Accounts/{AccountSid}/Recordings/{RecordingSid}/Transcriptions``: transcribe
  a completed recording now (201): a legacy ``TR…`` job of origin ``cli``, with no length limit
  and either channel count.

Who may reach which job follows the API's rules (api/auth.py): the account's own credentials, or
its owner's Auth Token. ``status`` uses the v3 names (PENDING, RUNNING, COMPLETED, FAILED).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from phonograph.api.auth import Authenticated, not_found, reach_account
from phonograph.api.context import Context
from phonograph.store import Transcription, TranscriptionRepo
from phonograph.transcription import v3_status

router = APIRouter()


def job_json(transcription: Transcription) -> dict[str, Any]:
    return {
        "id": transcription.sid,
        "kind": transcription.kind,
        "origin": transcription.origin,
        "accountSid": transcription.account_sid,
        "recordingSid": transcription.recording_sid,
        "status": v3_status(transcription.status).value,
        "progress": transcription.progress,
        "duration": transcription.duration_s,
        "language": transcription.language,
        "participants": transcription.participants,
        "sentences": transcription.sentences,
        "text": transcription.text,
        "errorCode": transcription.error_code,
        "errorMessage": transcription.error_message,
    }


@router.get("/Transcriptions/{transcription_id}")
async def fetch_job(
    transcription_id: str, request: Request, principal: Authenticated, context: Context
) -> dict[str, Any]:
    async with context.db.read() as session:
        transcription = await TranscriptionRepo(session).get(transcription_id)
    if transcription is None:
        raise not_found(request.url.path)
    # Another account's job is a 404, never a 403 that would confirm it exists (api/auth.py).
    await reach_account(context, principal, transcription.account_sid, request.url.path)
    return job_json(transcription)


@router.post("/Accounts/{account_sid}/Recordings/{recording_sid}/Transcriptions")
async def create_job(
    account_sid: str, recording_sid: str, request: Request, principal: Authenticated, context: Context
) -> JSONResponse:
    account = await reach_account(context, principal, account_sid, request.url.path)
    transcription = await context.transcriptions.create_for_recording(account, recording_sid)
    return JSONResponse(job_json(transcription), status_code=201)
