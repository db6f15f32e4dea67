"""``db_url``: a fresh database per test on each store backend (PostgreSQL marked ``postgres``)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from tests.support.postgres import PostgresServer
from tests.support.store import sqlite_url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return sqlite_url(tmp_path)
    postgres: PostgresServer = request.getfixturevalue("postgres")
    return postgres.create_database(f"store_{uuid.uuid4().hex[:12]}")
