"""A migrated SQLite database, a folder blob store, and a fake engine, for the transcription tests.

The fake engine stands in for faster-whisper only (which ``test_engine.py`` runs for real): it
returns fixed segments, reports progress like the real one, and can be told to hold a job until
released or stopped, or to fail.
"""

from __future__ import annotations

import asyncio
import io
import threading
import time
import wave
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from phonograph.core import SystemClock, new_sid, new_typeid
from phonograph.store import (
    Account,
    AccountRepo,
    Call,
    CallRepo,
    ConfigurationRepo,
    Database,
    LocalBlobStore,
    Notification,
    NotificationRepo,
    OutboxMessage,
    OutboxRepo,
    PageSpec,
    Recording,
    RecordingRepo,
    Transcription,
    TranscriptionRepo,
)
from phonograph.transcription import (
    MediaFetcher,
    Segment,
    SpeechToText,
    TranscriptionService,
    TranscriptionWorker,
)
from phonograph.transcription.engine import ProgressCallback, Samples16k
from tests.support import store

clock = SystemClock()
RATE_HZ = 8000
PUBLIC_URL = "https://phonograph.example"
CALLBACK_URL = "https://app.example/transcribed"


def wav_bytes(channels: list[np.ndarray[Any, np.dtype[np.int16]]], rate_hz: int = RATE_HZ) -> bytes:
    """16-bit PCM WAV of the given channels (as recordings store them)."""
    interleaved = np.stack(channels, axis=1).astype("<i2")
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(len(channels))
        writer.setsampwidth(2)
        writer.setframerate(rate_hz)
        writer.writeframes(interleaved.tobytes())
    return out.getvalue()


def tone(seconds: float, hz: float = 440.0, rate_hz: int = RATE_HZ) -> np.ndarray[Any, np.dtype[np.int16]]:
    t = np.arange(int(seconds * rate_hz)) / rate_hz
    return (8000 * np.sin(2 * np.pi * hz * t)).astype(np.int16)


class FakeEngine:
    """``SpeechToText`` that hears ``segments[i]`` on the i-th channel it is given."""

    def __init__(self, segments: list[list[Segment]] | None = None) -> None:
        self.segments = segments or [
            [Segment(0.5, 1.75, "Hello there.", 0.9), Segment(3.0, 4.0, "Goodbye.", 0.8)],
            [Segment(2.0, 2.8, "Hi!", 0.7)],
        ]
        self.calls: list[tuple[int, str | None]] = []
        self.hold = threading.Event()
        self.held = threading.Event()
        self.holding = False
        self.error: Exception | None = None

    def transcribe(
        self, samples_16k: Samples16k, language: str | None, on_progress: ProgressCallback
    ) -> list[Segment]:
        index = len(self.calls)
        self.calls.append((len(samples_16k), language))
        if self.error is not None:
            raise self.error
        on_progress(0.5)
        if self.holding:
            self.held.set()
            while not self.hold.is_set():
                on_progress(0.5)  # raises when the job is stopped or deleted
                time.sleep(0.005)
        on_progress(1.0)
        return self.segments[index % len(self.segments)]


_: type[SpeechToText] = FakeEngine


@dataclass
class World:
    db: Database
    blobs: LocalBlobStore
    engine: FakeEngine
    worker: TranscriptionWorker
    service: TranscriptionService
    notified: list[int] = field(default_factory=list)


def run(
    tmp_path: Path,
    test: Callable[[World], Awaitable[None]],
    *,
    engine: SpeechToText | None = None,
    queue_limit: int = 100,
    lease_s: float = 300.0,
    max_attempts: int = 3,
) -> None:
    async def main() -> None:
        db = Database(f"sqlite+aiosqlite:///{tmp_path / 'phonograph.db'}")
        await db.migrate()
        blobs = LocalBlobStore(tmp_path / "media")
        fake = FakeEngine()
        notified: list[int] = []
        http = httpx.AsyncClient()
        worker = TranscriptionWorker(
            db,
            blobs,
            clock,
            engine or fake,
            MediaFetcher(http),
            PUBLIC_URL,
            lambda: notified.append(1),
            lease_s=lease_s,
            poll_interval_s=0.05,
            progress_interval_s=0.02,
            max_attempts=max_attempts,
            store_retry_s=0.02,
        )
        service = TranscriptionService(db, clock, worker, queue_limit=queue_limit)
        try:
            await test(World(db, blobs, fake, worker, service, notified))
        finally:
            fake.hold.set()
            await worker.stop()
            await http.aclose()
            await db.close()

    asyncio.run(main())


@asynccontextmanager
async def running(world: World) -> AsyncIterator[TranscriptionWorker]:
    world.worker.start()
    try:
        yield world.worker
    finally:
        world.engine.hold.set()
        await world.worker.stop()


async def add_account(db: Database, *, pci_mode: bool = False, hipaa: bool = False) -> Account:
    """An account, in PCI mode or HIPAA when asked."""
    account = await store.add_account(db, now=clock.now())
    if not (pci_mode or hipaa):
        return account
    async with db.transaction() as session:
        return await AccountRepo(session).change_media_settings(
            account.sid, clock.now(), pci_mode=pci_mode, hipaa=hipaa
        )


async def add_recording(
    world: World,
    account: Account,
    *,
    channels: int = 2,
    seconds: float = 5.0,
    status: str = "completed",
    call_sid: str | None = None,
    **values: Any,
) -> Recording:
    sid, now = new_sid("RE"), clock.now()
    media_key: str | None = None
    if status == "completed":
        media_key = f"{account.sid}/{sid}.wav"
        audio = [tone(seconds, 440.0 * (index + 1)) for index in range(channels)]
        await world.blobs.put(media_key, wav_bytes(audio))
    recording = Recording(
        sid=sid,
        account_sid=account.sid,
        call_sid=call_sid if call_sid is not None else new_sid("CA"),
        conference_sid=None,
        source="RecordVerb",
        status=status,
        channels=channels,
        track="both",
        trim="do-not-trim",
        start_time=now,
        duration_s=round(seconds) if status == "completed" else None,
        error_code=None,
        status_callback=None,
        status_callback_method="POST",
        status_callback_events=[],
        configuration_id=None,
        name=None,
        media_key=media_key,
        date_created=now,
        date_updated=now,
    )
    recording = replace(recording, **values)
    async with world.db.transaction() as session:
        return await RecordingRepo(session).create(recording)


def configuration_body(callback_url: str | None = CALLBACK_URL, language: str = "en-US") -> dict[str, Any]:
    body: dict[str, Any] = {
        "configurationType": "Transcription",
        "transcriptionEngine": "google",
        "language": language,
        "participantDefaults": [
            {"audioChannelIndex": 2, "type": "HUMAN_AGENT"},
            {"audioChannelIndex": 1, "type": "CUSTOMER"},
        ],
    }
    if callback_url is None:
        body["conversationConfigurationId"] = "conv_1"
    else:
        body["transcriptionStatusCallback"] = {"url": callback_url, "method": "POST"}
    return body


async def add_configuration(db: Database, account: Account, body: dict[str, Any] | None = None) -> str:
    async with db.transaction() as session:
        configuration = await ConfigurationRepo(session).create(
            id=new_typeid("voice_transcriptionconfiguration"),
            account_sid=account.sid,
            type="Transcription",
            unique_name=None,
            description=None,
            body=body or configuration_body(),
            now=clock.now(),
        )
    return configuration.id


async def add_call(db: Database, account: Account, **values: Any) -> Call:
    now = clock.now()
    call = Call(
        sid=new_sid("CA"),
        account_sid=account.sid,
        parent_call_sid=None,
        phone_number_sid=None,
        to="+15005550006",
        from_="+15005550001",
        status="completed",
        direction="inbound",
        answered_by=None,
        forwarded_from=None,
        caller_name=None,
        start_time=now,
        end_time=now,
        duration_s=7,
        url=None,
        method="POST",
        twiml=None,
        fallback_url=None,
        fallback_method="POST",
        status_callback=None,
        status_callback_method="POST",
        status_callback_events=[],
        timeout_s=60,
        time_limit_s=14400,
        send_digits=None,
        recording={},
        callback_sequence=0,
        date_created=now,
        date_updated=now,
    )
    call = replace(call, **values)
    async with db.transaction() as session:
        return await CallRepo(session).create(call)


async def promise(world: World, recording: Recording, **values: Any) -> Transcription:
    """A queued job as the recording room promises them (``recording/transcriptions.py``)."""
    now = clock.now()
    batch = values.get("kind", "legacy") == "batch"
    job = Transcription(
        sid=new_typeid("voice_transcription") if batch else new_sid("TR"),
        kind="legacy",
        origin="record-verb",
        account_sid=recording.account_sid,
        status="queued",
        date_created=now,
        date_updated=now,
        recording_sid=recording.sid,
        call_sid=recording.call_sid,
    )
    job = replace(job, **values)
    async with world.db.transaction() as session:
        return await TranscriptionRepo(session).create(job)


async def get(world: World, sid: str) -> Transcription | None:
    async with world.db.transaction() as session:
        return await TranscriptionRepo(session).get(sid)


async def settled(world: World, sid: str, timeout_s: float = 10.0) -> Transcription:
    """The job once it is completed or failed."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        job = await get(world, sid)
        assert job is not None, f"{sid} vanished"
        if job.status in ("completed", "failed"):
            return job
        await asyncio.sleep(0.02)
    raise AssertionError(f"{sid} did not settle in {timeout_s} s")


async def eventually(check: Callable[[], Awaitable[bool]], timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the condition did not hold in time")


async def outbox(db: Database) -> list[OutboxMessage]:
    async with db.transaction() as session:
        return await OutboxRepo(session).due(clock.now() + timedelta(days=1), 100)


async def notifications(db: Database, account_sid: str) -> list[Notification]:
    async with db.transaction() as session:
        return (await NotificationRepo(session).list_page(account_sid, PageSpec(limit=100))).items


def past(seconds: float) -> datetime:
    return clock.now() - timedelta(seconds=seconds)
