"""ConferenceRepo and ParticipantRepo, and the accounts' dual-channel conference recording setting,
on a real migrated database (SQLite, and PostgreSQL where marked)."""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError

from phonograph.core import PhonographError, is_sid, new_sid
from phonograph.store import (
    AccountRepo,
    Conference,
    ConferenceFilters,
    ConferenceRepo,
    Database,
    DuplicateLabel,
    PageSpec,
    Participant,
    ParticipantFilters,
    ParticipantRepo,
)
from phonograph.store.models import ParticipantRow
from tests.support.store import T0, add_account, run

DAY = timedelta(days=1)


def conference(account_sid: str, created: datetime = T0, **values: Any) -> Conference:
    made = Conference(
        sid=new_sid("CF"),
        account_sid=account_sid,
        friendly_name="standup",
        status="init",
        region="us1",
        reason_conference_ended=None,
        call_sid_ending_conference=None,
        status_callback="https://app.example/conference",
        status_callback_method="POST",
        status_callback_events=["start", "end", "join", "leave"],
        callback_sequence=0,
        date_created=created,
        date_updated=created,
    )
    return replace(made, **values)


def participant(room: Conference, created: datetime = T0, **values: Any) -> Participant:
    made = Participant(
        call_sid=new_sid("CA"),
        conference_sid=room.sid,
        account_sid=room.account_sid,
        label=None,
        status="connected",
        muted=False,
        hold=False,
        coaching=False,
        call_sid_to_coach=None,
        start_conference_on_enter=True,
        end_conference_on_exit=False,
        date_created=created,
        date_updated=created,
    )
    return replace(made, **values)


async def store(db: Database, *conferences: Conference) -> None:
    async with db.transaction() as session:
        repo = ConferenceRepo(session)
        for made in conferences:
            assert await repo.create(made) == made


async def seat(db: Database, *participants: Participant) -> None:
    async with db.transaction() as session:
        repo = ParticipantRepo(session)
        for made in participants:
            assert await repo.create(made) == made


# --- conferences ------------------------------------------------------------------------------------


def test_conference_create_get_and_change(db_url: str) -> None:
    async def check(db: Database) -> None:
        account = await add_account(db)
        other = await add_account(db)
        made = conference(account.sid)
        assert is_sid(made.sid, "CF")
        await store(db, made)
        ended_at = T0 + timedelta(minutes=5)
        ender = new_sid("CA")
        async with db.transaction() as session:
            repo = ConferenceRepo(session)
            assert await repo.get(made.sid) == made
            assert await repo.get(new_sid("CF")) is None
            assert await repo.get_for_account(account.sid, made.sid) == made
            assert await repo.get_for_account(other.sid, made.sid) is None
            changed = await repo.change(
                made.sid,
                ended_at,
                status="completed",
                reason_conference_ended="participant-with-end-conference-on-exit-left",
                call_sid_ending_conference=ender,
            )
        expected = replace(
            made,
            status="completed",
            reason_conference_ended="participant-with-end-conference-on-exit-left",
            call_sid_ending_conference=ender,
            date_updated=ended_at,
        )
        assert changed == expected
        async with db.transaction() as session:
            assert await ConferenceRepo(session).get(made.sid) == expected

    run(db_url, check)


def test_live_by_name_ignores_completed_and_other_accounts(db_url: str) -> None:
    async def check(db: Database) -> None:
        account = await add_account(db)
        other = await add_account(db)
        ended = conference(account.sid, T0 - DAY, status="completed")
        live = conference(account.sid, T0, status="in-progress")
        elsewhere = conference(other.sid, T0 + DAY)
        renamed = conference(account.sid, T0 + DAY, friendly_name="retro")
        await store(db, ended, live, elsewhere, renamed)
        async with db.transaction() as session:
            repo = ConferenceRepo(session)
            assert await repo.live_by_name(account.sid, "standup") == live
            assert await repo.live_by_name(other.sid, "standup") == elsewhere
            assert await repo.live_by_name(account.sid, "retro") == renamed
            assert await repo.live_by_name(account.sid, "Standup") is None
            await repo.change(live.sid, T0 + DAY, status="completed")
            # Once the room ended its name is free: <Conference>standup</Conference> opens a new one.
            assert await repo.live_by_name(account.sid, "standup") is None

    run(db_url, check)


def test_take_sequence_number_counts_from_one(db_url: str) -> None:
    async def check(db: Database) -> None:
        account = await add_account(db)
        made, other = conference(account.sid), conference(account.sid)
        await store(db, made, other)
        async with db.transaction() as session:
            repo = ConferenceRepo(session)
            assert [await repo.take_sequence_number(made.sid) for _ in range(3)] == [1, 2, 3]
            assert await repo.take_sequence_number(other.sid) == 1
        async with db.transaction() as session:
            repo = ConferenceRepo(session)
            stored = await repo.get(made.sid)
            assert stored is not None
            assert (stored.callback_sequence, stored.date_updated) == (3, T0)
            assert await repo.take_sequence_number(made.sid) == 4

    run(db_url, check)


def test_conference_list_filters(db_url: str) -> None:
    async def check(db: Database) -> None:
        account = await add_account(db)
        other = await add_account(db)
        old = conference(account.sid, T0 - DAY, status="completed", date_updated=T0 - DAY)
        today = conference(
            account.sid, T0, friendly_name="retro", status="in-progress", date_updated=T0 + DAY
        )
        tomorrow = conference(account.sid, T0 + DAY)
        elsewhere = conference(other.sid, T0)
        await store(db, old, today, tomorrow, elsewhere)

        async def listed(filters: ConferenceFilters) -> list[Conference]:
            async with db.transaction() as session:
                return (
                    await ConferenceRepo(session).list_page(account.sid, filters, PageSpec(limit=50))
                ).items

        assert await listed(ConferenceFilters()) == [tomorrow, today, old]
        assert await listed(ConferenceFilters(friendly_name="standup")) == [tomorrow, old]
        assert await listed(ConferenceFilters(friendly_name="stand")) == []
        assert await listed(ConferenceFilters(status="in-progress")) == [today]
        assert await listed(ConferenceFilters(status="completed")) == [old]
        assert await listed(ConferenceFilters(status="init", friendly_name="retro")) == []
        assert await listed(ConferenceFilters(date_created_on_or_after=T0)) == [tomorrow, today]
        assert await listed(ConferenceFilters(date_created_before=T0)) == [old]
        midnight = T0.replace(hour=0)
        on_the_day = ConferenceFilters(date_created_on_or_after=midnight, date_created_before=midnight + DAY)
        assert await listed(on_the_day) == [today]
        assert await listed(ConferenceFilters(date_updated_on_or_after=T0 + DAY)) == [tomorrow, today]
        assert await listed(ConferenceFilters(date_updated_before=T0)) == [old]
        updated_on_the_day = ConferenceFilters(
            date_updated_on_or_after=midnight + DAY, date_updated_before=midnight + 2 * DAY
        )
        assert await listed(updated_on_the_day) == [tomorrow, today]

    run(db_url, check)


def test_conference_list_pages_newest_first(db_url: str) -> None:
    async def check(db: Database) -> None:
        account = await add_account(db)
        made = [conference(account.sid, T0 + timedelta(seconds=n)) for n in range(5)]
        await store(db, *made)
        newest_first = sorted(made, key=lambda c: (c.date_created, c.sid), reverse=True)
        async with db.transaction() as session:
            repo = ConferenceRepo(session)
            filters = ConferenceFilters()
            first = await repo.list_page(account.sid, filters, PageSpec(limit=2))
            assert (first.items, first.has_next) == (newest_first[:2], True)
            second = await repo.list_page(account.sid, filters, PageSpec(limit=2, cursor=first.last_key))
            assert second.items == newest_first[2:4]
            last = await repo.list_page(account.sid, filters, PageSpec(limit=2, cursor=second.last_key))
            assert (last.items, last.has_next) == (newest_first[4:], False)
            back = await repo.list_page(account.sid, filters, PageSpec(limit=2, cursor=second.first_key))
            assert back.items == first.items

    run(db_url, check)


# --- participants -----------------------------------------------------------------------------------


def test_participant_create_and_get_by_sid_or_label(db_url: str) -> None:
    async def check(db: Database) -> None:
        account = await add_account(db)
        room, next_door = conference(account.sid), conference(account.sid, friendly_name="retro")
        await store(db, room, next_door)
        alice = participant(room, label="alice")
        bob = participant(room, T0 + timedelta(seconds=1))
        # A label may look like anything but a call SID, even another SID.
        odd = participant(next_door, label="CA-not-a-sid")
        await seat(db, alice, bob, odd)
        async with db.transaction() as session:
            repo = ParticipantRepo(session)
            assert await repo.get(room.sid, alice.call_sid) == alice
            assert await repo.get(room.sid, "alice") == alice
            assert await repo.get(room.sid, bob.call_sid) == bob
            assert await repo.get(next_door.sid, "CA-not-a-sid") == odd
            # Scoped to the conference: the same call SID or label elsewhere is not found.
            assert await repo.get(next_door.sid, alice.call_sid) is None
            assert await repo.get(next_door.sid, "alice") is None
            assert await repo.get(room.sid, new_sid("CA")) is None
            assert await repo.get(room.sid, "ALICE") is None

    run(db_url, check)


def test_duplicate_label_is_16025(db_url: str) -> None:
    async def check(db: Database) -> None:
        account = await add_account(db)
        room, next_door = conference(account.sid), conference(account.sid, friendly_name="retro")
        await store(db, room, next_door)
        alice = participant(room, label="alice")
        await seat(db, alice, participant(room), participant(room))
        # The same label in another conference is fine; no label never collides.
        await seat(db, participant(next_door, label="alice"))
        with pytest.raises(DuplicateLabel) as raised:
            await seat(db, participant(room, label="alice"))
        error = raised.value
        assert isinstance(error, PhonographError)
        assert (error.code, error.status) == (16025, 400)
        assert error.message == f"Participant label 'alice' is already used in conference {room.sid}"
        async with db.transaction() as session:
            assert len(await ParticipantRepo(session).for_conference(room.sid)) == 3

    run(db_url, check)


def test_duplicate_label_caught_by_the_constraint(db_url: str) -> None:
    """A label taken between the check and the insert: the unique constraint answers 16025."""

    async def check(db: Database) -> None:
        account = await add_account(db)
        room = conference(account.sid)
        await store(db, room)
        first = participant(room, label="alice")

        async def race() -> None:
            async with db.transaction() as session:
                # The other request's row, not yet flushed when this one checks.
                with session.no_autoflush:
                    session.add(ParticipantRow(**asdict(first)))
                    await ParticipantRepo(session).create(participant(room, label="alice"))

        with pytest.raises(DuplicateLabel, match="'alice'") as raised:
            await race()
        assert isinstance(raised.value.__cause__, IntegrityError)
        async with db.transaction() as session:
            assert await ParticipantRepo(session).for_conference(room.sid) == []

    run(db_url, check)


def test_participant_change_and_delete(db_url: str) -> None:
    async def check(db: Database) -> None:
        account = await add_account(db)
        room = conference(account.sid)
        await store(db, room)
        alice = participant(room, label="alice", status="queued")
        bob = participant(room, label="bob")
        await seat(db, alice, bob)
        later = T0 + timedelta(seconds=30)
        async with db.transaction() as session:
            repo = ParticipantRepo(session)
            changed = await repo.change(
                alice.call_sid,
                later,
                status="connected",
                muted=True,
                hold=True,
                call_sid_to_coach=bob.call_sid,
            )
            expected = replace(
                alice,
                status="connected",
                muted=True,
                hold=True,
                call_sid_to_coach=bob.call_sid,
                date_updated=later,
            )
            assert changed == expected
            # Its own label again is no duplicate; another's is.
            assert await repo.change(alice.call_sid, later, label="alice") == expected
            with pytest.raises(DuplicateLabel, match="'bob'"):
                await repo.change(alice.call_sid, later, label="bob")
        async with db.transaction() as session:
            repo = ParticipantRepo(session)
            assert await repo.get(room.sid, "alice") == expected
            await repo.delete(alice.call_sid)
            await repo.delete(alice.call_sid)  # gone already: nothing to do
            assert await repo.get(room.sid, alice.call_sid) is None
            assert await repo.for_conference(room.sid) == [bob]
        # A deleted participant's label is free again.
        await seat(db, participant(room, label="alice"))

    run(db_url, check)


def test_for_conference_and_delete_for_conference(db_url: str) -> None:
    async def check(db: Database) -> None:
        account = await add_account(db)
        room, next_door = conference(account.sid), conference(account.sid, friendly_name="retro")
        await store(db, room, next_door)
        late = participant(room, T0 + timedelta(seconds=9))
        early = participant(room, T0)
        middle = participant(room, T0 + timedelta(seconds=4), label="middle")
        neighbour = participant(next_door, T0)
        await seat(db, late, early, middle, neighbour)
        async with db.transaction() as session:
            repo = ParticipantRepo(session)
            assert await repo.for_conference(room.sid) == [early, middle, late]
            await repo.delete_for_conference(room.sid)
            assert await repo.for_conference(room.sid) == []
            assert await repo.for_conference(next_door.sid) == [neighbour]
            assert await repo.get(room.sid, "middle") is None

    run(db_url, check)


def test_participant_list_filters_and_pages(db_url: str) -> None:
    async def check(db: Database) -> None:
        account = await add_account(db)
        room, next_door = conference(account.sid), conference(account.sid, friendly_name="retro")
        await store(db, room, next_door)
        plain = participant(room, T0)
        muted = participant(room, T0 + timedelta(seconds=1), muted=True)
        held = participant(room, T0 + timedelta(seconds=2), hold=True, muted=True)
        coach = participant(room, T0 + timedelta(seconds=3), coaching=True, call_sid_to_coach=plain.call_sid)
        await seat(db, plain, muted, held, coach, participant(next_door, T0))

        async def listed(filters: ParticipantFilters, limit: int = 50) -> list[Participant]:
            async with db.transaction() as session:
                return (
                    await ParticipantRepo(session).list_page(room.sid, filters, PageSpec(limit=limit))
                ).items

        # Newest first, as every list pages (store/paging.py).
        assert await listed(ParticipantFilters()) == [coach, held, muted, plain]
        assert await listed(ParticipantFilters(muted=True)) == [held, muted]
        assert await listed(ParticipantFilters(muted=False)) == [coach, plain]
        assert await listed(ParticipantFilters(hold=True)) == [held]
        assert await listed(ParticipantFilters(coaching=True)) == [coach]
        assert await listed(ParticipantFilters(muted=True, hold=False)) == [muted]
        assert await listed(ParticipantFilters(coaching=True, muted=True)) == []
        async with db.transaction() as session:
            repo = ParticipantRepo(session)
            first = await repo.list_page(room.sid, ParticipantFilters(), PageSpec(limit=3))
            assert (first.items, first.has_next) == ([coach, held, muted], True)
            rest = await repo.list_page(
                room.sid, ParticipantFilters(), PageSpec(limit=3, cursor=first.last_key)
            )
            assert (rest.items, rest.has_next) == ([plain], False)

    run(db_url, check)


# --- the account setting ----------------------------------------------------------------------------


def test_dual_channel_conference_recording_setting(db_url: str) -> None:
    async def check(db: Database) -> None:
        account = await add_account(db)
        assert account.dual_channel_conference_recording is False
        later = T0 + timedelta(hours=1)
        async with db.transaction() as session:
            accounts = AccountRepo(session)
            dual = await accounts.change_media_settings(
                account.sid, later, dual_channel_conference_recording=True
            )
            assert dual == replace(account, dual_channel_conference_recording=True, date_updated=later)
            # None keeps it; the other settings leave it alone.
            assert await accounts.change_media_settings(account.sid, later) == dual
            hipaa = await accounts.change_media_settings(account.sid, later, hipaa=True)
            assert (hipaa.hipaa, hipaa.dual_channel_conference_recording) == (True, True)
            mono = await accounts.change_media_settings(
                account.sid, later, dual_channel_conference_recording=False
            )
            assert (mono.hipaa, mono.dual_channel_conference_recording) == (True, False)
        async with db.transaction() as session:
            assert await AccountRepo(session).get(account.sid) == mono

    run(db_url, check)
