"""Outbox messages and notifications in a real database, for the outbox and notification tests
(the database and its accounts: tests/support/store.py)."""

from __future__ import annotations

from collections.abc import Sequence

from phonograph.core import SystemClock
from phonograph.store import (
    Database,
    Notification,
    NotificationRepo,
    OutboxMessage,
    OutboxRepo,
    PageSpec,
)

clock = SystemClock()


async def enqueue(
    db: Database,
    account_sid: str,
    key: str,
    url: str,
    params: Sequence[tuple[str, str]] = (),
    method: str = "POST",
) -> OutboxMessage:
    async with db.transaction() as session:
        return await OutboxRepo(session).enqueue(
            account_sid=account_sid, ordering_key=key, url=url, method=method, params=params, now=clock.now()
        )


class RolledBack(Exception):
    """The state change that the message reported failed."""


async def enqueue_then_fail(db: Database, account_sid: str, key: str, url: str) -> None:
    """Enqueue in a transaction that then fails: the message must vanish with it."""
    async with db.transaction() as session:
        await OutboxRepo(session).enqueue(
            account_sid=account_sid, ordering_key=key, url=url, method="POST", params=[], now=clock.now()
        )
        raise RolledBack


async def pending(db: Database) -> int:
    async with db.transaction() as session:
        return await OutboxRepo(session).pending_count()


async def notifications(db: Database, account_sid: str) -> list[Notification]:
    async with db.transaction() as session:
        page = await NotificationRepo(session).list_page(account_sid, PageSpec(limit=100))
        return page.items
