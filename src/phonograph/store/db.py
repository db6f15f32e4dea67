"""The database: one async engine, transactional sessions, and migrations at start-up.

SQLite takes one writer at a time. Left to itself, a writer waits for the lock inside SQLite (its
busy timeout, on a pool thread) and, past it, fails with "database is locked": measured under a
burst of 2,000 recorded calls on a loaded machine, as 500s and as call sessions that died
mid-transition. So on SQLite every ``transaction()`` first takes the ``WriteGate``, an asyncio
lock: writers queue in order, in the event loop, with no timeout; none ever meets SQLite's lock.
``read()`` sessions take no gate (WAL lets readers run beside the writer). The API refuses new
writes with 429 while the queue is long (api/admission.py, ``write_backlog``) rather than grow it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from phonograph.core import PhonographError

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


async def flush_unique(session: AsyncSession, taken: PhonographError) -> None:
    """Flush the session's inserts; a unique constraint they break raises ``taken`` (another
    request took the name or number between a repository's check and its insert)."""
    try:
        await session.flush()
    except IntegrityError as exc:
        raise taken from exc


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run beside the writer; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


class WriteGate:
    """One ``transaction()`` at a time, first come first served; ``waiting`` counts the queue."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self.waiting = 0

    @asynccontextmanager
    async def held(self) -> AsyncIterator[None]:
        self.waiting += 1
        try:
            await self._lock.acquire()
        finally:
            self.waiting -= 1
        try:
            yield
        finally:
            self._lock.release()


_gate_holder: ContextVar[asyncio.Task[object] | None] = ContextVar("gate_holder", default=None)
"""The task that holds the gate: a transaction it opens inside its own goes through, as before
(a task that waited for itself would wait forever)."""


def _upgrade(connection: Connection) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


class Database:
    """Owns the engine. ``transaction()`` yields a session that commits on success, else rolls back;
    ``read()`` one for reading only."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_async_engine(url)
        self._gate: WriteGate | None = None
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
            self._gate = WriteGate()
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @property
    def write_backlog(self) -> int:
        """Transactions waiting for the write gate (always 0 where there is none)."""
        return 0 if self._gate is None else self._gate.waiting

    async def migrate(self) -> None:
        async with self.engine.begin() as connection:
            await connection.run_sync(_upgrade)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        async with self._gated(), self._sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def _gated(self) -> AsyncIterator[None]:
        """The write gate held by this task, unless there is none or the task holds it already."""
        task = asyncio.current_task()
        if self._gate is None or _gate_holder.get() is task:
            yield
            return
        async with self._gate.held():
            holder = _gate_holder.set(task)
            try:
                yield
            finally:
                _gate_holder.reset(holder)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A session for reads only: it takes no write gate, and anything it would write is
        refused (a programming error) rather than committed behind the gate's back."""
        async with self._sessions() as session, session.begin():
            yield session
            if session.new or session.dirty or session.deleted:
                raise RuntimeError("a read() session changed rows; use transaction()")

    async def close(self) -> None:
        await self.engine.dispose()
