"""Alembic migrations build exactly the schema the models declare, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text

from phonograph.store import Database
from phonograph.store.db import MIGRATIONS_DIR
from phonograph.store.models import Base
from tests.support.postgres import PostgresServer


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def _head() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def _schema_state(connection: Connection) -> dict[str, Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return {
        "diff": compare_metadata(context, Base.metadata),
        "revision": context.get_current_revision(),
        "tables": sorted(inspect(connection).get_table_names()),
    }


async def _migrate_twice(url: str) -> tuple[dict[str, Any], dict[str, Any]]:
    db = Database(url)
    try:
        await db.migrate()
        async with db.engine.connect() as connection:
            first = await connection.run_sync(_schema_state)
        async with db.transaction() as session:
            await session.execute(
                text(
                    "INSERT INTO accounts (sid, owner_account_sid, friendly_name, auth_token, status, type,"
                    " date_created, date_updated) VALUES ('AC1', NULL, 'kept', 'token', 'active', 'Full',"
                    " '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
                )
            )
        await db.migrate()
        async with db.engine.connect() as connection:
            second = await connection.run_sync(_schema_state)
            kept = (await connection.execute(text("SELECT friendly_name FROM accounts"))).scalars().all()
        assert kept == ["kept"]
        return first, second
    finally:
        await db.close()


def _check(url: str) -> None:
    first, second = asyncio.run(_migrate_twice(url))
    assert first["diff"] == []
    assert first["revision"] == _head()
    assert set(first["tables"]) == set(Base.metadata.tables) | {"alembic_version"}
    assert second == first


def test_sqlite(tmp_path: Path) -> None:
    _check(f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}")


@pytest.mark.postgres
def test_postgresql(postgres: PostgresServer) -> None:
    _check(postgres.create_database(f"migrations_{uuid.uuid4().hex[:12]}"))


CALLS_REVISION = "2026_11_21_0002"
ACCOUNT_COLUMNS = (
    "sid, owner_account_sid, friendly_name, auth_token, status, type, date_created, date_updated"
)
MEDIA_SETTINGS = "sid, enforce_media_auth, hipaa, dual_channel_conference_recording"


async def _upgrade_across_recordings(url: str) -> tuple[list[Any], set[str], list[Any]]:
    """Migrate to the calls revision, add an account, then up to head, down again, and up."""
    db = Database(url)

    def move(connection: Connection, to: str, *, down: bool = False) -> None:
        (command.downgrade if down else command.upgrade)(_config(connection), to)

    try:
        async with db.engine.begin() as connection:
            await connection.run_sync(move, CALLS_REVISION)
            await connection.execute(
                text(
                    f"INSERT INTO accounts ({ACCOUNT_COLUMNS}) VALUES ('AC1', NULL, 'old', 'token',"
                    " 'active', 'Full', '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
                )
            )
            # A row that references the account: a downgrade must not drop and recreate accounts.
            await connection.execute(
                text(
                    "INSERT INTO virtual_phones (sid, account_sid, phone_number, answer, answer_after_s,"
                    " date_created, date_updated) VALUES ('VP1', 'AC1', '+15550100', 'answer', 0,"
                    " '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
                )
            )
        async with db.engine.begin() as connection:
            await connection.run_sync(move, "head")
            upgraded = list((await connection.execute(text(f"SELECT {MEDIA_SETTINGS} FROM accounts"))).all())
        async with db.engine.begin() as connection:
            await connection.run_sync(move, CALLS_REVISION, down=True)
            downgraded = await connection.run_sync(
                lambda sync: (
                    {column["name"] for column in inspect(sync).get_columns("accounts")}
                    | set(inspect(sync).get_table_names())
                )
            )
        await db.migrate()
        async with db.engine.connect() as connection:
            again = await connection.run_sync(lambda sync: _schema_state(sync)["diff"])
        return upgraded, downgraded, again
    finally:
        await db.close()


def _check_recordings_revision(url: str) -> None:
    upgraded, downgraded, again = asyncio.run(_upgrade_across_recordings(url))
    # An account made before the revisions gets the defaults: media auth on, HIPAA off, mono
    # conference recordings (twilio.com/docs/voice/api/recording).
    assert [tuple(row) for row in upgraded] == [("AC1", True, False, False)]
    assert not downgraded & {"enforce_media_auth", "hipaa", "recordings"}
    assert not downgraded & {"dual_channel_conference_recording", "conferences", "participants"}
    assert {"calls", "friendly_name"} <= downgraded
    assert again == []


def test_recordings_revision_sqlite(tmp_path: Path) -> None:
    _check_recordings_revision(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")


@pytest.mark.postgres
def test_recordings_revision_postgresql(postgres: PostgresServer) -> None:
    _check_recordings_revision(postgres.create_database(f"recordings_{uuid.uuid4().hex[:12]}"))


RECORDINGS_REVISION = "2026_11_21_0003"


async def _down_across_conferences(url: str) -> tuple[set[str], list[Any], list[Any]]:
    """At head with a conference and a participant, down to the recordings revision, and up again."""
    db = Database(url)
    moment = "'2026-01-01 00:00:00'"
    try:
        await db.migrate()
        async with db.engine.begin() as connection:
            await connection.execute(
                text(
                    f"INSERT INTO accounts ({ACCOUNT_COLUMNS}) VALUES ('AC1', NULL, 'old', 'token',"
                    f" 'active', 'Full', {moment}, {moment})"
                )
            )
            await connection.execute(
                text(
                    "INSERT INTO conferences (sid, account_sid, friendly_name, status, region,"
                    " status_callback_method, status_callback_events, callback_sequence, date_created,"
                    f" date_updated) VALUES ('CF1', 'AC1', 'room', 'init', 'us1', 'POST', '[]', 0, {moment},"
                    f" {moment})"
                )
            )
            await connection.execute(
                text(
                    "INSERT INTO participants (call_sid, conference_sid, account_sid, status, muted, hold,"
                    " coaching, start_conference_on_enter, end_conference_on_exit, date_created,"
                    f" date_updated) VALUES ('CA1', 'CF1', 'AC1', 'connected', false, false, false, true,"
                    f" false, {moment}, {moment})"
                )
            )
            await connection.run_sync(lambda sync: command.downgrade(_config(sync), RECORDINGS_REVISION))
            downgraded = await connection.run_sync(
                lambda sync: (
                    {column["name"] for column in inspect(sync).get_columns("accounts")}
                    | set(inspect(sync).get_table_names())
                )
            )
            kept = list(
                (await connection.execute(text("SELECT sid, enforce_media_auth FROM accounts"))).all()
            )
        await db.migrate()
        async with db.engine.connect() as connection:
            again = await connection.run_sync(lambda sync: _schema_state(sync)["diff"])
        return downgraded, kept, again
    finally:
        await db.close()


def _check_conferences_revision(url: str) -> None:
    downgraded, kept, again = asyncio.run(_down_across_conferences(url))
    assert not downgraded & {"dual_channel_conference_recording", "conferences", "participants"}
    assert {"recordings", "enforce_media_auth", "hipaa"} <= downgraded
    assert [tuple(row) for row in kept] == [("AC1", True)]
    assert again == []


def test_conferences_revision_sqlite(tmp_path: Path) -> None:
    _check_conferences_revision(f"sqlite+aiosqlite:///{tmp_path / 'conferences.db'}")


@pytest.mark.postgres
def test_conferences_revision_postgresql(postgres: PostgresServer) -> None:
    _check_conferences_revision(postgres.create_database(f"conferences_{uuid.uuid4().hex[:12]}"))
