"""A real migrated database (SQLite, or PostgreSQL where marked) with accounts, for the outbox
and notification tests."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from phonograph.core import SystemClock, new_secret, new_sid
from phonograph.store import (
    Account,
    AccountRepo,
    Database,
    Notification,
    NotificationRepo,
    OutboxMessage,
    OutboxRepo,
    PageSpec,
)

clock = SystemClock()


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path / 'phonograph.db'}"


async def fresh_db(url: str) -> Database:
    db = Database(url)
    await db.migrate()
    return db


async def add_account(db: Database, owner: str | None = None) -> Account:
    async with db.transaction() as session:
        return await AccountRepo(session).create(
            sid=new_sid("AC"),
            auth_token=new_secret(),
            friendly_name="webhooks test",
            owner_account_sid=owner,
            now=clock.now(),
        )


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
