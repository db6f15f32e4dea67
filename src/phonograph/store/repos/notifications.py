"""Notifications (``NO…``): the errors and warnings Twilio's debugger records about calls."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import IntEnum

from sqlalchemy import ColumnElement, delete, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from phonograph.core import new_sid, redact_userinfo, storable_text
from phonograph.store.models import NotificationRow
from phonograph.store.paging import Page, PageSpec, fetch_page
from phonograph.store.records import from_row

RESPONSE_BODY_MAX_CHARS = 4096
"""A failed fetch's response body is kept only this far: enough to see what the app said, and not
a way to read a large internal document back (docs/security.md)."""


class NotificationLog(IntEnum):
    """Twilio's log levels: ``0`` is ERROR, ``1`` is WARNING (Twilio's OpenAPI Notification ``log``)."""

    ERROR = 0
    WARNING = 1


@dataclass(frozen=True)
class Notification:
    sid: str
    account_sid: str
    call_sid: str | None
    error_code: int
    log: int
    message_text: str
    request_url: str
    request_method: str
    request_variables: str
    response_body: str
    response_headers: str
    message_date: datetime
    date_created: datetime


def _record(row: NotificationRow) -> Notification:
    return from_row(Notification, row)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def _before_day_after(day: date) -> ColumnElement[bool]:
    """``message_date`` falls on or before ``day`` (UTC)."""
    if day == date.max:
        return true()
    return NotificationRow.message_date < _day_start(day + timedelta(days=1))


class NotificationRepo:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def create(
        self,
        *,
        account_sid: str,
        call_sid: str | None,
        error_code: int,
        log: NotificationLog,
        message_text: str,
        request_url: str,
        request_method: str,
        request_variables: str = "",
        response_body: str = "",
        response_headers: str = "",
        now: datetime,
        message_date: datetime | None = None,
    ) -> Notification:
        """A new notification; ``message_date`` (when the event happened) defaults to ``now``.
        URL passwords are redacted, the response body is cut to ``RESPONSE_BODY_MAX_CHARS``, and
        what the app sent is made storable (``storable_text``: PostgreSQL refuses a NUL)."""
        row = NotificationRow(
            sid=new_sid("NO"),
            account_sid=account_sid,
            call_sid=call_sid,
            error_code=error_code,
            log=int(log),
            message_text=redact_userinfo(message_text),
            request_url=redact_userinfo(request_url),
            request_method=request_method,
            request_variables=storable_text(request_variables),
            response_body=storable_text(response_body[:RESPONSE_BODY_MAX_CHARS]),
            response_headers=storable_text(response_headers),
            message_date=now if message_date is None else message_date,
            date_created=now,
        )
        self._session.add(row)
        await self._session.flush()
        return _record(row)

    async def get_for_account(self, account_sid: str, sid: str) -> Notification | None:
        row = await self._session.get(NotificationRow, sid)
        return None if row is None or row.account_sid != account_sid else _record(row)

    async def list_page(
        self,
        account_sid: str,
        spec: PageSpec,
        *,
        call_sid: str | None = None,
        log: NotificationLog | None = None,
        message_date: date | None = None,
        message_date_before: date | None = None,
        message_date_after: date | None = None,
    ) -> Page[Notification]:
        """Newest first, with Twilio's list filters.

        The date filters are whole UTC days and inclusive, as Twilio's ``MessageDate``,
        ``MessageDate<=`` and ``MessageDate>=`` are (the SDK sends the last two as
        ``MessageDate<`` and ``MessageDate>``).
        """
        stmt = select(NotificationRow).where(NotificationRow.account_sid == account_sid)
        if call_sid is not None:
            stmt = stmt.where(NotificationRow.call_sid == call_sid)
        if log is not None:
            stmt = stmt.where(NotificationRow.log == int(log))
        if message_date is not None:
            stmt = stmt.where(
                NotificationRow.message_date >= _day_start(message_date), _before_day_after(message_date)
            )
        if message_date_before is not None:
            stmt = stmt.where(_before_day_after(message_date_before))
        if message_date_after is not None:
            stmt = stmt.where(NotificationRow.message_date >= _day_start(message_date_after))
        return await fetch_page(
            self._session, stmt, NotificationRow.date_created, NotificationRow.sid, spec, _record
        )

    async def delete(self, sid: str) -> None:
        await self._session.execute(delete(NotificationRow).where(NotificationRow.sid == sid))
