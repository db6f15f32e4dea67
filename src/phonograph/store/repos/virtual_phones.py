"""Virtual phones (``PV…``): scripted far ends of an account, one per account and number."""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from phonograph.core import Conflict
from phonograph.store.db import flush_unique
from phonograph.store.models import VirtualPhoneRow
from phonograph.store.records import from_row


class PhoneAnswer(StrEnum):
    """How a virtual phone treats a call to it: the call's outcome when it does not answer."""

    ANSWER = "answer"
    BUSY = "busy"
    NO_ANSWER = "no-answer"
    FAILED = "failed"


@dataclass(frozen=True)
class VirtualPhone:
    sid: str
    account_sid: str
    phone_number: str
    answer: PhoneAnswer
    answer_after_s: float
    twiml: str | None
    date_created: datetime
    date_updated: datetime


def _record(row: VirtualPhoneRow) -> VirtualPhone:
    return from_row(VirtualPhone, row, answer=PhoneAnswer(row.answer))


def _taken(phone_number: str) -> Conflict:
    return Conflict(f"This account already has a virtual phone with phone_number {phone_number}")


class VirtualPhoneRepo:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def create(
        self,
        *,
        sid: str,
        account_sid: str,
        phone_number: str,
        answer: PhoneAnswer,
        answer_after_s: float,
        twiml: str | None,
        now: datetime,
    ) -> VirtualPhone:
        """The new phone; ``Conflict`` when the account already has a phone with this number."""
        if await self.get_by_number(account_sid, phone_number) is not None:
            raise _taken(phone_number)
        row = VirtualPhoneRow(
            sid=sid,
            account_sid=account_sid,
            phone_number=phone_number,
            answer=answer.value,
            answer_after_s=answer_after_s,
            twiml=twiml,
            date_created=now,
            date_updated=now,
        )
        self._session.add(row)
        await flush_unique(self._session, _taken(phone_number))
        return _record(row)

    async def get_by_number(self, account_sid: str, phone_number: str) -> VirtualPhone | None:
        stmt = select(VirtualPhoneRow).where(
            VirtualPhoneRow.account_sid == account_sid, VirtualPhoneRow.phone_number == phone_number
        )
        row = (await self._session.scalars(stmt)).one_or_none()
        return None if row is None else _record(row)

    async def list(self, account_sid: str) -> builtins.list[VirtualPhone]:
        """The account's phones, newest first."""
        stmt = (
            select(VirtualPhoneRow)
            .where(VirtualPhoneRow.account_sid == account_sid)
            .order_by(VirtualPhoneRow.date_created.desc(), VirtualPhoneRow.sid.desc())
        )
        return [_record(row) for row in (await self._session.scalars(stmt)).all()]

    async def delete(self, sid: str) -> None:
        await self._session.execute(delete(VirtualPhoneRow).where(VirtualPhoneRow.sid == sid))
