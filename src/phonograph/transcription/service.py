"""What the API asks of the transcription room: create jobs (checked by the rules first), read and
delete them. The jobs run in the ``TranscriptionWorker`` the service holds.

The queue is bounded: while ``queue_limit`` jobs are unfinished (queued or running, all accounts),
a create is refused with 429 (20429, ``Retry-After``). Automatic jobs (``<Record transcribe>``,
configuration features) are never refused: they are promised in the transaction that completes
their recording. A v3 create with an ``Idempotency-Key`` seen before returns the job it created
then, as long as the body is the same (else 422).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from phonograph.core import Clock, Conflict, NotFound, new_sid, new_typeid
from phonograph.store import (
    Account,
    ConfigurationRepo,
    Database,
    RecordingRepo,
    Transcription,
    TranscriptionRepo,
)
from phonograph.transcription.rules import (
    LEGACY_LANGUAGE,
    TRANSCRIPTION_CONFIGURATION,
    check,
    check_account,
    check_recording,
    parse_configuration,
)
from phonograph.transcription.rules import participants as resolve_participants
from phonograph.transcription.state import (
    BATCH_ID_PREFIX,
    LEGACY_SID_PREFIX,
    IdempotencyKeyReused,
    Origin,
    QueueFull,
    TranscriptionConfigurationNotFound,
    TranscriptionKind,
    TranscriptionNotFound,
    TranscriptionStatus,
)
from phonograph.transcription.worker import TranscriptionWorker

log = logging.getLogger(__name__)

DEFAULT_QUEUE_LIMIT = 100
QUEUE_FULL_RETRY_AFTER_S = 10


@dataclass(frozen=True)
class BatchSource:
    """What a v3 job transcribes: one of the account's recordings (``SOURCE_ID``), or the audio at
    a URL (``MEDIA_URL``), fetched when the job runs, that started at ``audio_started_at``."""

    recording_sid: str | None = None
    media_url: str | None = None
    audio_started_at: datetime | None = None


class TranscriptionService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        worker: TranscriptionWorker,
        *,
        queue_limit: int = DEFAULT_QUEUE_LIMIT,
    ) -> None:
        self.worker = worker
        self.queue_limit = queue_limit
        # The base of the URLs the API hands out for transcriptions (PHONOGRAPH_PUBLIC_URL).
        self.public_url = worker.public_url
        self._db = db
        self._clock = clock

    async def get(self, account_sid: str, sid: str) -> Transcription:
        """The account's transcription (either kind); 20404 when there is none."""
        async with self._db.transaction() as session:
            found = await TranscriptionRepo(session).get_for_account(account_sid, sid)
        if found is None:
            raise TranscriptionNotFound(f"The requested resource Transcriptions/{sid} was not found")
        return found

    async def create_batch(
        self,
        account: Account,
        *,
        configuration_id: str,
        source: BatchSource,
        participants: Sequence[Mapping[str, Any]],
        idempotency_key: str | None,
        body: Mapping[str, Any],
    ) -> Transcription:
        """A v3 batch job for ``source`` (``POST /v3/Transcriptions``), or the one an earlier
        request with the same ``idempotency_key`` created."""
        request_body = dict(body)
        if idempotency_key is not None:
            replayed = await self._replayed(account.sid, idempotency_key, request_body)
            if replayed is not None:
                return replayed
        try:
            created = await self._insert_batch(
                account, configuration_id, source, participants, idempotency_key, request_body
            )
        except Conflict:
            # Another request with the same key committed between the look-up and the insert.
            assert idempotency_key is not None
            replayed = await self._replayed(account.sid, idempotency_key, request_body)
            if replayed is None:
                raise
            return replayed
        return self._queued(created)

    async def _insert_batch(
        self,
        account: Account,
        configuration_id: str,
        source: BatchSource,
        participants: Sequence[Mapping[str, Any]],
        idempotency_key: str | None,
        request_body: dict[str, Any],
    ) -> Transcription:
        async with self._db.transaction() as session:
            repo = TranscriptionRepo(session)
            await self._check_room(repo)
            check_account(account, TranscriptionKind.BATCH)
            configuration = await ConfigurationRepo(session).find(
                account.sid, TRANSCRIPTION_CONFIGURATION, configuration_id
            )
            if configuration is None:
                raise TranscriptionConfigurationNotFound(
                    f"Transcription configuration {configuration_id!r} does not exist in this account"
                )
            values: dict[str, Any] = {
                "media_url": source.media_url,
                "audio_started_at": source.audio_started_at,
            }
            if source.recording_sid is not None:
                found = await RecordingRepo(session).get_for_account(account.sid, source.recording_sid)
                recording = check(account, found, TranscriptionKind.BATCH, Origin.API, source.recording_sid)
                values = {
                    "recording_sid": recording.sid,
                    "call_sid": recording.call_sid,
                    "audio_started_at": recording.start_time,
                    "duration_s": recording.duration_s,
                }
            parsed = parse_configuration(configuration.body)
            now = self._clock.now()
            return await repo.create(
                Transcription(
                    sid=new_typeid(BATCH_ID_PREFIX),
                    kind=TranscriptionKind.BATCH.value,
                    origin=Origin.API.value,
                    account_sid=account.sid,
                    status=TranscriptionStatus.QUEUED.value,
                    date_created=now,
                    date_updated=now,
                    configuration_id=configuration.id,
                    resolved_configuration=configuration.body,
                    participants=resolve_participants(participants, parsed),
                    language=parsed.language,
                    idempotency_key=idempotency_key,
                    request_body=request_body,
                    **values,
                )
            )

    async def create_for_recording(self, account: Account, recording_sid: str) -> Transcription:
        """A legacy ``TR…`` job for one of the account's recordings, with no limit on length or
        channels (phonograph's own create, ``phonograph transcribe``)."""
        async with self._db.transaction() as session:
            repo = TranscriptionRepo(session)
            await self._check_room(repo)
            check_account(account, TranscriptionKind.LEGACY)
            recording = await RecordingRepo(session).get_for_account(account.sid, recording_sid)
            if recording is None:
                raise NotFound(f"The requested resource /Recordings/{recording_sid} was not found")
            check_recording(recording, TranscriptionKind.LEGACY, Origin.CLI, recording_sid)
            now = self._clock.now()
            created = await repo.create(
                Transcription(
                    sid=new_sid(LEGACY_SID_PREFIX),
                    kind=TranscriptionKind.LEGACY.value,
                    origin=Origin.CLI.value,
                    account_sid=account.sid,
                    status=TranscriptionStatus.QUEUED.value,
                    date_created=now,
                    date_updated=now,
                    recording_sid=recording.sid,
                    call_sid=recording.call_sid,
                    audio_started_at=recording.start_time,
                    language=LEGACY_LANGUAGE,
                    duration_s=recording.duration_s,
                )
            )
        return self._queued(created)

    async def delete(self, transcription: Transcription) -> None:
        """Delete the transcription for good; a job running it stops."""
        async with self._db.transaction() as session:
            await TranscriptionRepo(session).delete(transcription.sid)
        self.worker.abandon(transcription.sid)
        log.info("transcription deleted sid=%s status=%s", transcription.sid, transcription.status)

    async def _check_room(self, repo: TranscriptionRepo) -> None:
        unfinished = await repo.count_unfinished()
        if unfinished >= self.queue_limit:
            raise QueueFull(
                f"Too many transcriptions are waiting ({unfinished}; PHONOGRAPH_STT_QUEUE is"
                f" {self.queue_limit}): try again in {QUEUE_FULL_RETRY_AFTER_S} seconds",
                retry_after_s=QUEUE_FULL_RETRY_AFTER_S,
            )

    async def _replayed(self, account_sid: str, key: str, body: dict[str, Any]) -> Transcription | None:
        async with self._db.transaction() as session:
            existing = await TranscriptionRepo(session).find_by_idempotency_key(account_sid, key)
        if existing is None:
            return None
        if existing.request_body != body:
            raise IdempotencyKeyReused(
                f"Idempotency-Key {key!r} was used for a different request: send a new key for a new"
                " transcription"
            )
        return existing

    def _queued(self, created: Transcription) -> Transcription:
        self.worker.wake()
        log.info(
            "transcription status sid=%s status=queued kind=%s origin=%s recording=%s",
            created.sid,
            created.kind,
            created.origin,
            created.recording_sid,
        )
        return created
