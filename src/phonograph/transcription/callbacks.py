"""Transcription callbacks, queued in the outbox in the transaction that settles the job (the
outbox worker signs and sends them; the transcription's id orders them).

- Legacy (``<Record transcribeCallback>``, twilio.com/docs/voice/twiml/record): ``TranscriptionSid``,
``TranscriptionText``,
  ``TranscriptionStatus`` (``completed`` | ``failed``), ``TranscriptionUrl``, ``RecordingSid``,
  ``RecordingUrl``, ``CallSid``, ``AccountSid``, ``From``, ``To``, ``CallStatus``, ``ApiVersion``,
  ``Direction``, ``ForwardedFrom`` (when the call has one), and ``ErrorCode`` when it failed.
- Batch (the configuration's ``transcriptionStatusCallback``, POST): ``AccountSid``,
  ``TranscriptionId``, ``TranscriptionStatus`` (``COMPLETED`` | ``FAILED``), ``TranscriptionUrl``,
  ``TranscriptUrl``, ``SourceId`` (empty for a ``mediaUrl`` job, which has ``MediaUrl`` instead),
  ``TranscriptionConfigurationId``, ``Duration``, ``ErrorCode`` (0 when none) and ``ErrorMessage``
  when it failed. Twilio documents no parameter list for it:
  these are phonograph's (docs/compatibility.md).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from phonograph.core.recording_terms import recording_path
from phonograph.store import Call, CallRepo, OutboxRepo, Transcription
from phonograph.transcription.rules import callback_url
from phonograph.transcription.state import TranscriptionKind, TranscriptionStatus, v3_status

Params = list[tuple[str, str]]
API_VERSION = "2010-04-01"
BATCH_CALLBACK_METHOD = "POST"


def transcription_url(public_url: str, transcription: Transcription) -> str:
    """The transcription's resource URL: v2010 (under its recording) for legacy, v3 for batch."""
    if transcription.kind == TranscriptionKind.BATCH.value:
        return f"{public_url}/v3/Transcriptions/{transcription.sid}"
    account, sid = transcription.account_sid, transcription.sid
    if transcription.recording_sid is None:
        return f"{public_url}/{API_VERSION}/Accounts/{account}/Transcriptions/{sid}"
    return f"{public_url}{recording_path(account, transcription.recording_sid)}/Transcriptions/{sid}"


def transcript_url(public_url: str, sid: str) -> str:
    """Where the transcript (sentences, channels, times) is read: phonograph's own resource."""
    return f"{public_url}/phonograph/v1/Transcriptions/{sid}"


def legacy_params(transcription: Transcription, call: Call | None, public_url: str) -> Params:
    status = TranscriptionStatus(transcription.status)
    params: Params = [
        ("TranscriptionSid", transcription.sid),
        ("TranscriptionText", transcription.text or ""),
        ("TranscriptionStatus", status.value),
        ("TranscriptionUrl", transcription_url(public_url, transcription)),
    ]
    if transcription.recording_sid is not None:
        params += [
            ("RecordingSid", transcription.recording_sid),
            (
                "RecordingUrl",
                public_url + recording_path(transcription.account_sid, transcription.recording_sid),
            ),
        ]
    if transcription.call_sid is not None:
        params.append(("CallSid", transcription.call_sid))
    params.append(("AccountSid", transcription.account_sid))
    if call is not None:
        params += [("From", call.from_), ("To", call.to), ("CallStatus", call.status)]
    params.append(("ApiVersion", API_VERSION))
    if call is not None:
        params.append(("Direction", call.direction))
        if call.forwarded_from:
            params.append(("ForwardedFrom", call.forwarded_from))
    if status is TranscriptionStatus.FAILED:
        params.append(("ErrorCode", str(transcription.error_code or 0)))
    return params


def batch_params(transcription: Transcription, public_url: str) -> Params:
    params: Params = [
        ("AccountSid", transcription.account_sid),
        ("TranscriptionId", transcription.sid),
        ("TranscriptionStatus", v3_status(transcription.status).value),
        ("TranscriptionUrl", transcription_url(public_url, transcription)),
        ("TranscriptUrl", transcript_url(public_url, transcription.sid)),
        ("SourceId", transcription.recording_sid or ""),
    ]
    if transcription.media_url is not None:
        params.append(("MediaUrl", transcription.media_url))
    params += [
        ("TranscriptionConfigurationId", transcription.configuration_id or ""),
        ("Duration", str(transcription.duration_s or 0)),
        ("ErrorCode", str(transcription.error_code or 0)),
    ]
    if transcription.status == TranscriptionStatus.FAILED.value:
        params.append(("ErrorMessage", transcription.error_message or ""))
    return params


async def enqueue_callback(
    session: AsyncSession, transcription: Transcription, public_url: str, now: datetime
) -> bool:
    """Queue the settled transcription's callback, if it has one; True when one was queued."""
    if transcription.kind == TranscriptionKind.BATCH.value:
        url = callback_url(transcription.resolved_configuration)
        if url is None:
            return False
        method, params = BATCH_CALLBACK_METHOD, batch_params(transcription, public_url)
    else:
        if not transcription.callback_url:
            return False
        call = None if transcription.call_sid is None else await CallRepo(session).get(transcription.call_sid)
        url, method = transcription.callback_url, transcription.callback_method
        params = legacy_params(transcription, call, public_url)
    await OutboxRepo(session).enqueue(
        account_sid=transcription.account_sid,
        ordering_key=transcription.sid,
        url=url,
        method=method,
        params=params,
        now=now,
    )
    return True
