"""A claimed job, made ready to run: its configuration resolved, and the rules checked again.

An automatic batch job (a configuration feature) learns its language, participants and callback
from its Transcription configuration only now, so that one deleted meanwhile fails the job (94002)
and one changed meanwhile applies. What was resolved is kept even when a rule then refuses the
job, so that the refusal reaches the configuration's callback.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from phonograph.core import NotFound, PhonographError
from phonograph.store import (
    AccountRepo,
    ConfigurationRepo,
    Recording,
    RecordingRepo,
    Transcription,
    TranscriptionRepo,
)
from phonograph.transcription.rules import (
    LEGACY_LANGUAGE,
    TRANSCRIPTION_CONFIGURATION,
    check,
    check_account,
    parse_configuration,
    participants,
)
from phonograph.transcription.state import ConfigurationDeleted, Origin, TranscriptionKind


@dataclass(frozen=True)
class Prepared:
    job: Transcription
    recording: Recording | None
    """The recording to transcribe; None for a ``mediaUrl`` job."""
    refusal: PhonographError | None
    """Why the job may not run, or None."""


async def prepare(session: AsyncSession, job: Transcription, now: datetime) -> Prepared:
    kind, origin = TranscriptionKind(job.kind), Origin(job.origin)
    account = await AccountRepo(session).get(job.account_sid)
    recording = None
    if job.recording_sid is not None:
        recording = await RecordingRepo(session).get_for_account(job.account_sid, job.recording_sid)
    values: dict[str, Any] = {}
    refusal: PhonographError | None = None
    if kind is TranscriptionKind.BATCH and job.resolved_configuration is None:
        configuration = await ConfigurationRepo(session).find(
            job.account_sid, TRANSCRIPTION_CONFIGURATION, job.configuration_id or ""
        )
        if configuration is None:
            refusal = ConfigurationDeleted(
                f"Transcription configuration {job.configuration_id} was deleted before"
                f" transcription {job.sid} ran"
            )
        else:
            parsed = parse_configuration(configuration.body)
            values["resolved_configuration"] = configuration.body
            values["language"] = parsed.language
            values["participants"] = participants(job.participants, parsed)
    elif kind is TranscriptionKind.LEGACY and job.language is None:
        values["language"] = LEGACY_LANGUAGE
    if account is None:
        refusal = NotFound(f"Account {job.account_sid} does not exist any more")
    elif refusal is None:
        try:
            if job.media_url is None:
                check(account, recording, kind, origin, job.recording_sid or "")
            else:
                check_account(account, kind)
        except PhonographError as exc:
            refusal = exc
    if values:
        job = await TranscriptionRepo(session).change(job.sid, now, **values)
    return Prepared(job, recording, refusal)
