"""Incoming phone numbers (``PN…``): numbers an account owns, unique on the whole server."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from phonograph.core import InvalidParameter
from phonograph.store.db import flush_unique
from phonograph.store.models import IncomingPhoneNumberRow
from phonograph.store.paging import Page, PageSpec, fetch_page
from phonograph.store.records import from_row

# Twilio's "Phone number is not available" (https://www.twilio.com/docs/errors/21422).
NUMBER_NOT_AVAILABLE = 21422
# NANPA keeps 555-0100 to 555-0199 for fictional use: allocation starts there, then takes the rest
# of the 555 exchange, so numbers handed out look like (and are) numbers nobody dials for real.
_FICTIONAL_FIRST = 100
_LINE_NUMBERS = 10_000


@dataclass(frozen=True)
class IncomingPhoneNumber:
    sid: str
    account_sid: str
    phone_number: str
    friendly_name: str
    voice_url: str | None
    voice_method: str
    voice_fallback_url: str | None
    voice_fallback_method: str
    status_callback: str | None
    status_callback_method: str
    date_created: datetime
    date_updated: datetime

    @property
    def settings(self) -> NumberSettings:
        """What a caller set on this number."""
        return NumberSettings(**{field.name: getattr(self, field.name) for field in fields(NumberSettings)})


@dataclass(frozen=True)
class NumberSettings:
    """What a caller sets on a number; ``None`` URLs are unset."""

    friendly_name: str
    voice_url: str | None
    voice_method: str
    voice_fallback_url: str | None
    voice_fallback_method: str
    status_callback: str | None
    status_callback_method: str


def not_available(phone_number: str) -> InvalidParameter:
    return InvalidParameter(f"PhoneNumber {phone_number} is not available", code=NUMBER_NOT_AVAILABLE)


def first_free_555_number(area_code: str, taken: set[str]) -> str | None:
    """The first ``+1{area_code}555NNNN`` not in ``taken`` (fictional 0100–0199 first), or None."""
    for offset in range(_LINE_NUMBERS):
        candidate = f"+1{area_code}555{(_FICTIONAL_FIRST + offset) % _LINE_NUMBERS:04d}"
        if candidate not in taken:
            return candidate
    return None


def _like_pattern(fragment: str) -> str:
    """A LIKE pattern matching ``fragment`` anywhere; ``*`` stands for any one digit, as on Twilio."""
    escaped = fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.replace('*', '_')}%"


def _record(row: IncomingPhoneNumberRow) -> IncomingPhoneNumber:
    return from_row(IncomingPhoneNumber, row)


class IncomingPhoneNumberRepo:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def create(
        self, *, sid: str, account_sid: str, phone_number: str, settings: NumberSettings, now: datetime
    ) -> IncomingPhoneNumber:
        """The new number; ``InvalidParameter`` (21422) when any account on the server owns it."""
        if await self.get_by_number(phone_number) is not None:
            raise not_available(phone_number)
        row = IncomingPhoneNumberRow(
            sid=sid,
            account_sid=account_sid,
            phone_number=phone_number,
            **asdict(settings),
            date_created=now,
            date_updated=now,
        )
        self._session.add(row)
        await flush_unique(self._session, not_available(phone_number))
        return _record(row)

    async def free_555_number(self, area_code: str) -> str | None:
        """An unowned ``+1{area_code}555NNNN`` number, or None when the whole exchange is taken."""
        stmt = select(IncomingPhoneNumberRow.phone_number).where(
            IncomingPhoneNumberRow.phone_number.like(f"+1{area_code}555%")
        )
        taken = set((await self._session.scalars(stmt)).all())
        return first_free_555_number(area_code, taken)

    async def get(self, sid: str) -> IncomingPhoneNumber | None:
        row = await self._session.get(IncomingPhoneNumberRow, sid)
        return None if row is None else _record(row)

    async def get_for_account(self, account_sid: str, sid: str) -> IncomingPhoneNumber | None:
        number = await self.get(sid)
        return number if number is not None and number.account_sid == account_sid else None

    async def get_by_number(self, phone_number: str) -> IncomingPhoneNumber | None:
        """The number's owner record, whichever account owns it (numbers are unique server-wide)."""
        stmt = select(IncomingPhoneNumberRow).where(IncomingPhoneNumberRow.phone_number == phone_number)
        row = (await self._session.scalars(stmt)).one_or_none()
        return None if row is None else _record(row)

    async def list_page(
        self,
        account_sid: str,
        *,
        phone_number: str | None,
        friendly_name: str | None,
        spec: PageSpec,
    ) -> Page[IncomingPhoneNumber]:
        """The account's numbers; ``phone_number`` matches anywhere in the number, ``*`` any digit."""
        stmt = select(IncomingPhoneNumberRow).where(IncomingPhoneNumberRow.account_sid == account_sid)
        if phone_number is not None:
            stmt = stmt.where(
                IncomingPhoneNumberRow.phone_number.like(_like_pattern(phone_number), escape="\\")
            )
        if friendly_name is not None:
            stmt = stmt.where(IncomingPhoneNumberRow.friendly_name == friendly_name)
        return await fetch_page(
            self._session,
            stmt,
            IncomingPhoneNumberRow.date_created,
            IncomingPhoneNumberRow.sid,
            spec,
            _record,
        )

    async def update(
        self, sid: str, *, account_sid: str, settings: NumberSettings, now: datetime
    ) -> IncomingPhoneNumber:
        """Replace what a caller sets, and move the number to ``account_sid``."""
        row = await self._session.get(IncomingPhoneNumberRow, sid, with_for_update=True)
        assert row is not None, "callers fetch the number first"
        row.account_sid = account_sid
        for name, value in asdict(settings).items():
            setattr(row, name, value)
        row.date_updated = now
        await self._session.flush()
        return _record(row)

    async def delete(self, sid: str) -> None:
        await self._session.execute(delete(IncomingPhoneNumberRow).where(IncomingPhoneNumberRow.sid == sid))
