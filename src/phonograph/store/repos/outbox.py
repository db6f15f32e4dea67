"""The webhook outbox: messages promised to apps; once delivered or given up, the callback log.

A message is written in the caller's transaction, so it commits (or rolls back) with the state
change it reports (docs/architecture.md: status callbacks are an outbox). Messages that share an
``ordering_key`` (one call's callbacks) go out one at a time, in id order: only the oldest
remaining message of a key is ever due.

Workers *claim* due messages by moving ``next_attempt_at`` to the end of a lease with a
compare-and-set update, so several workers (or processes) on one database never deliver the same
message at once; a worker that dies mid-delivery leaves a claim that simply expires.

A finished message (``delivered`` or ``failed``) stays, with each attempt's outcome, as the
account's callback log (``GET /phonograph/v1/Callbacks``, the console) until the worker prunes it
after the retention the server is given (``PHONOGRAPH_CALLBACK_RETENTION_DAYS``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from phonograph.store.models import OutboxMessageRow

MAX_LOGGED_ATTEMPTS = 20
"""The attempts a message keeps in its log (the last ones): Twilio's retries and the longest
``durable_callbacks`` backoff stay under it."""


class OutboxState(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


@dataclass(frozen=True)
class Attempt:
    """One delivery attempt's outcome, as the log keeps it."""

    date: datetime
    duration_ms: int
    status_code: int | None
    response_body: str | None
    error_code: int | None
    error: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "duration_ms": self.duration_ms,
            "status_code": self.status_code,
            "response_body": self.response_body,
            "error_code": self.error_code,
            "error": self.error,
        }


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
    state: OutboxState = OutboxState.PENDING
    call_sid: str | None = None
    recording_sid: str | None = None
    replay_of: int | None = None
    attempt_log: tuple[dict[str, Any], ...] = ()
    finished_at: datetime | None = None


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
        state=OutboxState(row.state),
        call_sid=row.call_sid,
        recording_sid=row.recording_sid,
        replay_of=row.replay_of,
        attempt_log=tuple(row.attempt_log),
        finished_at=row.finished_at,
    )


def _logged(message: OutboxMessage, attempt: Attempt) -> list[dict[str, Any]]:
    """The message's log with ``attempt`` added: a claimed message's log is its worker's alone to
    change, so it is taken from the message instead of read again."""
    return [*message.attempt_log, attempt.as_json()][-MAX_LOGGED_ATTEMPTS:]


def _param(params: Sequence[tuple[str, str]], name: str, prefix: str) -> str | None:
    value = next((value for key, value in params if key == name), None)
    return value if value is not None and value.startswith(prefix) and len(value) == 34 else None


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
        replay_of: int | None = None,
    ) -> OutboxMessage:
        """Add a message, due now, in the session's transaction (it commits with the caller's)."""
        row = OutboxMessageRow(
            state=OutboxState.PENDING.value,
            call_sid=_param(params, "CallSid", "CA"),
            recording_sid=_param(params, "RecordingSid", "RE"),
            replay_of=replay_of,
            attempt_log=[],
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

    async def replay(self, message: OutboxMessage, now: datetime) -> OutboxMessage:
        """A new message, due now, that sends ``message`` again (after its call's pending ones)."""
        return await self.enqueue(
            account_sid=message.account_sid,
            ordering_key=message.ordering_key,
            url=message.url,
            method=message.method,
            params=message.params,
            now=now,
            replay_of=message.id,
        )

    async def get(self, id: int) -> OutboxMessage | None:
        row = await self._session.get(OutboxMessageRow, id)
        return None if row is None else _record(row)

    async def due(self, now: datetime, limit: int) -> list[OutboxMessage]:
        """Up to ``limit`` messages due by ``now`` that head their ordering key, oldest first."""
        older = aliased(OutboxMessageRow)
        pending = OutboxState.PENDING.value
        head_id = (
            select(func.min(older.id))
            .where(older.ordering_key == OutboxMessageRow.ordering_key, older.state == pending)
            .scalar_subquery()
        )
        stmt = (
            select(OutboxMessageRow)
            .where(
                OutboxMessageRow.state == pending,
                OutboxMessageRow.next_attempt_at <= now,
                OutboxMessageRow.id == head_id,
            )
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
            .where(
                OutboxMessageRow.id.in_(ids),
                OutboxMessageRow.state == OutboxState.PENDING.value,
                OutboxMessageRow.next_attempt_at <= now,
            )
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

    async def finish(
        self, message: OutboxMessage, state: OutboxState, attempt: Attempt | None, now: datetime
    ) -> None:
        """``message`` (as its worker claimed it) is ``delivered`` or ``failed`` (given up): it
        leaves the queue for the log, with ``attempt`` (None: never sent, its account is gone)."""
        values: dict[str, Any] = {"state": state.value, "finished_at": now}
        if attempt is not None:
            values.update(attempts=OutboxMessageRow.attempts + 1, attempt_log=_logged(message, attempt))
        await self._session.execute(
            update(OutboxMessageRow).where(OutboxMessageRow.id == message.id).values(**values)
        )

    async def retry_later(self, message: OutboxMessage, attempt: Attempt, next_attempt_at: datetime) -> None:
        """``message`` (as its worker claimed it) failed ``attempt`` and is due again then."""
        await self._session.execute(
            update(OutboxMessageRow)
            .where(OutboxMessageRow.id == message.id)
            .values(
                attempts=OutboxMessageRow.attempts + 1,
                last_error=f"{attempt.error_code} {attempt.error}",
                next_attempt_at=next_attempt_at,
                attempt_log=_logged(message, attempt),
            )
        )

    async def pending_count(self, account_sid: str | None = None) -> int:
        """Messages still to be delivered (of one account, or of all)."""
        stmt = select(func.count()).select_from(OutboxMessageRow)
        stmt = stmt.where(OutboxMessageRow.state == OutboxState.PENDING.value)
        if account_sid is not None:
            stmt = stmt.where(OutboxMessageRow.account_sid == account_sid)
        return int(await self._session.scalar(stmt) or 0)

    async def list_for_account(
        self,
        account_sid: str,
        limit: int,
        *,
        before_id: int | None = None,
        call_sid: str | None = None,
        recording_sid: str | None = None,
    ) -> list[OutboxMessage]:
        """The account's messages, newest first, ``limit`` of them from ``before_id`` down."""
        stmt = select(OutboxMessageRow).where(OutboxMessageRow.account_sid == account_sid)
        if before_id is not None:
            stmt = stmt.where(OutboxMessageRow.id < before_id)
        if call_sid is not None:
            stmt = stmt.where(OutboxMessageRow.call_sid == call_sid)
        if recording_sid is not None:
            stmt = stmt.where(OutboxMessageRow.recording_sid == recording_sid)
        stmt = stmt.order_by(OutboxMessageRow.id.desc()).limit(limit)
        return [_record(row) for row in (await self._session.scalars(stmt)).all()]

    async def prune(self, finished_before: datetime) -> int:
        """Forget finished messages older than the retention; how many went."""
        result = await self._session.execute(
            delete(OutboxMessageRow).where(OutboxMessageRow.finished_at < finished_before)
        )
        return int(getattr(result, "rowcount", 0) or 0)
