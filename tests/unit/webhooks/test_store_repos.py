"""OutboxRepo and NotificationRepo on a real migrated SQLite database."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest

from phonograph.core import is_sid, new_sid
from phonograph.store import Attempt, NotificationLog, NotificationRepo, OutboxRepo, OutboxState, PageSpec
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
            await outbox.retry_later(a1, _failure(later), later + timedelta(minutes=1))
            assert [m.id for m in await outbox.due(later, 10)] == [b1.id, c1.id]
            retried = await outbox.get(a1.id)
            assert retried is not None
            assert (retried.attempts, retried.last_error) == (1, "11200 HTTP retrieval failure")
            await outbox.finish(b1, OutboxState.DELIVERED, _answered(later), later)
            await outbox.finish(retried, OutboxState.FAILED, _failure(later), later)
            assert [m.id for m in await outbox.due(later, 10)] == [a2.id, c1.id]
            assert await outbox.pending_count() == 2
        await db.close()

    asyncio.run(main())


def _failure(at: datetime) -> Attempt:
    return Attempt(at, 12, 500, "oops", 11200, "HTTP retrieval failure")


def _answered(at: datetime) -> Attempt:
    return Attempt(at, 3, 204, "", None, None)


def test_finished_messages_stay_as_the_callback_log_until_pruned(db_url: str) -> None:
    async def main() -> None:
        db = await fresh_db(db_url)
        account = await add_account(db)
        other = await add_account(db)
        call_sid, recording_sid = new_sid("CA"), new_sid("RE")
        first = await enqueue(db, account.sid, call_sid, URL, params=(("CallSid", call_sid),))
        second = await enqueue(
            db, account.sid, call_sid, URL, params=(("CallSid", call_sid), ("RecordingSid", recording_sid))
        )
        theirs = await enqueue(db, other.sid, "X", URL)
        now = clock.now()
        async with db.transaction() as session:
            outbox = OutboxRepo(session)
            await outbox.retry_later(first, _failure(now), now)
            retried = await outbox.get(first.id)  # as the next claim reads it
            assert retried is not None
            await outbox.finish(retried, OutboxState.DELIVERED, _answered(now + timedelta(seconds=1)), now)
            logged = await outbox.get(first.id)
            assert logged is not None
            assert (logged.state, logged.attempts, logged.call_sid) == (OutboxState.DELIVERED, 2, call_sid)
            assert [a["status_code"] for a in logged.attempt_log] == [500, 204]
            listed = await outbox.list_for_account(account.sid, 10)
            assert [m.id for m in listed] == [second.id, first.id]
            assert [m.id for m in await outbox.list_for_account(account.sid, 10, before_id=second.id)] == [
                first.id
            ]
            only = await outbox.list_for_account(account.sid, 10, recording_sid=recording_sid)
            assert [m.id for m in only] == [second.id]
            assert [m.id for m in await outbox.list_for_account(other.sid, 10)] == [theirs.id]
            replay = await outbox.replay(logged, now)
            assert (replay.replay_of, replay.url, replay.params, replay.state) == (
                first.id,
                URL,
                logged.params,
                OutboxState.PENDING,
            )
            # Pruning forgets finished messages only.
            assert await outbox.prune(now + timedelta(days=1)) == 1
            assert await outbox.get(first.id) is None
            assert await outbox.get(replay.id) is not None
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
