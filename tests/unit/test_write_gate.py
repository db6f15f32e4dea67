"""SQLite's write gate (store/db.py): a second writer waits in the event loop, never inside
SQLite's lock, and a read or a nested transaction does not wait for it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from phonograph.store import Database
from phonograph.store.models import AccountRow
from tests.support.store import add_account, run, sqlite_url

LOOP_TURNS = 10_000
"""How many event-loop turns a condition may take; a gate that never queues fails, not hangs."""


async def turns_until(condition: Callable[[], bool]) -> None:
    for _ in range(LOOP_TURNS):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("the condition never held")


async def rename(db: Database, name: str, *, urgent: bool = False) -> None:
    """A writer: renames every account to ``name`` in a transaction of its own."""
    async with db.transaction(urgent=urgent) as session:
        await session.execute(text("UPDATE accounts SET friendly_name = :name"), {"name": name})


async def holding_writer(db: Database) -> tuple[asyncio.Task[None], asyncio.Event]:
    """A transaction that has written and holds SQLite's write lock, as a writer stalled by load
    does, until the returned event is set; and its task."""
    holding, release = asyncio.Event(), asyncio.Event()

    async def hold() -> None:
        async with db.transaction() as session:
            await session.execute(text("UPDATE accounts SET friendly_name = 'first'"))
            holding.set()
            await release.wait()

    holder = asyncio.create_task(hold())
    await holding.wait()
    return holder, release


def test_a_second_writer_queues_behind_the_first_and_both_commit(tmp_path: Path) -> None:
    async def check(db: Database) -> None:
        await add_account(db)
        holder, release = await holding_writer(db)
        waiter = asyncio.create_task(rename(db, "second"))
        await turns_until(lambda: db.write_backlog == 1)
        async with db.read() as session:  # readers pass the queue
            assert (await session.execute(text("SELECT count(*) FROM accounts"))).scalar() == 1
        assert not waiter.done()
        release.set()
        await asyncio.gather(holder, waiter)
        assert db.write_backlog == 0
        async with db.read() as session:
            names = (await session.execute(text("SELECT friendly_name FROM accounts"))).scalars().all()
        assert names == ["second"]

    run(sqlite_url(tmp_path), check)


def test_a_transaction_opened_inside_another_by_the_same_task_goes_through(tmp_path: Path) -> None:
    async def check(db: Database) -> None:
        account = await add_account(db)
        async with asyncio.timeout(60):  # a task that waited for itself would hang: fail instead
            async with db.transaction(), db.transaction() as inner:
                found = await inner.execute(text("SELECT sid FROM accounts"))
                assert found.scalar() == account.sid

    run(sqlite_url(tmp_path), check)


def test_a_read_session_refuses_to_change_rows(tmp_path: Path) -> None:
    async def check(db: Database) -> None:
        account = await add_account(db)

        async def rename_in_a_read() -> None:
            async with db.read() as session:
                row = await session.get(AccountRow, account.sid)
                assert row is not None
                row.friendly_name = "changed behind the gate"

        with pytest.raises(RuntimeError, match="use transaction"):
            await rename_in_a_read()
        async with db.read() as session:
            row = await session.get(AccountRow, account.sid)
            assert row is not None
            assert row.friendly_name == account.friendly_name

    run(sqlite_url(tmp_path), check)


def test_an_urgent_writer_goes_before_ordinary_ones_that_queued_first(tmp_path: Path) -> None:
    async def check(db: Database) -> None:
        order: list[str] = []

        async def write(name: str, *, urgent: bool) -> None:
            async with db.transaction(urgent=urgent) as session:
                await session.execute(text("UPDATE accounts SET friendly_name = :name"), {"name": name})
                order.append(name)  # while it holds the gate: the order writers went in

        await add_account(db)
        holder, release = await holding_writer(db)
        ordinary = [asyncio.create_task(write(f"ordinary {n}", urgent=False)) for n in range(2)]
        await turns_until(lambda: db.write_backlog == 2)
        urgent = asyncio.create_task(write("urgent", urgent=True))
        await turns_until(lambda: db.write_backlog == 3)
        release.set()
        await asyncio.gather(holder, urgent, *ordinary)
        assert order == ["urgent", "ordinary 0", "ordinary 1"]

    run(sqlite_url(tmp_path), check)


def test_a_writer_cancelled_while_queued_leaves_the_gate_to_the_next(tmp_path: Path) -> None:
    async def check(db: Database) -> None:
        await add_account(db)
        holder, release = await holding_writer(db)
        cancelled, waiter = (
            asyncio.create_task(rename(db, "cancelled")),
            asyncio.create_task(rename(db, "written")),
        )
        await turns_until(lambda: db.write_backlog == 2)
        cancelled.cancel()
        await turns_until(lambda: db.write_backlog == 1)
        release.set()
        async with asyncio.timeout(60):  # a gate left held by the cancelled writer would hang
            await asyncio.gather(holder, waiter)
        assert cancelled.cancelled()
        assert db.write_backlog == 0

    run(sqlite_url(tmp_path), check)
