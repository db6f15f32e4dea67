"""Alembic migrations build exactly the schema the models declare, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text

from phonograph.store import Database
from phonograph.store.db import MIGRATIONS_DIR
from phonograph.store.models import Base
from tests.support.postgres import PostgresServer


def _head() -> str:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    head = ScriptDirectory.from_config(config).get_current_head()
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
                    "INSERT INTO accounts VALUES ('AC1', NULL, 'kept', 'token', 'active', 'Full',"
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
