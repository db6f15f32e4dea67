"""The transcriptions a completed recording promises, written in the transaction that completes it.

A recording made by ``<Record transcribe="true">`` owes a legacy transcription (``TR…``, posted to
its ``transcribeCallback``; twilio.com/docs/voice/api/recording-transcription), and one made under a Recording
configuration with features owes a v3 batch transcription per feature (``voice_transcription_…``;
twilio.com/docs/configurations/recording-configuration-resource;
twilio.com/docs/configurations/batch-transcription-quickstart). Written with the ``completed`` status, a
promise commits (or rolls back) with it, so none is lost in a crash and none is made for a recording that
ended ``absent``. The transcription room's workers take the rows from there: they check the account and the
recording (PCI mode, length, channels), resolve a batch job's configuration and its callback, and run the
engine. This room does not import that one: the values stored are core's transcription vocabulary
(core/transcription_terms.py).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from phonograph.core import new_sid, new_typeid
from phonograph.core.transcription_terms import (
    BATCH_ID_PREFIX,
    LEGACY_SID_PREFIX,
    Origin,
    TranscriptionKind,
    TranscriptionStatus,
)
from phonograph.store import AccountRepo, Recording, Transcription, TranscriptionRepo


async def in_pci_mode(session: AsyncSession, account_sid: str) -> bool:
    """Whether the account is in PCI mode now. A recording started or completed then is marked
    (``Recording.pci_mode``) and never transcribed, even after PCI mode is turned off: a third-party live test
    saw Twilio keep such recordings untranscribable (twilio.com/docs/voice/pci-workflows)."""
    account = await AccountRepo(session).get(account_sid)
    return account is not None and account.pci_mode


async def promise_transcriptions(session: AsyncSession, recording: Recording, now: datetime) -> bool:
    """Queue the transcriptions ``recording`` (just completed) owes; whether there were any."""
    promised: list[Transcription] = []
    if recording.transcribe:
        # Its language and participants are the worker's to settle, as for the batch ones.
        promised.append(
            Transcription(
                sid=new_sid(LEGACY_SID_PREFIX),
                kind=TranscriptionKind.LEGACY,
                origin=Origin.RECORD_VERB,
                account_sid=recording.account_sid,
                recording_sid=recording.sid,
                call_sid=recording.call_sid,
                audio_started_at=recording.start_time,
                status=TranscriptionStatus.QUEUED,
                callback_url=recording.transcribe_callback,
                date_created=now,
                date_updated=now,
            )
        )
    for feature_id in recording.transcription_features:
        # The configuration (its language, participants, callback) is resolved when the job runs.
        promised.append(
            Transcription(
                sid=new_typeid(BATCH_ID_PREFIX),
                kind=TranscriptionKind.BATCH,
                origin=Origin.CONFIGURATION,
                account_sid=recording.account_sid,
                recording_sid=recording.sid,
                call_sid=recording.call_sid,
                audio_started_at=recording.start_time,
                status=TranscriptionStatus.QUEUED,
                configuration_id=feature_id,
                date_created=now,
                date_updated=now,
            )
        )
    repo = TranscriptionRepo(session)
    for transcription in promised:
        await repo.create(transcription)
    return bool(promised)
