"""TranscriptionRepo (rows, lists, the job queue), the accounts' PCI mode, and revisions 0005 and 0006, on a
real migrated database (SQLite, and PostgreSQL where marked)."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, inspect, text
from sqlalchemy.ext.asyncio import AsyncConnection

from phonograph.core import Conflict, Forbidden, InvalidParameter, new_sid, new_typeid
from phonograph.store import (
    AccountRepo,
    Database,
    PageSpec,
    RecordingRepo,
    Transcription,
    TranscriptionFilters,
    TranscriptionRepo,
)
from phonograph.store.db import MIGRATIONS_DIR
from tests.support.postgres import PostgresServer
from tests.support.store import T0, add_account, run

LEASE = timedelta(minutes=5)


def legacy(account_sid: str, created: datetime = T0, **values: Any) -> Transcription:
    made = Transcription(
        sid=new_sid("TR"),
        kind="legacy",
        origin="record-verb",
        account_sid=account_sid,
        recording_sid=new_sid("RE"),
        call_sid=new_sid("CA"),
        status="queued",
        callback_url="https://app.example/transcribed",
        date_created=created,
        date_updated=created,
    )
    return replace(made, **values)


def batch(account_sid: str, created: datetime = T0, **values: Any) -> Transcription:
    made = Transcription(
        sid=new_typeid("voice_transcription"),
        kind="batch",
        origin="api",
        account_sid=account_sid,
        recording_sid=new_sid("RE"),
        status="queued",
        configuration_id=new_typeid("voice_transcriptionconfiguration"),
        date_created=created,
        date_updated=created,
    )
    return replace(made, **values)


async def store(db: Database, *transcriptions: Transcription) -> None:
    async with db.transaction() as session:
        repo = TranscriptionRepo(session)
        for made in transcriptions:
            assert await repo.create(made) == made


def test_create_get_change_and_delete(db_url: str) -> None:
    async def check(db: Database) -> None:
        account, other = await add_account(db), await add_account(db)
        participants = [{"type": "CUSTOMER", "address": None, "name": "Ada", "audioChannelIndex": 1}]
        sentences = [
            {
                "index": 0,
                "channel": 1,
                "participant": participants[0],
                "text": "hello there",
                "startTime": 0.0,
                "endTime": 1.25,
                "confidence": 0.9,
            }
        ]
        full = batch(
            account.sid,
            origin="api",
            resolved_configuration={"configurationType": "Transcription", "language": "en-US"},
            participants=participants,
            language="en-US",
            idempotency_key="key-1",
            request_body={"sourceId": "RE1", "transcriptionConfigurationId": "x"},
        )
        bare = legacy(account.sid, callback_url=None, recording_sid=None, call_sid=None)
        await store(db, full, bare)
        # Defaults of the record: nothing run yet.
        assert (bare.progress, bare.attempts, bare.participants, bare.callback_method) == (0.0, 0, [], "POST")
        assert (bare.text, bare.sentences, bare.resolved_configuration, bare.request_body) == (
            None,
            None,
            None,
            None,
        )
        done_at = T0 + timedelta(seconds=30)
        async with db.transaction() as session:
            repo = TranscriptionRepo(session)
            assert await repo.get(full.sid) == full
            assert await repo.get(bare.sid) == bare
            assert await repo.get(new_sid("TR")) is None
            assert await repo.get_for_account(account.sid, full.sid) == full
            assert await repo.get_for_account(other.sid, full.sid) is None
            assert await repo.get_for_account(account.sid, new_sid("TR")) is None
            changed = await repo.change(
                full.sid,
                done_at,
                status="completed",
                progress=1.0,
                duration_s=3,
                text="hello there",
                sentences=sentences,
                lease_until=None,
            )
        expected = replace(
            full,
            status="completed",
            progress=1.0,
            duration_s=3,
            text="hello there",
            sentences=sentences,
            date_updated=done_at,
        )
        assert changed == expected
        async with db.transaction() as session:
            repo = TranscriptionRepo(session)
            assert await repo.get(full.sid) == expected
            await repo.delete(full.sid)
            await repo.delete(new_sid("TR"))  # nothing to delete: no error
        async with db.transaction() as session:
            repo = TranscriptionRepo(session)
            assert await repo.get(full.sid) is None
            assert await repo.get(bare.sid) == bare

    run(db_url, check)


def test_none_is_stored_as_sql_null(db_url: str) -> None:
    async def check(db: Database) -> None:
        account = await add_account(db)
        made = legacy(account.sid)
        await store(db, made)
        async with db.engine.connect() as connection:
            row = (
                await connection.execute(
                    text(
                        "SELECT resolved_configuration IS NULL, request_body IS NULL, sentences IS NULL"
                        " FROM transcriptions"
                    )
                )
            ).one()
        assert [bool(value) for value in row] == [True, True, True]

    run(db_url, check)


def test_idempotency_keys_are_per_account(db_url: str) -> None:
    async def check(db: Database) -> None:
        account, other = await add_account(db), await add_account(db)
        first = batch(account.sid, idempotency_key="same")
        elsewhere = batch(other.sid, idempotency_key="same")
        # Rows without a key never clash with each other.
        await store(db, first, elsewhere, batch(account.sid), batch(account.sid))
        async with db.transaction() as session:
            repo = TranscriptionRepo(session)
            assert await repo.find_by_idempotency_key(account.sid, "same") == first
            assert await repo.find_by_idempotency_key(other.sid, "same") == elsewhere
            assert await repo.find_by_idempotency_key(account.sid, "other") is None
        # A second row with the key (a request that raced the first one's lookup) is refused.
        with pytest.raises(Conflict, match="Idempotency-Key 'same'"):
            async with db.transaction() as session:
                await TranscriptionRepo(session).create(batch(account.sid, idempotency_key="same"))
        async with db.transaction() as session:
            assert await TranscriptionRepo(session).count_unfinished(account.sid) == 3

    run(db_url, check)


def test_page_filters(db_url: str) -> None:
    async def check(db: Database) -> None:
        account, other = await add_account(db), await add_account(db)
        recording_sid = new_sid("RE")
        day = timedelta(days=1)
        old = legacy(account.sid, T0 - day, recording_sid=recording_sid, status="completed")
        today = batch(account.sid, T0, recording_sid=recording_sid, language="en-US")
        running = batch(account.sid, T0 + timedelta(hours=1), status="in-progress", language="es-ES")
        tomorrow = legacy(account.sid, T0 + day, status="failed")
        elsewhere = batch(other.sid, T0, recording_sid=recording_sid, language="en-US")
        await store(db, old, today, running, tomorrow, elsewhere)

        async def listed(**filters: Any) -> list[Transcription]:
            async with db.transaction() as session:
                repo = TranscriptionRepo(session)
                page = await repo.page(TranscriptionFilters(account.sid, **filters), PageSpec(limit=50))
            return page.items

        assert await listed() == [tomorrow, running, today, old]
        assert await listed(kind="legacy") == [tomorrow, old]
        assert await listed(kind="batch") == [running, today]
        assert await listed(recording_sid=recording_sid) == [today, old]
        assert await listed(recording_sid=new_sid("RE")) == []
        assert await listed(status="in-progress") == [running]
        assert await listed(status="queued") == [today]
        assert await listed(language="en-US") == [today]
        # Exact: the v3 languageCode filter is case-sensitive
        # (twilio.com/docs/configurations/batch-transcription-quickstart).
        assert await listed(language="EN-us") == []
        assert await listed(language="fr-FR") == []
        # createdAfter is inclusive, createdBefore exclusive.
        assert await listed(created_after=T0) == [tomorrow, running, today]
        assert await listed(created_before=T0) == [old]
        assert await listed(created_after=T0, created_before=T0 + day) == [running, today]
        assert await listed(kind="batch", language="en-US", created_after=T0, created_before=T0 + day) == [
            today
        ]
        async with db.transaction() as session:
            theirs = await TranscriptionRepo(session).page(
                TranscriptionFilters(other.sid), PageSpec(limit=50)
            )
        assert theirs.items == [elsewhere]

    run(db_url, check)


def test_pages_newest_first_with_keyset_cursors(db_url: str) -> None:
    async def check(db: Database) -> None:
        account = await add_account(db)
        made = [legacy(account.sid, T0 + timedelta(seconds=n)) for n in range(5)]
        # Two share a date_created: the sid breaks the tie.
        made.append(batch(account.sid, T0 + timedelta(seconds=2)))
        await store(db, *made)
        newest_first = sorted(made, key=lambda t: (t.date_created, t.sid), reverse=True)
        filters = TranscriptionFilters(account.sid)
        async with db.transaction() as session:
            repo = TranscriptionRepo(session)
            pages, spec = [], PageSpec(limit=2)
            while True:
                page = await repo.page(filters, spec)
                pages.append(page.items)
                if not page.has_next:
                    break
                spec = PageSpec(limit=2, cursor=page.last_key)
            assert pages == [newest_first[0:2], newest_first[2:4], newest_first[4:6]]
            first = await repo.page(filters, PageSpec(limit=2))
            second = await repo.page(filters, PageSpec(limit=2, cursor=first.last_key))
            assert second.items == newest_first[2:4]
            back = await repo.page(filters, PageSpec(limit=2, cursor=second.first_key))
            assert back.items == newest_first[0:2]
            assert (await repo.page(filters, PageSpec(limit=2, offset=3))).items == newest_first[3:5]

    run(db_url, check)


def test_claim_takes_the_oldest_due_job_once(db_url: str) -> None:
    async def check(db: Database) -> None:
        account, other = await add_account(db), await add_account(db)
        now = T0 + timedelta(hours=1)
        second = batch(account.sid, T0 + timedelta(seconds=2))
        first = legacy(other.sid, T0 + timedelta(seconds=1))
        done = legacy(account.sid, T0, status="completed")
        failed = batch(account.sid, T0, status="failed")
        held = batch(
            account.sid, T0, status="in-progress", attempts=1, lease_until=now + timedelta(seconds=1)
        )
        await store(db, second, first, done, failed, held)

        async def claim(at: datetime = now) -> Transcription | None:
            async with db.transaction() as session:
                return await TranscriptionRepo(session).claim_next(at, at + LEASE)

        # Every account's jobs, oldest first; finished and leased ones are never due.
        claimed = await claim()
        assert claimed == replace(
            first, status="in-progress", attempts=1, lease_until=now + LEASE, date_updated=now
        )
        assert await claim() == replace(
            second, status="in-progress", attempts=1, lease_until=now + LEASE, date_updated=now
        )
        assert await claim() is None
        async with db.transaction() as session:
            repo = TranscriptionRepo(session)
            assert await repo.get(first.sid) == claimed
            assert await repo.count_unfinished() == 3
            assert await repo.count_unfinished(account.sid) == 2
            assert await repo.count_unfinished(other.sid) == 1
        # A lease that ran out (its worker crashed) makes the job due again: oldest first, one more try.
        later = now + LEASE
        assert await claim(later) == replace(held, attempts=2, lease_until=later + LEASE, date_updated=later)
        reclaimed = await claim(later)
        assert reclaimed == replace(claimed, attempts=2, lease_until=later + LEASE, date_updated=later)

    run(db_url, check)


def test_concurrent_claims_never_share_a_job(db_url: str) -> None:
    async def check(db: Database) -> None:
        account = await add_account(db)
        jobs = [batch(account.sid, T0 + timedelta(seconds=n)) for n in range(3)]
        await store(db, *jobs)
        now = T0 + timedelta(hours=1)

        async def claim() -> Transcription | None:
            async with db.transaction() as session:
                return await TranscriptionRepo(session).claim_next(now, now + LEASE)

        claims = await asyncio.gather(*(claim() for _ in range(6)))
        taken = sorted(claimed.sid for claimed in claims if claimed is not None)
        assert taken == sorted(job.sid for job in jobs)
        assert claims.count(None) == 3
        async with db.transaction() as session:
            for job in jobs:
                stored = await TranscriptionRepo(session).get(job.sid)
                assert stored is not None
                assert (stored.status, stored.attempts) == ("in-progress", 1)

    run(db_url, check)


def test_pci_mode_is_a_media_setting(db_url: str) -> None:
    async def check(db: Database) -> None:
        account = await add_account(db)
        assert account.pci_mode is False
        later = T0 + timedelta(hours=1)
        async with db.transaction() as session:
            accounts = AccountRepo(session)
            on = await accounts.change_media_settings(account.sid, later, pci_mode=True)
            assert (on.pci_mode, on.enforce_media_auth, on.hipaa, on.date_updated) == (
                True,
                True,
                False,
                later,
            )
            # None keeps it; other settings leave it alone.
            assert await accounts.change_media_settings(account.sid, later) == on
            assert (await accounts.change_media_settings(account.sid, later, hipaa=True)).pci_mode
            kept = await accounts.change_media_settings(account.sid, later, pci_mode=True)
            assert (kept.pci_mode, kept.hipaa) == (True, True)
            # One-way (https://www.twilio.com/docs/voice/pci-workflows), and the owner's to set.
            with pytest.raises(InvalidParameter, match="cannot be turned off"):
                await accounts.change_media_settings(account.sid, later, pci_mode=False)
        async with db.transaction() as session:
            assert await AccountRepo(session).get(account.sid) == kept
            with pytest.raises(Forbidden):
                await AccountRepo(session).change_media_settings(
                    account.sid, later, hipaa=False, by_owner=False
                )

    run(db_url, check)


CONFERENCES_REVISION = "2026_11_21_0004"
MOMENT = "'2026-01-01 00:00:00'"


def _config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


async def _insert_account_and_recording(connection: AsyncConnection, start_time: str) -> None:
    """Account AC1 and its completed recording RE1, which started at ``start_time`` (SQL), written
    with the columns every revision from the conferences one on has."""
    await connection.execute(
        text(
            "INSERT INTO accounts (sid, owner_account_sid, friendly_name, auth_token, status, type,"
            f" date_created, date_updated) VALUES ('AC1', NULL, 'old', 'token', 'active', 'Full',"
            f" {MOMENT}, {MOMENT})"
        )
    )
    await connection.execute(
        text(
            "INSERT INTO recordings (sid, account_sid, source, status, channels, track, trim,"
            " start_time, status_callback_method, status_callback_events, date_created,"
            f" date_updated) VALUES ('RE1', 'AC1', 'RecordVerb', 'completed', 1, 'inbound',"
            f" 'trim-silence', {start_time}, 'POST', '[]', {MOMENT}, {MOMENT})"
        )
    )


async def _across_transcriptions(url: str) -> tuple[list[Any], set[str], list[Any]]:
    """At the conferences revision with an account and a recording, up to head, and down again."""
    db = Database(url)
    try:
        async with db.engine.begin() as connection:
            await connection.run_sync(lambda sync: command.upgrade(_config(sync), CONFERENCES_REVISION))
            await _insert_account_and_recording(connection, MOMENT)
        async with db.engine.begin() as connection:
            await connection.run_sync(lambda sync: command.upgrade(_config(sync), "head"))
            upgraded = list(
                (
                    await connection.execute(
                        text(
                            "SELECT r.transcribe, r.transcribe_callback, r.transcription_features,"
                            " a.pci_mode FROM recordings r JOIN accounts a ON a.sid = r.account_sid"
                        )
                    )
                ).all()
            )
        async with db.engine.begin() as connection:
            await connection.run_sync(lambda sync: command.downgrade(_config(sync), CONFERENCES_REVISION))
            downgraded = await connection.run_sync(
                lambda sync: (
                    {column["name"] for column in inspect(sync).get_columns("accounts")}
                    | {column["name"] for column in inspect(sync).get_columns("recordings")}
                    | set(inspect(sync).get_table_names())
                )
            )
            kept = list((await connection.execute(text("SELECT sid FROM recordings"))).all())
        return upgraded, downgraded, kept
    finally:
        await db.close()


def _check_transcriptions_revision(url: str) -> None:
    upgraded, downgraded, kept = asyncio.run(_across_transcriptions(url))
    # A recording made before the revision promised no transcription; the account is not PCI.
    [(transcribe, callback, features, pci_mode)] = upgraded
    assert (bool(transcribe), callback, bool(pci_mode)) == (False, None, False)
    assert features in ([], "[]")
    assert not downgraded & {"transcriptions", "transcribe", "transcribe_callback", "pci_mode"}
    assert not downgraded & {"transcription_features"}
    assert {"recordings", "hipaa", "dual_channel_conference_recording"} <= downgraded
    assert [tuple(row) for row in kept] == [("RE1",)]


def test_transcriptions_revision_sqlite(tmp_path: Path) -> None:
    _check_transcriptions_revision(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")


@pytest.mark.postgres
def test_transcriptions_revision_postgresql(postgres: PostgresServer) -> None:
    _check_transcriptions_revision(postgres.create_database(f"transcriptions_{uuid.uuid4().hex[:12]}"))


TRANSCRIPTIONS_REVISION = "2026_11_21_0005"


async def _across_media_url(url: str) -> tuple[list[Any], set[str]]:
    """At the transcriptions revision with a recording and its transcription, up to head (which
    stores the recording's start on the transcription), and down again."""
    db = Database(url)
    try:
        async with db.engine.begin() as connection:
            await connection.run_sync(lambda sync: command.upgrade(_config(sync), TRANSCRIPTIONS_REVISION))
            await _insert_account_and_recording(connection, "'2026-01-01 09:30:00'")
            for sid, recording_sid in (("TR1", "'RE1'"), ("TR2", "NULL")):
                await connection.execute(
                    text(
                        "INSERT INTO transcriptions (sid, kind, origin, account_sid, recording_sid,"
                        " status, participants, callback_method, progress, attempts, date_created,"
                        f" date_updated) VALUES ('{sid}', 'legacy', 'cli', 'AC1', {recording_sid},"
                        f" 'completed', '[]', 'POST', 1.0, 1, {MOMENT}, {MOMENT})"
                    )
                )
        async with db.engine.begin() as connection:
            await connection.run_sync(lambda sync: command.upgrade(_config(sync), "head"))
        async with db.transaction() as session:
            repo = TranscriptionRepo(session)
            upgraded: list[Any] = [await repo.get("TR1"), await repo.get("TR2")]
            upgraded.append(await RecordingRepo(session).get("RE1"))
        async with db.engine.begin() as connection:
            await connection.run_sync(lambda sync: command.downgrade(_config(sync), TRANSCRIPTIONS_REVISION))
            downgraded = await connection.run_sync(
                lambda sync: (
                    {column["name"] for column in inspect(sync).get_columns("transcriptions")}
                    | {column["name"] for column in inspect(sync).get_columns("recordings")}
                )
            )
        return upgraded, downgraded
    finally:
        await db.close()


def _check_media_url_revision(url: str) -> None:
    [transcribed, unrelated, recording], downgraded = asyncio.run(_across_media_url(url))
    # A recording's transcription starts when the recording did; the rest have no start, no URL.
    assert transcribed.audio_started_at == datetime(2026, 1, 1, 9, 30, tzinfo=UTC)
    assert (transcribed.media_url, unrelated.media_url, unrelated.audio_started_at) == (None, None, None)
    # Recordings made before the revision are not known to be PCI ones.
    assert recording.pci_mode is False
    assert not downgraded & {"media_url", "audio_started_at", "pci_mode"}
    assert {"recording_sid", "transcribe"} <= downgraded


def test_media_url_revision_sqlite(tmp_path: Path) -> None:
    _check_media_url_revision(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")


@pytest.mark.postgres
def test_media_url_revision_postgresql(postgres: PostgresServer) -> None:
    _check_media_url_revision(postgres.create_database(f"media_url_{uuid.uuid4().hex[:12]}"))
