"""Transcriptions (legacy ``TR…`` and v3 ``voice_transcription_…``): their rows, list filters, and
the job queue the transcription workers claim from.

The table *is* the queue, so a job survives a restart. A worker claims a job by moving it from
``queued`` to ``in-progress`` with a lease, in a compare-and-set update: of several workers (or
processes) on one database only one gets a given job, and a job whose worker died mid-run is
claimed again once its lease has expired (as OutboxRepo's claims).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from phonograph.core import Conflict
from phonograph.store.db import flush_unique
from phonograph.store.models import TranscriptionRow
from phonograph.store.paging import Page, PageSpec, fetch_page
from phonograph.store.records import from_row

# The statuses as stored (the transcription room's TranscriptionStatus has the same values).
QUEUED = "queued"
IN_PROGRESS = "in-progress"
UNFINISHED = (QUEUED, IN_PROGRESS)
# How many due jobs one claim looks at; it looks again when other workers took all of them.
CLAIM_CANDIDATES = 8


@dataclass(frozen=True, kw_only=True)
class Transcription:
    """One transcription job and its result. Columns: store/models/transcription.py."""

    sid: str
    # legacy | batch
    kind: str
    # record-verb | configuration | api | cli
    origin: str
    account_sid: str
    # queued | in-progress | completed | failed
    status: str
    date_created: datetime
    date_updated: datetime
    recording_sid: str | None = None
    # A v3 MEDIA_URL job's audio, in place of a recording.
    media_url: str | None = None
    audio_started_at: datetime | None = None
    call_sid: str | None = None
    configuration_id: str | None = None
    resolved_configuration: dict[str, Any] | None = None
    participants: list[dict[str, Any]] = field(default_factory=list)
    language: str | None = None
    callback_url: str | None = None
    callback_method: str = "POST"
    idempotency_key: str | None = None
    request_body: dict[str, Any] | None = None
    duration_s: int | None = None
    progress: float = 0.0
    text: str | None = None
    sentences: list[dict[str, Any]] | None = None
    error_code: int | None = None
    error_message: str | None = None
    attempts: int = 0
    lease_until: datetime | None = None


@dataclass(frozen=True)
class TranscriptionFilters:
    """One account's transcriptions, narrowed by what is given: the v2010 lists (``kind``,
    ``recording_sid``) and the v3 list (``status``, ``language``, ``createdAfter`` inclusive,
    ``createdBefore`` exclusive)."""

    account_sid: str
    kind: str | None = None
    recording_sid: str | None = None
    status: str | None = None
    # A BCP-47 tag, matched exactly: the v3 languageCode filter is case-sensitive
    # (twilio.com/docs/configurations/batch-transcription-quickstart).
    language: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None

    def clauses(self) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = [TranscriptionRow.account_sid == self.account_sid]
        if self.kind is not None:
            clauses.append(TranscriptionRow.kind == self.kind)
        if self.recording_sid is not None:
            clauses.append(TranscriptionRow.recording_sid == self.recording_sid)
        if self.status is not None:
            clauses.append(TranscriptionRow.status == self.status)
        if self.language is not None:
            clauses.append(TranscriptionRow.language == self.language)
        if self.created_after is not None:
            clauses.append(TranscriptionRow.date_created >= self.created_after)
        if self.created_before is not None:
            clauses.append(TranscriptionRow.date_created < self.created_before)
        return clauses


def _record(row: TranscriptionRow) -> Transcription:
    return from_row(Transcription, row, participants=list(row.participants))


def _due(now: datetime) -> ColumnElement[bool]:
    """A job a worker may take: queued, or in-progress under a lease that has expired."""
    expired = and_(TranscriptionRow.status == IN_PROGRESS, TranscriptionRow.lease_until <= now)
    return or_(TranscriptionRow.status == QUEUED, expired)


class TranscriptionRepo:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def create(self, record: Transcription) -> Transcription:
        """Store a new transcription. Another with the same ``idempotency_key`` for the account,
        committed meanwhile, is a ``Conflict`` (409): look it up again in a new transaction."""
        fields = Transcription.__dataclass_fields__
        row = TranscriptionRow(**{name: getattr(record, name) for name in fields})
        self._session.add(row)
        if record.idempotency_key is None:
            await self._session.flush()
        else:
            key = record.idempotency_key
            await flush_unique(self._session, Conflict(f"Idempotency-Key {key!r} is already in use"))
        return _record(row)

    async def get(self, sid: str) -> Transcription | None:
        row = await self._session.get(TranscriptionRow, sid, populate_existing=True)
        return None if row is None else _record(row)

    async def get_for_account(self, account_sid: str, sid: str) -> Transcription | None:
        found = await self.get(sid)
        return found if found is not None and found.account_sid == account_sid else None

    async def find_by_idempotency_key(self, account_sid: str, key: str) -> Transcription | None:
        """The account's transcription created with this v3 ``Idempotency-Key``."""
        stmt = select(TranscriptionRow).where(
            TranscriptionRow.account_sid == account_sid, TranscriptionRow.idempotency_key == key
        )
        row = (await self._session.scalars(stmt)).one_or_none()
        return None if row is None else _record(row)

    async def page(self, filters: TranscriptionFilters, spec: PageSpec) -> Page[Transcription]:
        """One page of the filtered transcriptions, newest first (keyset paging, store/paging.py)."""
        stmt = select(TranscriptionRow).where(*filters.clauses())
        return await fetch_page(
            self._session, stmt, TranscriptionRow.date_created, TranscriptionRow.sid, spec, _record
        )

    async def change(self, sid: str, now: datetime, **values: Any) -> Transcription:
        """Set ``values`` on the transcription; the caller validated the move."""
        row = await self._session.get(TranscriptionRow, sid, with_for_update=True, populate_existing=True)
        assert row is not None, "callers fetch the transcription first"
        for name, value in values.items():
            setattr(row, name, value)
        row.date_updated = now
        await self._session.flush()
        return _record(row)

    async def delete(self, sid: str) -> None:
        await self._session.execute(delete(TranscriptionRow).where(TranscriptionRow.sid == sid))

    async def claim_next(self, now: datetime, lease_until: datetime) -> Transcription | None:
        """Take the oldest due job (``_due``): it becomes ``in-progress`` under a lease until
        ``lease_until``, one more attempt. None when no job is due.

        The update repeats the due condition, so it is a compare-and-set: of two workers that saw
        the same job, only the first to update it gets it; the other tries the next one.
        """
        while True:
            stmt = (
                select(TranscriptionRow.sid)
                .where(_due(now))
                .order_by(TranscriptionRow.date_created, TranscriptionRow.sid)
                .limit(CLAIM_CANDIDATES)
            )
            candidates = (await self._session.scalars(stmt)).all()
            if not candidates:
                return None
            for sid in candidates:
                claim = (
                    update(TranscriptionRow)
                    .where(TranscriptionRow.sid == sid, _due(now))
                    .values(
                        status=IN_PROGRESS,
                        lease_until=lease_until,
                        attempts=TranscriptionRow.attempts + 1,
                        date_updated=now,
                    )
                    .returning(TranscriptionRow.sid)
                    .execution_options(synchronize_session=False)
                )
                if (await self._session.execute(claim)).scalar_one_or_none() is not None:
                    return await self.get(sid)

    async def count_unfinished(self, account_sid: str | None = None) -> int:
        """How many jobs are queued or in progress (of one account, or of all)."""
        stmt = select(func.count()).select_from(TranscriptionRow)
        stmt = stmt.where(TranscriptionRow.status.in_(UNFINISHED))
        if account_sid is not None:
            stmt = stmt.where(TranscriptionRow.account_sid == account_sid)
        return int(await self._session.scalar(stmt) or 0)
