"""RecordingRepo, and the accounts' media settings, on a real migrated database (SQLite, and
PostgreSQL where marked)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest

from phonograph.core import InvalidParameter, is_sid, new_sid
from phonograph.store import (
    AccountRepo,
    Database,
    PageSpec,
    Recording,
    RecordingFilters,
    RecordingRepo,
)
from tests.support.store import T0, add_account, run


def recording(account_sid: str, created: datetime = T0, **values: Any) -> Recording:
    made = Recording(
        sid=new_sid("RE"),
        account_sid=account_sid,
        call_sid=new_sid("CA"),
        conference_sid=None,
        source="StartCallRecordingAPI",
        status="in-progress",
        channels=2,
        track="both",
        trim="do-not-trim",
        start_time=created,
        duration_s=None,
        error_code=None,
        status_callback="https://app.example/recording",
        status_callback_method="POST",
        status_callback_events=["in-progress", "completed"],
        configuration_id=None,
        name=None,
        media_key=None,
        date_created=created,
        date_updated=created,
    )
    return replace(made, **values)


async def store(db: Database, *recordings: Recording) -> None:
    async with db.transaction() as session:
        repo = RecordingRepo(session)
        for made in recordings:
            assert await repo.create(made) == made


def test_create_get_and_change(db_url: str) -> None:
    async def check(db: Database) -> None:
        account = await add_account(db)
        other = await add_account(db)
        made = recording(account.sid, name="first", configuration_id="recording_configuration_01abc")
        assert is_sid(made.sid, "RE")
        await store(db, made)
        done_at = T0 + timedelta(seconds=30)
        async with db.transaction() as session:
            repo = RecordingRepo(session)
            assert await repo.get(made.sid) == made
            assert await repo.get(new_sid("RE")) is None
            assert await repo.get_for_account(account.sid, made.sid) == made
            assert await repo.get_for_account(other.sid, made.sid) is None
            changed = await repo.change(
                made.sid,
                done_at,
                status="completed",
                duration_s=30,
                media_key=f"{account.sid}/{made.sid}.wav",
            )
        expected = replace(
            made,
            status="completed",
            duration_s=30,
            media_key=f"{account.sid}/{made.sid}.wav",
            date_updated=done_at,
        )
        assert changed == expected
        async with db.transaction() as session:
            assert await RecordingRepo(session).get(made.sid) == expected

    run(db_url, check)


def test_deleted_recordings_are_hidden_unless_asked_for(db_url: str) -> None:
    async def check(db: Database) -> None:
        account = await add_account(db)
        made = recording(account.sid, status="deleted", media_key=None)
        await store(db, made)
        async with db.transaction() as session:
            repo = RecordingRepo(session)
            assert await repo.get_for_account(account.sid, made.sid) is None
            assert await repo.get_for_account(account.sid, made.sid, include_deleted=True) == made
            assert await repo.get(made.sid) == made
            assert (await repo.list_page(account.sid, RecordingFilters(), PageSpec(limit=10))).items == []
            shown = await repo.list_page(
                account.sid, RecordingFilters(include_deleted=True), PageSpec(limit=10)
            )
            assert shown.items == [made]

    run(db_url, check)


def test_list_filters(db_url: str) -> None:
    async def check(db: Database) -> None:
        account = await add_account(db)
        other = await add_account(db)
        call_sid, conference_sid = new_sid("CA"), new_sid("CF")
        day = timedelta(days=1)
        old = recording(account.sid, T0 - day, call_sid=call_sid)
        today = recording(account.sid, T0, call_sid=call_sid, status="completed")
        conference = recording(account.sid, T0 + day, call_sid=None, conference_sid=conference_sid)
        deleted = recording(account.sid, T0 + day, call_sid=call_sid, status="deleted")
        elsewhere = recording(other.sid, T0, call_sid=call_sid)
        await store(db, old, today, conference, deleted, elsewhere)

        async def listed(filters: RecordingFilters) -> list[Recording]:
            async with db.transaction() as session:
                return (
                    await RecordingRepo(session).list_page(account.sid, filters, PageSpec(limit=50))
                ).items

        assert await listed(RecordingFilters()) == [conference, today, old]
        assert await listed(RecordingFilters(call_sid=call_sid)) == [today, old]
        assert await listed(RecordingFilters(call_sid=call_sid, include_deleted=True)) == [
            deleted,
            today,
            old,
        ]
        assert await listed(RecordingFilters(conference_sid=conference_sid)) == [conference]
        assert await listed(RecordingFilters(date_created_on_or_after=T0)) == [conference, today]
        assert await listed(RecordingFilters(date_created_before=T0)) == [old]
        # DateCreated=YYYY-MM-DD is the day [T0's midnight, next midnight).
        midnight = T0.replace(hour=0)
        on_the_day = RecordingFilters(date_created_on_or_after=midnight, date_created_before=midnight + day)
        assert await listed(on_the_day) == [today]
        assert await listed(RecordingFilters(call_sid=new_sid("CA"))) == []

    run(db_url, check)


def test_list_pages_newest_first_with_keyset_cursors(db_url: str) -> None:
    async def check(db: Database) -> None:
        account = await add_account(db)
        # Two share a date_created: the sid breaks the tie, as for every other list.
        made = [recording(account.sid, T0 + timedelta(seconds=n)) for n in range(5)]
        made.append(recording(account.sid, T0 + timedelta(seconds=2)))
        await store(db, *made)
        newest_first = sorted(made, key=lambda r: (r.date_created, r.sid), reverse=True)
        async with db.transaction() as session:
            repo = RecordingRepo(session)
            filters = RecordingFilters()
            pages, spec = [], PageSpec(limit=2)
            while True:
                page = await repo.list_page(account.sid, filters, spec)
                pages.append(page.items)
                if not page.has_next:
                    break
                spec = PageSpec(limit=2, cursor=page.last_key)
            assert pages == [newest_first[0:2], newest_first[2:4], newest_first[4:6]]
            # A recording made while paging does not shift the pages behind the cursor.
            await repo.create(recording(account.sid, T0 + timedelta(minutes=5)))
            first_page = await repo.list_page(account.sid, filters, PageSpec(limit=2, offset=0))
            after_first = await repo.list_page(
                account.sid, filters, PageSpec(limit=2, cursor=first_page.last_key)
            )
            assert after_first.items == newest_first[1:3]
            back = await repo.list_page(account.sid, filters, PageSpec(limit=2, cursor=after_first.first_key))
            assert back.items == first_page.items
            assert back.has_next
            by_offset = await repo.list_page(account.sid, filters, PageSpec(limit=2, offset=2))
            assert by_offset.items == newest_first[1:3]

    run(db_url, check)


def test_accounts_enforce_media_auth_by_default(db_url: str) -> None:
    async def check(db: Database) -> None:
        main = await add_account(db)
        sub = await add_account(db, owner=main.sid)
        for account in (main, sub):
            assert (account.enforce_media_auth, account.hipaa) == (True, False)
        async with db.transaction() as session:
            stored = await AccountRepo(session).get(main.sid)
        assert stored == main

    run(db_url, check)


def test_media_settings_change_and_none_keeps(db_url: str) -> None:
    async def check(db: Database) -> None:
        main = await add_account(db)
        sub = await add_account(db, owner=main.sid)
        later = T0 + timedelta(hours=1)
        async with db.transaction() as session:
            accounts = AccountRepo(session)
            opened = await accounts.change_media_settings(main.sid, later, enforce_media_auth=False)
            assert (opened.enforce_media_auth, opened.hipaa, opened.date_updated) == (False, False, later)
            assert await accounts.change_media_settings(main.sid, later) == opened
            # A subaccount has its own settings: nothing is inherited.
            assert await accounts.get(sub.sid) == sub
            closed = await accounts.change_media_settings(main.sid, later, enforce_media_auth=True)
            assert (closed.enforce_media_auth, closed.hipaa) == (True, False)
        async with db.transaction() as session:
            assert await AccountRepo(session).get(main.sid) == closed

    run(db_url, check)


def test_hipaa_keeps_media_auth_on(db_url: str) -> None:
    async def check(db: Database) -> None:
        account = await add_account(db)
        later = T0 + timedelta(hours=1)
        async with db.transaction() as session:
            accounts = AccountRepo(session)
            await accounts.change_media_settings(account.sid, later, enforce_media_auth=False)
            # Turning HIPAA on turns media auth back on.
            hipaa = await accounts.change_media_settings(account.sid, later, hipaa=True)
            assert (hipaa.enforce_media_auth, hipaa.hipaa) == (True, True)
            with pytest.raises(InvalidParameter, match="HIPAA account must keep HTTP authentication"):
                await accounts.change_media_settings(account.sid, later, enforce_media_auth=False)
            assert await accounts.change_media_settings(account.sid, later, enforce_media_auth=True) == hipaa
            # HIPAA off first, then media auth may be opened.
            plain = await accounts.change_media_settings(account.sid, later, hipaa=False)
            assert (plain.enforce_media_auth, plain.hipaa) == (True, False)
            opened = await accounts.change_media_settings(account.sid, later, enforce_media_auth=False)
            assert (opened.enforce_media_auth, opened.hipaa) == (False, False)
            # Both in one call: HIPAA on with media auth off is refused, and nothing changes.
            with pytest.raises(InvalidParameter, match="enforce_media_auth"):
                await accounts.change_media_settings(account.sid, later, enforce_media_auth=False, hipaa=True)
            assert await accounts.get(account.sid) == opened
            both_off = await accounts.change_media_settings(
                account.sid, later, enforce_media_auth=False, hipaa=False
            )
            assert both_off == opened

    run(db_url, check)
