"""Call legs (``CA…``): their rows, list filters, and state changes with the callbacks they owe."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from phonograph.store.models import CallRow
from phonograph.store.paging import Page, PageSpec, fetch_page
from phonograph.store.records import from_row


@dataclass(frozen=True)
class Call:
    sid: str
    account_sid: str
    parent_call_sid: str | None
    phone_number_sid: str | None
    to: str
    from_: str
    status: str
    direction: str
    answered_by: str | None
    forwarded_from: str | None
    caller_name: str | None
    start_time: datetime | None
    end_time: datetime | None
    duration_s: int | None
    url: str | None
    method: str
    twiml: str | None
    fallback_url: str | None
    fallback_method: str
    status_callback: str | None
    status_callback_method: str
    status_callback_events: list[str]
    timeout_s: int
    time_limit_s: int
    send_digits: str | None
    recording: dict[str, Any]
    callback_sequence: int
    date_created: datetime
    date_updated: datetime
    # The node that runs it while it is live (store/models/node.py).
    owner_node: str | None = None


@dataclass(frozen=True)
class CallFilters:
    """The list filters of ``GET /Calls.json`` (OpenAPI ListCall)."""

    to: str | None = None
    from_: str | None = None
    parent_call_sid: str | None = None
    statuses: Sequence[str] = ()
    start_time_on_or_after: datetime | None = None
    start_time_before: datetime | None = None
    end_time_on_or_after: datetime | None = None
    end_time_before: datetime | None = None

    def clauses(self) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = []
        if self.to is not None:
            clauses.append(CallRow.to == self.to)
        if self.from_ is not None:
            clauses.append(CallRow.from_ == self.from_)
        if self.parent_call_sid is not None:
            clauses.append(CallRow.parent_call_sid == self.parent_call_sid)
        if self.statuses:
            clauses.append(CallRow.status.in_(self.statuses))
        for low, high, column in (
            (self.start_time_on_or_after, self.start_time_before, CallRow.start_time),
            (self.end_time_on_or_after, self.end_time_before, CallRow.end_time),
        ):
            if low is not None:
                clauses.append(column >= low)
            if high is not None:
                clauses.append(column < high)
        return clauses


def _record(row: CallRow) -> Call:
    return from_row(Call, row, status_callback_events=list(row.status_callback_events))


class CallRepo:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def create(self, call: Call) -> Call:
        row = CallRow(**{name: getattr(call, name) for name in Call.__dataclass_fields__})
        self._session.add(row)
        await self._session.flush()
        return _record(row)

    async def get(self, sid: str) -> Call | None:
        row = await self._session.get(CallRow, sid)
        return None if row is None else _record(row)

    async def get_for_account(self, account_sid: str, sid: str) -> Call | None:
        call = await self.get(sid)
        return call if call is not None and call.account_sid == account_sid else None

    async def list_page(self, account_sid: str, filters: CallFilters, spec: PageSpec) -> Page[Call]:
        stmt = select(CallRow).where(CallRow.account_sid == account_sid, *filters.clauses())
        return await fetch_page(self._session, stmt, CallRow.date_created, CallRow.sid, spec, _record)

    async def count(self, account_sid: str, filters: CallFilters) -> int:
        stmt = (
            select(func.count())
            .select_from(CallRow)
            .where(CallRow.account_sid == account_sid, *filters.clauses())
        )
        return int(await self._session.scalar(stmt) or 0)

    async def change(self, sid: str, now: datetime, **values: Any) -> Call:
        """Set ``values`` on the call; the caller validated the move (calls/state.py)."""
        row = await self._session.get(CallRow, sid, with_for_update=True)
        assert row is not None, "callers fetch the call first"
        for name, value in values.items():
            setattr(row, name, value)
        row.date_updated = now
        await self._session.flush()
        return _record(row)

    async def take_sequence_number(self, sid: str) -> int:
        """The next status-callback SequenceNumber of the call (0, 1, 2, ...)."""
        row = await self._session.get(CallRow, sid, with_for_update=True)
        assert row is not None
        number = row.callback_sequence
        row.callback_sequence = number + 1
        return number

    async def delete(self, sid: str) -> None:
        row = await self._session.get(CallRow, sid)
        if row is not None:
            await self._session.delete(row)
