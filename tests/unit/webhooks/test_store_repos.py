"""OutboxRepo and NotificationRepo on a real migrated SQLite database."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest

from phonograph.core import is_sid, new_sid
from phonograph.store import NotificationLog, NotificationRepo, OutboxRepo, PageSpec
from tests.support.store import add_account, fresh_db
from tests.unit.webhooks.db import (
    RolledBack,
    clock,
    enqueue,
    enqueue_then_fail,
    pending,
)

URL = "https://app.example/status"


def test_enqueue_commits_and_rolls_back_with_the_callers_transaction(db_url: str) -> None:
    async def main() -> None:
        db = await fresh_db(db_url)
        account = await add_account(db)
        with pytest.raises(RolledBack):
            await enqueue_then_fail(db, account.sid, "CA1", URL)
        assert await pending(db) == 0
        message = await enqueue(db, account.sid, "CA1", URL, [("A", "1"), ("A", "2"), ("B", "ü")])
        assert await pending(db) == 1
        async with db.transaction() as session:
            stored = await OutboxRepo(session).get(message.id)
        assert stored == message
        assert stored.params == (("A", "1"), ("A", "2"), ("B", "ü"))
        assert (stored.attempts, stored.last_error) == (0, None)
        await db.close()

    asyncio.run(main())


def test_only_the_oldest_message_of_a_key_is_due(db_url: str) -> None:
    async def main() -> None:
        db = await fresh_db(db_url)
        account = await add_account(db)
        a1 = await enqueue(db, account.sid, "A", URL)
        a2 = await enqueue(db, account.sid, "A", URL)
        b1 = await enqueue(db, account.sid, "B", URL)
        c1 = await enqueue(db, account.sid, "C", URL)
        later = clock.now() + timedelta(seconds=1)
        async with db.transaction() as session:
            outbox = OutboxRepo(session)
            assert [m.id for m in await outbox.due(later, 10)] == [a1.id, b1.id, c1.id]
            assert [m.id for m in await outbox.due(later, 2)] == [a1.id, b1.id]
            # A head that is waiting to retry holds back the rest of its key.
            await outbox.retry_later(a1.id, "11200 HTTP retrieval failure", later + timedelta(minutes=1))
            assert [m.id for m in await outbox.due(later, 10)] == [b1.id, c1.id]
            retried = await outbox.get(a1.id)
            assert retried is not None
            assert (retried.attempts, retried.last_error) == (1, "11200 HTTP retrieval failure")
            await outbox.delivered(b1.id)
            await outbox.delivered(a1.id)
            assert [m.id for m in await outbox.due(later, 10)] == [a2.id, c1.id]
            assert await outbox.pending_count() == 2
        await db.close()

    asyncio.run(main())


def test_claims_are_compare_and_set_and_can_be_released(db_url: str) -> None:
    async def main() -> None:
        db = await fresh_db(db_url)
        account = await add_account(db)
        m1 = await enqueue(db, account.sid, "A", URL)
        m2 = await enqueue(db, account.sid, "B", URL)
        now = clock.now() + timedelta(seconds=1)
        lease = now + timedelta(seconds=45)
        async with db.transaction() as session:
            outbox = OutboxRepo(session)
            assert await outbox.claim([m1.id, m2.id], now, lease) == [m1.id, m2.id]
            assert await outbox.claim([m1.id, m2.id], now, lease) == []
            assert await outbox.due(now, 10) == []
            assert await outbox.claim([], now, lease) == []
            await outbox.release([m2.id], now)
            assert [m.id for m in await outbox.due(now, 10)] == [m2.id]
        await db.close()

    asyncio.run(main())


def test_notifications(db_url: str) -> None:
    async def main() -> None:
        db = await fresh_db(db_url)
        account = await add_account(db)
        other = await add_account(db)
        call_sid = new_sid("CA")
        day = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)
        async with db.transaction() as session:
            repo = NotificationRepo(session)
            first = await repo.create(
                account_sid=account.sid,
                call_sid=call_sid,
                error_code=11200,
                log=NotificationLog.WARNING,
                message_text="HTTP retrieval failure",
                request_url=URL,
                request_method="POST",
                request_variables="CallSid=" + call_sid,
                response_body="oops",
                response_headers="Content-Type=text%2Fplain",
                now=day,
            )
            second = await repo.create(
                account_sid=account.sid,
                call_sid=None,
                error_code=11205,
                log=NotificationLog.ERROR,
                message_text="HTTP connection failure",
                request_url=URL,
                request_method="GET",
                now=day + timedelta(hours=1),
            )
        assert is_sid(first.sid, "NO")
        assert (first.message_date, first.log, second.response_body) == (day, 1, "")
        async with db.transaction() as session:
            repo = NotificationRepo(session)
            assert await repo.get_for_account(account.sid, first.sid) == first
            assert await repo.get_for_account(other.sid, first.sid) is None

            async def sids(**filters: object) -> list[str]:
                page = await repo.list_page(account.sid, PageSpec(limit=10), **filters)  # type: ignore[arg-type]
                return [n.sid for n in page.items]

            assert await sids() == [second.sid, first.sid]
            assert await sids(call_sid=call_sid) == [first.sid]
            assert await sids(log=NotificationLog.ERROR) == [second.sid]
            assert await sids(message_date=date(2026, 3, 10)) == [first.sid]
            assert await sids(message_date=date(2026, 3, 11)) == [second.sid]
            assert await sids(message_date_before=date(2026, 3, 10)) == [first.sid]
            assert await sids(message_date_after=date(2026, 3, 11)) == [second.sid]
            assert await sids(message_date_before=date.max, message_date_after=date.min) == [
                second.sid,
                first.sid,
            ]
            page = await repo.list_page(account.sid, PageSpec(limit=1))
            assert page.has_next
            assert [
                n.sid
                for n in (await repo.list_page(account.sid, PageSpec(limit=1, cursor=page.last_key))).items
            ] == [first.sid]
            await repo.delete(first.sid)
            assert await repo.get_for_account(account.sid, first.sid) is None
        await db.close()

    asyncio.run(main())
