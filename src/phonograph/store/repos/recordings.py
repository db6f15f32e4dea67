"""Recordings (``RE…``): their rows, list filters, and state changes with the callbacks they owe."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from phonograph.store.models import RecordingRow
from phonograph.store.paging import Page, PageSpec, fetch_page
from phonograph.store.records import from_row

# A soft-deleted recording keeps its metadata with this status; its media is gone
# (twilio.com/docs/voice/api/recording).
DELETED = "deleted"


@dataclass(frozen=True)
class Recording:
    sid: str
    account_sid: str
    # The call leg the recording taps; for <Dial record> the parent leg (twilio.com/docs/voice/api/recording).
    call_sid: str | None
    conference_sid: str | None
    # RecordVerb, DialVerb, OutboundAPI, StartCallRecordingAPI, StartCallRecordingTwiML, Conference, ...
    source: str
    # in-progress, paused, stopped, processing, completed, absent, failed, deleted
    status: str
    # The channel count of the media: 1 or 2.
    channels: int
    track: str
    trim: str
    start_time: datetime
    duration_s: int | None
    error_code: int | None
    status_callback: str | None
    status_callback_method: str
    status_callback_events: list[str]
    configuration_id: str | None
    name: str | None
    media_key: str | None
    date_created: datetime
    date_updated: datetime
    # Transcriptions promised when the recording completes (recording/transcriptions.py): a legacy
    # one for ``<Record transcribe>``, posted to ``transcribe_callback``, and a batch one per
    # Transcription configuration id in ``transcription_features`` (its configuration's features).
    transcribe: bool = False
    transcribe_callback: str | None = None
    transcription_features: list[str] = field(default_factory=list)
    # Made while its account was in PCI mode: never transcribed (twilio.com/docs/voice/pci-workflows).
    pci_mode: bool = False
    # The node that records it while it is live (store/models/node.py).
    owner_node: str | None = None
    # The pause ledger, set when it completes: ``{"behavior", "start_s", "end_s", "paused_s"}``
    # per pause, times in the stored media (recording/ledger.py).
    pauses: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class RecordingFilters:
    """The list filters of ``GET /Recordings.json`` and ``GET /Calls/{CallSid}/Recordings.json``
    (twilio.com/docs/voice/api/recording). Deleted recordings are left out unless ``include_deleted``
    (``IncludeSoftDeleted``)."""

    call_sid: str | None = None
    conference_sid: str | None = None
    date_created_on_or_after: datetime | None = None
    date_created_before: datetime | None = None
    include_deleted: bool = False
    # The console's own (Twilio's lists have neither): any of these statuses, this source.
    statuses: Sequence[str] = ()
    source: str | None = None

    def clauses(self) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = []
        if self.call_sid is not None:
            clauses.append(RecordingRow.call_sid == self.call_sid)
        if self.conference_sid is not None:
            clauses.append(RecordingRow.conference_sid == self.conference_sid)
        if self.date_created_on_or_after is not None:
            clauses.append(RecordingRow.date_created >= self.date_created_on_or_after)
        if self.date_created_before is not None:
            clauses.append(RecordingRow.date_created < self.date_created_before)
        if not self.include_deleted:
            clauses.append(RecordingRow.status != DELETED)
        if self.statuses:
            clauses.append(RecordingRow.status.in_(self.statuses))
        if self.source is not None:
            clauses.append(RecordingRow.source == self.source)
        return clauses


def _record(row: RecordingRow) -> Recording:
    return from_row(
        Recording,
        row,
        status_callback_events=list(row.status_callback_events),
        transcription_features=list(row.transcription_features),
        pauses=list(row.pauses),
    )


class RecordingRepo:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def create(self, recording: Recording) -> Recording:
        fields = Recording.__dataclass_fields__
        row = RecordingRow(**{name: getattr(recording, name) for name in fields})
        self._session.add(row)
        await self._session.flush()
        return _record(row)

    async def get(self, sid: str) -> Recording | None:
        row = await self._session.get(RecordingRow, sid)
        return None if row is None else _record(row)

    async def get_for_account(
        self, account_sid: str, sid: str, *, include_deleted: bool = False
    ) -> Recording | None:
        """The account's recording; a deleted one only when ``include_deleted``
        (twilio.com/docs/voice/api/recording)."""
        recording = await self.get(sid)
        if recording is None or recording.account_sid != account_sid:
            return None
        if recording.status == DELETED and not include_deleted:
            return None
        return recording

    async def change(self, sid: str, now: datetime, **values: Any) -> Recording:
        """Set ``values`` on the recording; the caller validated the move."""
        row = await self._session.get(RecordingRow, sid, with_for_update=True)
        assert row is not None, "callers fetch the recording first"
        for name, value in values.items():
            setattr(row, name, value)
        row.date_updated = now
        await self._session.flush()
        return _record(row)

    async def count(self, account_sid: str, filters: RecordingFilters) -> int:
        stmt = select(func.count()).select_from(RecordingRow)
        stmt = stmt.where(RecordingRow.account_sid == account_sid, *filters.clauses())
        return int(await self._session.scalar(stmt) or 0)

    async def list_page(self, account_sid: str, filters: RecordingFilters, spec: PageSpec) -> Page[Recording]:
        """One page of the account's recordings, newest first (keyset paging, store/paging.py)."""
        stmt = select(RecordingRow).where(RecordingRow.account_sid == account_sid, *filters.clauses())
        return await fetch_page(
            self._session, stmt, RecordingRow.date_created, RecordingRow.sid, spec, _record
        )
