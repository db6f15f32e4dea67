"""OutboxWorker on a real SQLite database, delivering to a real local app."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from phonograph.core import new_secret, new_sid
from phonograph.store import Account, AccountRepo, Database, OutboxRepo, OutboxState
from phonograph.testing.server import free_port
from phonograph.webhooks import (
    HTTP_CONNECTION_FAILURE,
    HTTP_RETRIEVAL_FAILURE,
    INVALID_URL,
    AppClient,
    OutboxWorker,
)
from tests.support.store import add_account, fresh_db, sqlite_url
from tests.unit.webhooks.app_server import AppServer, Received, Reply, app_server, eventually
from tests.unit.webhooks.db import (
    RolledBack,
    clock,
    enqueue,
    enqueue_then_fail,
    notifications,
    pending,
)

FAST_RETRIES_S = (0.01, 0.01, 0.01)


@asynccontextmanager
async def running(
    db: Database,
    *,
    concurrency: int = 32,
    retry_delays_s: tuple[float, ...] = FAST_RETRIES_S,
    timeout_s: float = 2.0,
    poll_interval_s: float = 0.02,
    stop_grace_s: float = 5.0,
    retention: timedelta = timedelta(days=30),
) -> AsyncIterator[OutboxWorker]:
    async with httpx.AsyncClient() as http:
        worker = OutboxWorker(
            db,
            AppClient(http, timeout_s=timeout_s),
            clock,
            retry_delays_s=retry_delays_s,
            concurrency=concurrency,
            poll_interval_s=poll_interval_s,
            retention=retention,
        )
        worker.start()
        try:
            yield worker
        finally:
            await worker.stop(stop_grace_s)


def _run(tmp_path: Path, test: Callable[[Database, AppServer], Awaitable[None]]) -> None:
    _run_on(sqlite_url(tmp_path), test)


def _run_on(url: str, test: Callable[[Database, AppServer], Awaitable[None]]) -> None:
    async def main() -> None:
        db = await fresh_db(url)
        try:
            with app_server() as app:
                await test(db, app)
        finally:
            await db.close()

    asyncio.run(main())


async def _drained(db: Database) -> None:
    # Poll the outbox itself: it is empty once every message is delivered or given up.
    for _ in range(500):
        if await pending(db) == 0:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the outbox did not drain")


async def _durable(db: Database, account: Account) -> None:
    """The account asks for phonograph's durable delivery (retries with backoff)."""
    async with db.transaction() as session:
        await AccountRepo(session).change_media_settings(account.sid, clock.now(), durable_callbacks=True)


def _seq(seen: Received) -> str | None:
    return seen.param("Seq")


def test_a_delivered_message_stays_in_the_log_until_its_retention_has_passed(tmp_path: Path) -> None:
    async def test(db: Database, app: AppServer) -> None:
        account = await add_account(db)
        message = await enqueue(db, account.sid, "A", app.url("/status"), [("Seq", "1")])
        async with running(db):
            await _drained(db)
        async with db.read() as session:
            kept = await OutboxRepo(session).get(message.id)
        assert kept is not None
        assert (kept.state, [a["status_code"] for a in kept.attempt_log]) == (OutboxState.DELIVERED, [200])
        # A worker whose retention is over prunes it (it looks at once when it starts, then hourly).
        async with running(db, retention=timedelta(0)):
            for _ in range(500):
                async with db.read() as session:
                    if await OutboxRepo(session).get(message.id) is None:
                        return
                await asyncio.sleep(0.01)
        raise AssertionError("the delivered message was not pruned")

    _run(tmp_path, test)


def test_delivers_signed_posts_and_gets(tmp_path: Path) -> None:
    async def test(db: Database, app: AppServer) -> None:
        account = await add_account(db)
        call = new_sid("CA")
        posted = await enqueue(
            db, account.sid, call, app.url("/status?x=1"), [("CallSid", call), ("Seq", "1")]
        )
        await enqueue(
            db, account.sid, call, app.url("/twiml"), [("CallSid", call), ("Seq", "2")], method="GET"
        )
        async with running(db):
            await _drained(db)
        post, get = app.received
        assert (post.method, post.path, post.query, post.form) == (
            "POST",
            "/status",
            (("x", "1"),),
            (("CallSid", call), ("Seq", "1")),
        )
        assert (get.method, get.path, get.query, get.form) == (
            "GET",
            "/twiml",
            (("CallSid", call), ("Seq", "2")),
            (),
        )
        assert post.signed_by(account.auth_token)
        assert get.signed_by(account.auth_token)
        assert post.header("I-Twilio-Idempotency-Token") != get.header("I-Twilio-Idempotency-Token")
        assert posted.id > 0
        assert await notifications(db, account.sid) == []

    _run(tmp_path, test)


def test_signs_with_the_current_token_of_the_owning_account(tmp_path: Path) -> None:
    async def test(db: Database, app: AppServer) -> None:
        main = await add_account(db)
        sub = await add_account(db, owner=main.sid)
        await enqueue(db, main.sid, "A", app.url("/main"), [("Seq", "main")])
        await enqueue(db, sub.sid, "B", app.url("/sub"), [("Seq", "sub")])
        rotated = new_secret()
        async with db.transaction() as session:
            await AccountRepo(session).set_auth_token(main.sid, rotated, clock.now())
        async with running(db):
            await _drained(db)
        by_path = {seen.path: seen for seen in app.received}
        assert by_path["/main"].signed_by(rotated)
        assert not by_path["/main"].signed_by(main.auth_token)
        assert by_path["/sub"].signed_by(sub.auth_token)
        assert not by_path["/sub"].signed_by(rotated)

    _run(tmp_path, test)


def test_a_keys_messages_go_in_order_while_other_keys_proceed(tmp_path: Path) -> None:
    async def test(db: Database, app: AppServer) -> None:
        account = await add_account(db)

        def handler(seen: Received) -> Reply:
            # A1 fails until both of B's messages are in: B must not wait behind A.
            _, succeeded = app.snapshot()
            b_done = sum(1 for r in succeeded if (_seq(r) or "").startswith("B"))
            if _seq(seen) == "A1" and b_done < 2:
                return 500, {}, b"not yet"
            return 200, {}, b""

        app.handler = handler
        await _durable(db, account)
        for seq in ("A1", "A2", "A3"):
            await enqueue(db, account.sid, "CA-a", app.url("/a"), [("Seq", seq)])
        for seq in ("B1", "B2"):
            await enqueue(db, account.sid, "CA-b", app.url("/b"), [("Seq", seq)])
        async with running(db, retry_delays_s=(0.01,) * 200):
            await _drained(db)
        _, succeeded = app.snapshot()
        order = [_seq(r) for r in succeeded]
        assert [s for s in order if s and s.startswith("A")] == ["A1", "A2", "A3"]
        assert [s for s in order if s and s.startswith("B")] == ["B1", "B2"]
        assert order.index("B2") < order.index("A1")
        a1_attempts = [r for r in app.received if _seq(r) == "A1"]
        assert len(a1_attempts) >= 2
        assert len({r.header("I-Twilio-Idempotency-Token") for r in a1_attempts}) == 1

    _run(tmp_path, test)


def test_retries_after_a_500_then_succeeds(tmp_path: Path) -> None:
    async def test(db: Database, app: AppServer) -> None:
        account = await add_account(db)
        app.handler = lambda seen: (500, {}, b"") if len(app.received) == 1 else (200, {}, b"")
        await _durable(db, account)
        await enqueue(db, account.sid, "A", app.url("/cb"), [("Seq", "1")])
        async with running(db):
            await _drained(db)
        first, second = app.received
        assert first.header("I-Twilio-Idempotency-Token") == second.header("I-Twilio-Idempotency-Token")
        assert second.signed_by(account.auth_token)
        assert await notifications(db, account.sid) == []

    _run(tmp_path, test)


@pytest.mark.parametrize("durable", [False, True], ids=["twilio", "durable"])
@pytest.mark.parametrize("failure", ["500", "refused"])
def test_giving_up_removes_the_message_and_writes_a_notification(
    tmp_path: Path, failure: str, durable: bool
) -> None:
    """Twilio's delivery: one attempt (a refused connection is retried once, at once, inside it).
    Durable delivery: the attempt is repeated with backoff, here three more times."""

    async def test(db: Database, app: AppServer) -> None:
        account = await add_account(db)
        if durable:
            await _durable(db, account)
        call = new_sid("CA")
        app.handler = lambda seen: (
            (500, {"Content-Type": "text/plain", "X-App": "v1"}, b"app crashed")
            if seen.path == "/cb"
            else (200, {}, b"")
        )
        url = app.url("/cb") if failure == "500" else f"http://127.0.0.1:{free_port()}/cb"
        await enqueue(db, account.sid, call, url, [("CallSid", call), ("RecordingStatus", "completed")])
        after = await enqueue(db, account.sid, call, app.url("/next"), [("CallSid", call)])
        async with running(db):
            await _drained(db)
        (notification,) = await notifications(db, account.sid)
        attempts = 4 if durable else 1
        assert notification.call_sid == call
        assert notification.log == 1
        assert notification.request_url == url
        assert notification.request_method == "POST"
        assert notification.request_variables == f"CallSid={call}&RecordingStatus=completed"
        assert f"after {attempts} attempt" in notification.message_text
        if failure == "500":
            assert notification.error_code == HTTP_RETRIEVAL_FAILURE
            assert [r.path for r in app.received] == ["/cb"] * attempts + ["/next"]
            assert notification.response_body == "app crashed"
            assert "X-App=v1" in notification.response_headers
        else:
            assert notification.error_code == HTTP_CONNECTION_FAILURE
            assert [r.path for r in app.received] == ["/next"]
            assert (notification.response_body, notification.response_headers) == ("", "")
        assert after.id > 0  # the key's next message went out after the give-up

    _run(tmp_path, test)


def test_an_invalid_url_is_never_retried_even_when_durable(tmp_path: Path) -> None:
    async def test(db: Database, app: AppServer) -> None:
        account = await add_account(db)
        await _durable(db, account)
        await enqueue(db, account.sid, "A", "http://exa mple.com/cb", [("Seq", "1")])
        async with running(db, retry_delays_s=(0.01,) * 10):
            await _drained(db)
        (notification,) = await notifications(db, account.sid)
        assert notification.error_code == INVALID_URL
        assert "after 1 attempt)" in notification.message_text

    _run(tmp_path, test)


def test_a_message_rolled_back_with_its_transaction_is_never_sent(tmp_path: Path) -> None:
    async def test(db: Database, app: AppServer) -> None:
        account = await add_account(db)
        async with running(db) as worker:
            with pytest.raises(RolledBack):
                await enqueue_then_fail(db, account.sid, "A", app.url("/rolled-back"))
            worker.notify()
            await enqueue(db, account.sid, "A", app.url("/committed"), [("Seq", "1")])
            worker.notify()
            await eventually(lambda: len(app.received) == 1)
            await _drained(db)
        assert [r.path for r in app.received] == ["/committed"]

    _run(tmp_path, test)


def test_a_new_worker_delivers_what_a_stopped_one_left_exactly_once(db_url: str) -> None:
    async def test(db: Database, app: AppServer) -> None:
        account = await add_account(db)
        release = threading.Event()
        blocked_once = threading.Event()

        def handler(seen: Received) -> Reply:
            if _seq(seen) == "3" and not blocked_once.is_set():
                blocked_once.set()
                release.wait(5)  # the app is slow on #3 while the worker stops
            return 200, {}, b""

        app.handler = handler
        for seq in range(1, 6):
            await enqueue(db, account.sid, "CA-x", app.url("/cb"), [("Seq", str(seq))])
        try:
            # The app takes longer than the stop waits for it.
            async with running(db, stop_grace_s=0.1):
                await eventually(blocked_once.is_set)
            assert await pending(db) == 3  # 1 and 2 delivered; 3 stays queued, released for others
        finally:
            release.set()

        restarted = Database(db_url)  # a new process: same database, new engine
        try:
            async with running(restarted):
                await _drained(restarted)
        finally:
            await restarted.close()

        seqs = [_seq(r) for r in app.received]
        assert seqs == ["1", "2", "3", "3", "4", "5"]
        tokens = [r.header("I-Twilio-Idempotency-Token") for r in app.received]
        assert tokens[2] == tokens[3]  # the redelivery says it is the same message
        assert len(set(tokens)) == 5

    _run_on(db_url, test)


def test_a_graceful_stop_lets_a_delivery_in_flight_finish_and_starts_no_more(db_url: str) -> None:
    async def test(db: Database, app: AppServer) -> None:
        account = await add_account(db)
        in_flight = threading.Event()

        def handler(seen: Received) -> Reply:
            if _seq(seen) == "1":
                in_flight.set()
                threading.Event().wait(0.5)  # still answering when the stop begins
            return 200, {}, b""

        app.handler = handler
        for seq in range(1, 4):
            await enqueue(db, account.sid, "CA-y", app.url("/cb"), [("Seq", str(seq))])
        async with running(db):
            await eventually(in_flight.is_set)
        # #1 was answered and recorded; #2 and #3 were not started.
        assert [_seq(r) for r in app.received] == ["1"]
        assert await pending(db) == 2

        restarted = Database(db_url)
        try:
            async with running(restarted):
                await _drained(restarted)
        finally:
            await restarted.close()
        assert [_seq(r) for r in app.received] == ["1", "2", "3"]  # none sent twice

    _run_on(db_url, test)


def test_no_more_than_concurrency_deliveries_at_once(tmp_path: Path) -> None:
    async def test(db: Database, app: AppServer) -> None:
        account = await add_account(db)
        full = threading.Event()

        def handler(seen: Received) -> Reply:
            if app.in_flight >= 3:
                full.set()
            full.wait(2)  # hold the first deliveries until three are in flight together
            return 200, {}, b""

        app.handler = handler
        for n in range(10):
            await enqueue(db, account.sid, f"CA-{n}", app.url("/cb"), [("Seq", str(n))])
        most = 0
        async with running(db, concurrency=3) as worker:
            while await pending(db):
                most = max(most, worker.in_flight)
                await asyncio.sleep(0.005)
        assert app.max_in_flight == 3
        assert most <= 3
        assert sorted(int(_seq(r) or -1) for r in app.received) == list(range(10))

    _run(tmp_path, test)


def test_notify_wakes_the_worker_before_the_next_poll(tmp_path: Path) -> None:
    async def test(db: Database, app: AppServer) -> None:
        account = await add_account(db)
        async with running(db, poll_interval_s=60) as worker:
            await asyncio.sleep(0.05)  # let the first (empty) poll pass
            await enqueue(db, account.sid, "A", app.url("/cb"))
            worker.notify()
            await eventually(lambda: len(app.received) == 1, timeout_s=3)

    _run(tmp_path, test)
