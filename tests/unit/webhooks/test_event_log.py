"""The call event log's own promises: bounded, written in batches, pruned after 30 days."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from phonograph.store import EVENT_RETENTION, CallEventRepo, Database, PageSpec
from phonograph.webhooks import AppRequest, AppResponse, EventLog
from tests.support.store import T0, add_account, run


class SteppedClock:
    def __init__(self, now: datetime) -> None:
        self.moment = now

    def now(self) -> datetime:
        return self.moment


def request(account_sid: str, call_sid: str = "CA" + "1" * 32) -> AppRequest:
    return AppRequest(
        "https://app.example/voice", "POST", (("AccountSid", account_sid), ("CallSid", call_sid))
    )


def answer(body: str = "<Response/>") -> AppResponse:
    return AppResponse(200, (("Content-Type", "text/xml"),), body.encode(), "https://app.example/voice")


async def stored(db: Database, account_sid: str) -> list[tuple[int | None, str | None, int]]:
    async with db.read() as session:
        page = await CallEventRepo(session).list_page(account_sid, PageSpec(limit=100))
    return [(e.response_code, e.response_body, e.request_duration_ms) for e in page.items]


def test_events_wait_in_a_bounded_buffer_and_are_written_in_one_batch(db_url: str) -> None:
    async def check(db: Database) -> None:
        account = await add_account(db)
        clock = SteppedClock(T0)
        log = EventLog(db, clock, max_pending=2)
        for body in ("<one/>", "<two/>", "<three/>"):
            started = clock.now()
            clock.moment += timedelta(milliseconds=15)
            log.record(request(account.sid), "https://app.example/voice", started, response=answer(body))
        assert log.pending == 2  # the third was dropped, and counted
        assert await stored(db, account.sid) == []
        await log.flush()
        assert log.pending == 0
        assert sorted(await stored(db, account.sid)) == [(200, "<one/>", 15), (200, "<two/>", 15)]

    run(db_url, check)


def test_a_body_is_kept_to_4_kb_and_requests_of_no_account_are_not_kept(db_url: str) -> None:
    async def check(db: Database) -> None:
        account = await add_account(db)
        log = EventLog(db, SteppedClock(T0))
        log.record(request(account.sid), "https://app.example/voice", T0, response=answer("x" * 10_000))
        log.record(AppRequest("https://app.example/", "GET"), "https://app.example/", T0)
        assert log.pending == 1
        await log.flush()
        [(_, body, _)] = await stored(db, account.sid)
        assert body == "x" * 4096

    run(db_url, check)


def test_events_older_than_30_days_are_forgotten(db_url: str) -> None:
    async def check(db: Database) -> None:
        account = await add_account(db)
        clock = SteppedClock(T0)
        log = EventLog(db, clock)
        log.record(request(account.sid), "https://app.example/voice", T0, response=answer())
        await log.flush()  # the first flush also prunes: nothing is old yet
        assert len(await stored(db, account.sid)) == 1
        clock.moment = T0 + EVENT_RETENTION - timedelta(minutes=1)
        await log.flush()
        assert len(await stored(db, account.sid)) == 1  # 30 days are not over yet
        clock.moment = T0 + EVENT_RETENTION + timedelta(hours=1)
        await log.flush()
        assert await stored(db, account.sid) == []

    run(db_url, check)


def test_what_no_store_can_hold_is_replaced_and_a_refused_batch_does_not_block_the_next(db_url: str) -> None:
    async def check(db: Database) -> None:
        account = await add_account(db)
        log = EventLog(db, SteppedClock(T0))
        # PostgreSQL refuses NUL in text; an app may well answer with one.
        log.record(request(account.sid), "https://app.example/voice", T0, response=answer("<R>\0</R>"))
        await log.flush()
        assert await stored(db, account.sid) == [(200, "<R>\ufffd</R>", 0)]
        # An event of an account that does not exist breaks the batch's foreign key.
        log.record(request("AC" + "0" * 32), "https://app.example/voice", T0, response=answer())
        with pytest.raises(Exception):  # noqa: B017, PT011 (the driver's own integrity error)
            await log.flush()
        log.record(request(account.sid), "https://app.example/voice", T0, response=answer("<next/>"))
        await log.flush()
        assert len(await stored(db, account.sid)) == 2

    run(db_url, check)
