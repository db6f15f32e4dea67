"""The transcriptions a completed recording promises (recording/transcriptions.py), and how the
recording service makes and announces them, on a real migrated SQLite database."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from phonograph.core import is_sid, new_sid, new_typeid
from phonograph.media import SAMPLES_PER_FRAME, MediaClock, Pcm
from phonograph.recording import (
    UNFINISHED,
    Channels,
    Layout,
    RecordingPlan,
    RecordingService,
    Source,
    Track,
    Trim,
    promise_transcriptions,
)
from phonograph.recording.enums import CallbackMethod, RecordingEvent
from phonograph.recording.journal import Journal
from phonograph.store import (
    Database,
    LiveStatuses,
    LocalBlobStore,
    NodeRepo,
    PageSpec,
    Recording,
    RecordingRepo,
    Transcription,
    TranscriptionFilters,
    TranscriptionRepo,
)
from tests.support.store import T0, add_account, sqlite_url
from tests.support.store import run as run_migrated

FEATURES = [new_typeid("voice_transcriptionconfiguration"), new_typeid("voice_transcriptionconfiguration")]
CALLBACK = "https://app.example/transcribed"
NODE = "node-a"
LIVE = LiveStatuses(call_terminal=[], recording_unfinished=[status.value for status in UNFINISHED])


class FixedClock:
    def now(self) -> datetime:
        return T0


def run(tmp_path: Path, check: Callable[[Database, str], Awaitable[None]]) -> None:
    """``check`` on a fresh SQLite database, with an account made in it."""

    async def with_account(db: Database) -> None:
        await check(db, (await add_account(db)).sid)

    run_migrated(sqlite_url(tmp_path), with_account)


def recording(account_sid: str, **values: Any) -> Recording:
    made = Recording(
        sid=new_sid("RE"),
        account_sid=account_sid,
        call_sid=new_sid("CA"),
        conference_sid=None,
        source="RecordVerb",
        status="in-progress",
        channels=1,
        track="inbound",
        trim="do-not-trim",
        start_time=T0,
        duration_s=None,
        error_code=None,
        status_callback=None,
        status_callback_method="POST",
        status_callback_events=["completed"],
        configuration_id=None,
        name=None,
        media_key=None,
        date_created=T0,
        date_updated=T0,
    )
    return replace(made, **values)


async def transcriptions_of(db: Database, account_sid: str, recording_sid: str) -> list[Transcription]:
    async with db.transaction() as session:
        page = await TranscriptionRepo(session).page(
            TranscriptionFilters(account_sid, recording_sid=recording_sid), PageSpec(limit=50)
        )
    # The legacy one first, then the batch ones by configuration.
    return sorted(page.items, key=lambda t: (t.kind != "legacy", t.configuration_id or ""))


def test_a_recording_promises_a_legacy_and_one_batch_transcription_per_feature(tmp_path: Path) -> None:
    async def check(db: Database, account_sid: str) -> None:
        made = recording(
            account_sid,
            status="completed",
            transcribe=True,
            transcribe_callback=CALLBACK,
            transcription_features=FEATURES,
        )
        async with db.transaction() as session:
            await RecordingRepo(session).create(made)
            assert await promise_transcriptions(session, made, T0)
        promised = await transcriptions_of(db, account_sid, made.sid)
        assert [(t.kind, t.origin, t.configuration_id) for t in promised] == [
            ("legacy", "record-verb", None),
            *(("batch", "configuration", feature) for feature in sorted(FEATURES)),
        ]
        first, *batches = promised
        assert is_sid(first.sid, "TR")
        assert first.callback_url == CALLBACK
        for transcription in batches:
            assert transcription.sid.startswith("voice_transcription_")
            # The worker resolves a batch job's callback from its configuration.
            assert transcription.callback_url is None
        for transcription in promised:
            assert transcription.status == "queued"
            assert (transcription.recording_sid, transcription.call_sid) == (made.sid, made.call_sid)
            assert (transcription.date_created, transcription.date_updated) == (T0, T0)
            assert (transcription.attempts, transcription.progress, transcription.lease_until) == (
                0,
                0.0,
                None,
            )

    run(tmp_path, check)


def test_a_recording_without_transcription_promises_nothing(tmp_path: Path) -> None:
    async def check(db: Database, account_sid: str) -> None:
        made = recording(account_sid, status="completed")
        assert (made.transcribe, made.transcribe_callback, made.transcription_features) == (False, None, [])
        callback_only = recording(account_sid, status="completed", transcribe_callback=CALLBACK)
        async with db.transaction() as session:
            await RecordingRepo(session).create(made)
            await RecordingRepo(session).create(callback_only)
            assert not await promise_transcriptions(session, made, T0)
            # The verb sets ``transcribe`` for a transcribeCallback; the promise reads only the flag.
            assert not await promise_transcriptions(session, callback_only, T0)
        assert await transcriptions_of(db, account_sid, made.sid) == []
        assert await transcriptions_of(db, account_sid, callback_only.sid) == []

    run(tmp_path, check)


def test_recordings_keep_what_they_will_transcribe(tmp_path: Path) -> None:
    async def check(db: Database, account_sid: str) -> None:
        made = recording(
            account_sid, transcribe=True, transcribe_callback=CALLBACK, transcription_features=FEATURES
        )
        async with db.transaction() as session:
            assert await RecordingRepo(session).create(made) == made
        async with db.transaction() as session:
            assert await RecordingRepo(session).get(made.sid) == made

    run(tmp_path, check)


def audible_frames(count: int) -> list[Pcm]:
    t = np.arange(SAMPLES_PER_FRAME * count) / 8000
    tone = (8000 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)
    return list(tone.reshape(count, SAMPLES_PER_FRAME))


def service(db: Database, tmp_path: Path, woken: list[str]) -> RecordingService:
    return RecordingService(
        db,
        FixedClock(),
        MediaClock(),
        LocalBlobStore(tmp_path / "blobs"),
        tmp_path / "journals",
        "http://phonograph.test",
        lambda: woken.append("outbox"),
        node_id=NODE,
        on_transcriptions=lambda: woken.append("transcriptions"),
    )


def test_completing_a_recording_promises_its_transcriptions_and_wakes_the_workers(tmp_path: Path) -> None:
    async def check(db: Database, account_sid: str) -> None:
        # A recording a crash left in progress, with its journal: the node that claims it (here, rows
        # from before nodes, which any node claims at start-up) finalizes it (completed).
        made = recording(
            account_sid, transcribe=True, transcribe_callback=CALLBACK, transcription_features=FEATURES
        )
        silent = recording(account_sid, transcribe=True, transcription_features=FEATURES)
        async with db.transaction() as session:
            await RecordingRepo(session).create(made)
            await RecordingRepo(session).create(silent)
        journal = Journal.create(tmp_path / "journals", made.sid)
        quiet = np.zeros(SAMPLES_PER_FRAME, dtype=np.int16)
        for frame in audible_frames(150):
            journal.append(frame, quiet)
        journal.close()
        woken: list[str] = []
        recordings = service(db, tmp_path, woken)
        await recordings.start()
        async with db.transaction() as session:
            claimed = await NodeRepo(session).register(NODE, "1", "", T0, timedelta(seconds=15), LIVE)
        await recordings.recover(claimed.recordings)
        await recordings.close()
        async with db.transaction() as session:
            statuses = [await RecordingRepo(session).get(sid) for sid in (made.sid, silent.sid)]
        # No journal reached the disk for ``silent``: it ends absent, and absent promises nothing.
        assert [found and found.status for found in statuses] == ["completed", "absent"]
        assert len(await transcriptions_of(db, account_sid, made.sid)) == 3
        assert await transcriptions_of(db, account_sid, silent.sid) == []
        assert woken == ["transcriptions"]

    run(tmp_path, check)


def test_plans_carry_transcription_and_old_plans_still_load() -> None:
    plan = RecordingPlan(
        source=Source.RECORD_VERB,
        layout=Layout(track=Track.INBOUND, channels=Channels.MONO),
        trim=Trim.TRIM_SILENCE,
        status_callback=None,
        status_callback_method=CallbackMethod.POST,
        status_callback_events=(RecordingEvent.COMPLETED,),
        feature_ids=tuple(FEATURES),
        transcribe=True,
        transcribe_callback=CALLBACK,
    )
    assert RecordingPlan.from_json(plan.to_json()) == plan
    stored_before = plan.to_json()
    del stored_before["transcribe"], stored_before["transcribe_callback"]
    assert RecordingPlan.from_json(stored_before) == replace(plan, transcribe=False, transcribe_callback=None)
