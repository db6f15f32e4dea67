"""A real migrated database for the store-level tests (the repositories, the outbox): a fresh one
per test, on SQLite or PostgreSQL (the ``db_url`` fixture in tests/unit/conftest.py), and an
account in it. Each repository test file had written these again."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from phonograph.core import new_secret, new_sid
from phonograph.store import Account, AccountRepo, Database

T0 = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
"""The moment the tests' rows are made at, unless a test needs another."""

Check = Callable[[Database], Awaitable[None]]


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path / 'phonograph.db'}"


async def fresh_db(url: str) -> Database:
    db = Database(url)
    await db.migrate()
    return db


def run(db_url: str, check: Check) -> None:
    """``check`` on a freshly migrated database at ``db_url``, closed afterwards."""

    async def main() -> None:
        db = await fresh_db(db_url)
        try:
            await check(db)
        finally:
            await db.close()

    asyncio.run(main())


async def add_account(db: Database, owner: str | None = None, *, now: datetime = T0) -> Account:
    """A new account (a subaccount of ``owner`` when given)."""
    async with db.transaction() as session:
        return await AccountRepo(session).create(
            sid=new_sid("AC"),
            auth_token=new_secret(),
            friendly_name="store test",
            owner_account_sid=owner,
            now=now,
        )
