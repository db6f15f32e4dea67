"""The database: one async engine, transactional sessions, and migrations at start-up.

SQLite takes one writer at a time. Left to itself, a writer waits for the lock inside SQLite (its
busy timeout, on a pool thread) and, past it, fails with "database is locked": measured under a
burst of 2,000 recorded calls on a loaded machine, as 500s and as call sessions that died
mid-transition. So on SQLite every ``transaction()`` first takes the ``WriteGate``, an asyncio
lock: writers queue in order, in the event loop, with no timeout; none ever meets SQLite's lock.
``read()`` sessions take no gate (WAL lets readers run beside the writer). The API refuses new
writes with 429 while the queue is long (api/admission.py, ``write_backlog``) rather than grow it.

An ``urgent`` transaction is served before the ordinary queue: the outbox worker's claims and
deliveries' bookkeeping, so a callback is not held up by a burst of other writes (measured: 100
recordings ending at once put their callbacks ~600 ms behind the calls' own transitions). They are
small and at most one per delivery in flight (a bounded number), so they cannot starve the rest.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Callable, Mapping
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
    """One holder at a time; urgent waiters first, then ordinary ones, each in arrival order.
    ``waiting`` counts both queues."""

    def __init__(self) -> None:
        self._held = False
        self._urgent: deque[asyncio.Future[None]] = deque()
        self._ordinary: deque[asyncio.Future[None]] = deque()

    @property
    def waiting(self) -> int:
        return len(self._urgent) + len(self._ordinary)

    @asynccontextmanager
    async def held(self, *, urgent: bool = False) -> AsyncIterator[None]:
        if self._held or self.waiting:
            turn = asyncio.get_running_loop().create_future()
            queue = self._urgent if urgent else self._ordinary
            queue.append(turn)
            try:
                await turn
            except asyncio.CancelledError:
                if turn.done() and not turn.cancelled():
                    self._pass_on()  # handed the gate just as it was cancelled: hand it on
                elif turn in queue:  # not yet skipped by _pass_on
                    queue.remove(turn)
                raise
        else:
            self._held = True
        try:
            yield
        finally:
            self._pass_on()

    def _pass_on(self) -> None:
        """Hand the gate to the next waiter still waiting, or open it."""
        for queue in (self._urgent, self._ordinary):
            while queue:
                turn = queue.popleft()
                if not turn.done():
                    turn.set_result(None)
                    return
        self._held = False


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
    async def transaction(self, *, urgent: bool = False) -> AsyncIterator[AsyncSession]:
        async with self._gated(urgent), self._sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def _gated(self, urgent: bool) -> AsyncIterator[None]:
        """The write gate held by this task, unless there is none or the task holds it already."""
        task = asyncio.current_task()
        if self._gate is None or _gate_holder.get() is task:
            yield
            return
        async with self._gate.held(urgent=urgent):
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

    @asynccontextmanager
    async def listening(self, channels: Mapping[str, Callable[[str], None]]) -> AsyncIterator[bool]:
        """While this lasts, each NOTIFY on a channel calls its callback with the payload, on a
        connection of its own (postgresql.org/docs/current/sql-listen.html). Yields False where
        the database has no LISTEN (SQLite): callers poll instead, as they must anyway, since a
        connection lost meanwhile misses notifications."""
        if self.engine.dialect.name != "postgresql":
            yield False
            return
        async with self.engine.connect() as connection:
            raw = await connection.get_raw_connection()
            driver: Any = raw.driver_connection  # asyncpg.Connection

            def listener(callback: Callable[[str], None]) -> Callable[..., None]:
                return lambda _connection, _pid, _channel, payload: callback(payload)

            listeners = {channel: listener(callback) for channel, callback in channels.items()}
            for channel, heard in listeners.items():
                await driver.add_listener(channel, heard)
            try:
                yield True
            finally:
                if not driver.is_closed():
                    for channel, heard in listeners.items():
                        await driver.remove_listener(channel, heard)

    async def close(self) -> None:
        await self.engine.dispose()
