"""Call events: the requests phonograph made to apps and their answers (the Call Event resource,
twilio.com/docs/voice/api/call-event-resource), newest first, kept ``EVENT_RETENTION`` long."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from phonograph.core import new_sid
from phonograph.store.models import CallEventRow
from phonograph.store.paging import Page, PageSpec, fetch_page
from phonograph.store.records import from_row

EVENT_RETENTION = timedelta(days=30)
"""How long events are kept: Twilio keeps a call's events for 30 days (the resource's PII note)."""


@dataclass(frozen=True)
class CallEvent:
    sid: str
    account_sid: str
    call_sid: str | None
    kind: str
    request_url: str
    request_method: str
    request_params: list[list[str]]
    response_code: int | None
    response_content_type: str | None
    response_body: str | None
    error_code: int | None
    request_duration_ms: int
    date_created: datetime


def _record(row: CallEventRow) -> CallEvent:
    return from_row(CallEvent, row)


class CallEventRepo:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add_all(self, events: Sequence[CallEvent]) -> None:
        self._session.add_all(CallEventRow(**vars(event)) for event in events)

    async def list_page(
        self, account_sid: str, spec: PageSpec, *, call_sid: str | None = None, kind: str | None = None
    ) -> Page[CallEvent]:
        stmt = select(CallEventRow).where(CallEventRow.account_sid == account_sid)
        if call_sid is not None:
            stmt = stmt.where(CallEventRow.call_sid == call_sid)
        if kind is not None:
            stmt = stmt.where(CallEventRow.kind == kind)
        return await fetch_page(
            self._session, stmt, CallEventRow.date_created, CallEventRow.sid, spec, _record
        )

    async def forget_before(self, cutoff: datetime) -> None:
        await self._session.execute(delete(CallEventRow).where(CallEventRow.date_created < cutoff))


def new_event_sid() -> str:
    """The key an event is paged by (events have no SID on Twilio's wire, so it is never shown)."""
    return new_sid("EV")
