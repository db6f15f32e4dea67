"""The webhook outbox: messages promised to apps, deleted once delivered or given up.

A message is written in the caller's transaction, so it commits (or rolls back) with the state
change it reports (docs/architecture.md: status callbacks are an outbox). Messages that share an
``ordering_key`` (one call's callbacks) go out one at a time, in id order: only the oldest
remaining message of a key is ever due.

Workers *claim* due messages by moving ``next_attempt_at`` to the end of a lease with a
compare-and-set update, so several workers (or processes) on one database never deliver the same
message at once; a worker that dies mid-delivery leaves a claim that simply expires.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from phonograph.store.models import OutboxMessageRow


@dataclass(frozen=True)
class OutboxMessage:
    id: int
    account_sid: str
    ordering_key: str
    url: str
    method: str
    params: tuple[tuple[str, str], ...]
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    date_created: datetime


def _record(row: OutboxMessageRow) -> OutboxMessage:
    return OutboxMessage(
        id=row.id,
        account_sid=row.account_sid,
        ordering_key=row.ordering_key,
        url=row.url,
        method=row.method,
        params=tuple((name, value) for name, value in row.params),
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
        date_created=row.date_created,
    )


class OutboxRepo:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def enqueue(
        self,
        *,
        account_sid: str,
        ordering_key: str,
        url: str,
        method: str,
        params: Sequence[tuple[str, str]],
        now: datetime,
    ) -> OutboxMessage:
        """Add a message, due now, in the session's transaction (it commits with the caller's)."""
        row = OutboxMessageRow(
            account_sid=account_sid,
            ordering_key=ordering_key,
            url=url,
            method=method,
            params=[[name, value] for name, value in params],
            attempts=0,
            next_attempt_at=now,
            last_error=None,
            date_created=now,
        )
        self._session.add(row)
        await self._session.flush()
        return _record(row)

    async def get(self, id: int) -> OutboxMessage | None:
        row = await self._session.get(OutboxMessageRow, id)
        return None if row is None else _record(row)

    async def due(self, now: datetime, limit: int) -> list[OutboxMessage]:
        """Up to ``limit`` messages due by ``now`` that head their ordering key, oldest first."""
        older = aliased(OutboxMessageRow)
        head_id = (
            select(func.min(older.id))
            .where(older.ordering_key == OutboxMessageRow.ordering_key)
            .scalar_subquery()
        )
        stmt = (
            select(OutboxMessageRow)
            .where(OutboxMessageRow.next_attempt_at <= now, OutboxMessageRow.id == head_id)
            .order_by(OutboxMessageRow.id)
            .limit(limit)
        )
        return [_record(row) for row in (await self._session.scalars(stmt)).all()]

    async def claim(self, ids: Sequence[int], now: datetime, until: datetime) -> list[int]:
        """Lease the messages among ``ids`` that are still due, until ``until``; their ids.

        The ``next_attempt_at <= now`` condition makes this a compare-and-set: of two workers
        that saw the same due message, only the first to update it gets it.
        """
        if not ids:
            return []
        stmt = (
            update(OutboxMessageRow)
            .where(OutboxMessageRow.id.in_(ids), OutboxMessageRow.next_attempt_at <= now)
            .values(next_attempt_at=until)
            .returning(OutboxMessageRow.id)
        )
        claimed = (await self._session.execute(stmt)).scalars().all()
        return sorted(claimed)

    async def release(self, ids: Sequence[int], now: datetime) -> None:
        """Make claimed messages due again now (a worker stopping before it could finish them)."""
        if ids:
            await self._session.execute(
                update(OutboxMessageRow).where(OutboxMessageRow.id.in_(ids)).values(next_attempt_at=now)
            )

    async def delivered(self, id: int) -> None:
        await self._session.execute(delete(OutboxMessageRow).where(OutboxMessageRow.id == id))

    async def retry_later(self, id: int, error: str, next_attempt_at: datetime) -> None:
        await self._session.execute(
            update(OutboxMessageRow)
            .where(OutboxMessageRow.id == id)
            .values(
                attempts=OutboxMessageRow.attempts + 1,
                last_error=error,
                next_attempt_at=next_attempt_at,
            )
        )

    async def pending_count(self) -> int:
        count = await self._session.scalar(select(func.count()).select_from(OutboxMessageRow))
        return int(count or 0)
