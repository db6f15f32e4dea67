"""A calls room of its own for unit tests of call sessions: a real migrated SQLite database, a real
recording service on local files and a running media clock — no HTTP server, no engine. Status
callbacks stay in the outbox (no worker delivers them), where a test reads them; far ends are the
test's own (``HeldLine``), so it decides when ringing ends and how long a hang-up takes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from phonograph.calls.audio_library import AudioLibrary
from phonograph.calls.conference_rooms import Conferences
from phonograph.calls.far_ends import Answer
from phonograph.calls.runtime import Runtime
from phonograph.core import SystemClock
from phonograph.media import EspeakEngine, MediaClock, MediaLeg
from phonograph.recording import RecordingService
from phonograph.store import Account, LocalBlobStore, OutboxRepo
from phonograph.webhooks import AppClient, OutboxWorker
from tests.support.store import add_account, fresh_db, sqlite_url

NODE = "node-unit"
SPEED = 4.0
"""Media time runs this much faster than real time: tests wait on media frames, never on seconds."""


def _no_app(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"a calls-room unit test fetches nothing, not {request.url}")


@dataclass
class Room:
    runtime: Runtime
    conferences: Conferences
    account: Account

    @property
    def media(self) -> MediaClock:
        return self.runtime.media

    async def callbacks(self, url: str) -> list[dict[str, str]]:
        """The parameters of every callback to ``url`` waiting in the outbox, oldest first."""
        async with self.runtime.db.read() as session:
            due = await OutboxRepo(session).due(self.runtime.clock.now(), limit=100)
        return [dict(message.params) for message in due if message.url == url]


@asynccontextmanager
async def calls_room(tmp_path: Path, *, stepped: bool = False) -> AsyncIterator[Room]:
    """``stepped``: the media clock does not run by itself; the test moves it (``run_frames``)."""
    db = await fresh_db(sqlite_url(tmp_path))
    clock = SystemClock()
    http = httpx.AsyncClient(transport=httpx.MockTransport(_no_app))
    app = AppClient(http)
    media = MediaClock(SPEED)
    recordings = RecordingService(
        db,
        clock,
        media,
        LocalBlobStore(tmp_path / "blobs"),
        tmp_path / "journals",
        "http://phonograph.test",
        lambda: None,
        node_id=NODE,
        on_transcriptions=lambda: None,
    )
    runtime = Runtime(
        db=db,
        media=media,
        speech=EspeakEngine(),
        audio=AudioLibrary(http, max_bytes=1 << 20),
        app=app,
        outbox=OutboxWorker(db, app, clock),
        clock=clock,
        recordings=recordings,
    )
    await recordings.start()
    if not stepped:
        media.start()
    try:
        yield Room(runtime, Conferences(runtime), await add_account(db))
    finally:
        await runtime.tasks.close()
        await recordings.close()
        await media.stop()
        await http.aclose()
        await db.close()


class HeldLine:
    """A far end that answers ``answer_after_frames`` after ringing began; with ``slow_hang_up``
    its hang-up lasts until the test calls ``let_go`` (a slow peer, a slow teardown)."""

    def __init__(
        self, media: MediaClock, answer_after_frames: int = 0, *, slow_hang_up: bool = False
    ) -> None:
        self.leg = MediaLeg("held line")
        self._media = media
        self._answer_after_frames = answer_after_frames
        self.rang_from: int | None = None
        self.ringing = asyncio.Event()
        self.hanging_up = asyncio.Event()
        self._let_go = asyncio.Event()
        if not slow_hang_up:
            self._let_go.set()

    async def ring(self, since_frame: int) -> Answer:
        self.rang_from = since_frame
        self.ringing.set()
        await self._media.sleep_until(since_frame + self._answer_after_frames)
        return Answer.ANSWER

    def answered(self) -> None:
        pass

    async def hang_up(self) -> None:
        self.hanging_up.set()
        await self._let_go.wait()

    def let_go(self) -> None:
        self._let_go.set()
