"""TranscriptionWorker on a real SQLite database and blob folder, with a fake engine: claim, run,
settle, callbacks, every way a job fails, and what happens when a worker stops or crashes."""

from __future__ import annotations

import asyncio
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from phonograph.core import ServiceUnavailable
from phonograph.transcription import BatchSource, WhisperEngine
from phonograph.transcription.state import TranscriptionStatus
from tests.unit.transcription.support import (
    CALLBACK_URL,
    PUBLIC_URL,
    World,
    add_account,
    add_call,
    add_configuration,
    add_recording,
    clock,
    configuration_body,
    eventually,
    get,
    notifications,
    outbox,
    past,
    promise,
    run,
    running,
    settled,
)

SENTENCES = [
    {
        "index": 0,
        "channel": 1,
        "participant": {"type": "CUSTOMER", "audioChannelIndex": 1, "name": None, "address": None},
        "text": "Hello there.",
        "startTime": 0.5,
        "endTime": 1.75,
        "confidence": 0.9,
    },
    {
        "index": 1,
        "channel": 2,
        "participant": {"type": "HUMAN_AGENT", "audioChannelIndex": 2, "name": None, "address": None},
        "text": "Hi!",
        "startTime": 2.0,
        "endTime": 2.8,
        "confidence": 0.7,
    },
    {
        "index": 2,
        "channel": 1,
        "participant": {"type": "CUSTOMER", "audioChannelIndex": 1, "name": None, "address": None},
        "text": "Goodbye.",
        "startTime": 3.0,
        "endTime": 4.0,
        "confidence": 0.8,
    },
]


def test_an_automatic_batch_job_resolves_its_configuration_and_calls_back(tmp_path: Path) -> None:
    async def test(world: World) -> None:
        account = await add_account(world.db)
        configuration_id = await add_configuration(world.db, account)
        recording = await add_recording(world, account, channels=2, seconds=5)
        job = await promise(
            world, recording, kind="batch", origin="configuration", configuration_id=configuration_id
        )
        async with running(world):
            world.worker.wake()
            done = await settled(world, job.sid)
        assert done.status == "completed"
        assert done.resolved_configuration == configuration_body()
        assert done.language == "en-US"
        assert done.participants == [
            {"type": "CUSTOMER", "address": None, "name": None, "audioChannelIndex": 1},
            {"type": "HUMAN_AGENT", "address": None, "name": None, "audioChannelIndex": 2},
        ]
        assert done.sentences == SENTENCES
        assert done.text == "Hello there. Hi! Goodbye."
        assert (done.duration_s, done.progress, done.lease_until, done.attempts) == (5, 1.0, None, 1)
        assert (done.error_code, done.error_message) == (None, None)
        # One engine run per channel, at 16 kHz, in the configuration's language.
        assert world.engine.calls == [(80_000, "en-US"), (80_000, "en-US")]
        [message] = await outbox(world.db)
        assert (message.url, message.method, message.ordering_key) == (CALLBACK_URL, "POST", job.sid)
        assert list(message.params) == [
            ("AccountSid", account.sid),
            ("TranscriptionId", job.sid),
            ("TranscriptionStatus", "COMPLETED"),
            ("TranscriptionUrl", f"{PUBLIC_URL}/v3/Transcriptions/{job.sid}"),
            ("TranscriptUrl", f"{PUBLIC_URL}/phonograph/v1/Transcriptions/{job.sid}"),
            ("SourceId", recording.sid),
            ("TranscriptionConfigurationId", configuration_id),
            ("Duration", "5"),
            ("ErrorCode", "0"),
        ]
        assert world.notified
        assert await notifications(world.db, account.sid) == []

    run(tmp_path, test)


def test_a_record_verb_job_posts_twilios_legacy_parameters(tmp_path: Path) -> None:
    async def test(world: World) -> None:
        world.engine.segments = [[world.engine.segments[0][0]]]
        account = await add_account(world.db)
        call = await add_call(world.db, account, forwarded_from="+15005550009")
        recording = await add_recording(world, account, channels=1, seconds=5, call_sid=call.sid)
        job = await promise(world, recording, callback_url=CALLBACK_URL)
        async with running(world):
            done = await settled(world, job.sid)
        assert (done.status, done.text, done.language, done.participants) == (
            "completed",
            "Hello there.",
            "en-US",
            [],
        )
        assert done.sentences == [{**SENTENCES[0], "participant": None}]
        recording_url = f"{PUBLIC_URL}/2010-04-01/Accounts/{account.sid}/Recordings/{recording.sid}"
        [message] = await outbox(world.db)
        assert (message.url, message.method) == (CALLBACK_URL, "POST")
        assert list(message.params) == [
            ("TranscriptionSid", job.sid),
            ("TranscriptionText", "Hello there."),
            ("TranscriptionStatus", "completed"),
            ("TranscriptionUrl", f"{recording_url}/Transcriptions/{job.sid}"),
            ("RecordingSid", recording.sid),
            ("RecordingUrl", recording_url),
            ("CallSid", call.sid),
            ("AccountSid", account.sid),
            ("From", "+15005550001"),
            ("To", "+15005550006"),
            ("CallStatus", "completed"),
            ("ApiVersion", "2010-04-01"),
            ("Direction", "inbound"),
            ("ForwardedFrom", "+15005550009"),
        ]

    run(tmp_path, test)


def test_a_job_without_a_callback_queues_none(tmp_path: Path) -> None:
    async def test(world: World) -> None:
        account = await add_account(world.db)
        recording = await add_recording(world, account, channels=2, seconds=3)
        job = await promise(world, recording, origin="cli")
        async with running(world):
            done = await settled(world, job.sid)
        assert done.status == "completed"
        assert [sentence["channel"] for sentence in done.sentences or []] == [1, 2, 1]
        assert await outbox(world.db) == []
        assert not world.notified

    run(tmp_path, test)


def test_without_the_engine_a_job_fails_with_how_to_fix_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "faster_whisper", None)  # the extra is not installed

    async def test(world: World) -> None:
        account = await add_account(world.db)
        call = await add_call(world.db, account)
        recording = await add_recording(world, account, channels=1, seconds=4, call_sid=call.sid)
        first = await promise(world, recording, callback_url=CALLBACK_URL)
        second = await promise(world, recording)
        async with running(world):
            failed = await settled(world, first.sid)
            also_failed = await settled(world, second.sid)
        assert (failed.status, failed.error_code) == ("failed", 20500)
        assert "pip install 'phonograph[transcription]'" in (failed.error_message or "")
        assert (also_failed.status, also_failed.error_message) == ("failed", failed.error_message)
        [message] = await outbox(world.db)
        params = dict(message.params)
        assert (params["TranscriptionStatus"], params["ErrorCode"], params["TranscriptionText"]) == (
            "failed",
            "20500",
            "",
        )
        [notification, _] = await notifications(world.db, account.sid)
        assert (notification.error_code, notification.log) == (20500, 0)
        assert {n.call_sid for n in await notifications(world.db, account.sid)} == {call.sid}

    run(tmp_path, test, engine=WhisperEngine("base.en", 1))


def test_a_model_that_cannot_load_names_the_setting(tmp_path: Path) -> None:
    empty = tmp_path / "not-a-model"
    empty.mkdir()

    async def test(world: World) -> None:
        account = await add_account(world.db)
        recording = await add_recording(world, account, channels=1, seconds=4)
        job = await promise(world, recording)
        async with running(world):
            failed = await settled(world, job.sid)
        assert (failed.status, failed.error_code) == ("failed", 20500)
        assert "PHONOGRAPH_STT_MODEL" in (failed.error_message or "")

    pytest.importorskip("faster_whisper")
    run(tmp_path, test, engine=WhisperEngine(str(empty), 1))


def test_pci_mode_fails_every_kind_with_17531_and_says_so_in_the_callback(tmp_path: Path) -> None:
    async def test(world: World) -> None:
        account = await add_account(world.db, pci_mode=True)
        configuration_id = await add_configuration(world.db, account)
        recording = await add_recording(world, account, channels=2, seconds=5)
        batch = await promise(
            world, recording, kind="batch", origin="configuration", configuration_id=configuration_id
        )
        legacy = await promise(world, recording, callback_url=CALLBACK_URL)
        async with running(world):
            refused = [await settled(world, batch.sid), await settled(world, legacy.sid)]
        assert [(job.status, job.error_code) for job in refused] == [("failed", 17531)] * 2
        assert "PCI" in (refused[0].error_message or "")
        assert world.engine.calls == []
        # The batch job's configuration was resolved, so its callback reports the refusal.
        by_key = {message.ordering_key: dict(message.params) for message in await outbox(world.db)}
        assert by_key[batch.sid]["TranscriptionStatus"] == "FAILED"
        assert by_key[batch.sid]["ErrorCode"] == "17531"
        assert "PCI" in by_key[batch.sid]["ErrorMessage"]
        assert by_key[legacy.sid]["ErrorCode"] == "17531"

    run(tmp_path, test)


@pytest.mark.parametrize(
    ("kind", "origin", "channels", "seconds", "code"),
    [
        ("batch", "configuration", 1, 5, 17533),  # mono
        ("batch", "configuration", 2, 1, 17554),  # shorter than 2 s
        ("legacy", "record-verb", 1, 1, 13617),  # <Record transcribe>: 2 to 120 s
        ("legacy", "record-verb", 1, 121, 13617),
    ],
)
def test_the_rules_fail_a_job_before_the_engine_runs(
    tmp_path: Path, kind: str, origin: str, channels: int, seconds: int, code: int
) -> None:
    async def test(world: World) -> None:
        account = await add_account(world.db)
        configuration_id = await add_configuration(world.db, account)
        recording = await add_recording(world, account, channels=channels, seconds=seconds)
        job = await promise(world, recording, kind=kind, origin=origin, configuration_id=configuration_id)
        async with running(world):
            failed = await settled(world, job.sid)
        assert (failed.status, failed.error_code) == ("failed", code)
        assert world.engine.calls == []
        [notification] = await notifications(world.db, account.sid)
        assert (notification.error_code, notification.message_text) == (code, failed.error_message)

    run(tmp_path, test)


def test_the_limits_do_not_apply_to_phonographs_own_create(tmp_path: Path) -> None:
    async def test(world: World) -> None:
        account = await add_account(world.db)
        recording = await add_recording(world, account, channels=1, seconds=1)
        job = await promise(world, recording, origin="cli")
        async with running(world):
            done = await settled(world, job.sid)
        assert done.status == "completed"

    run(tmp_path, test)


def test_a_deleted_recording_fails_its_job_with_17533(tmp_path: Path) -> None:
    async def test(world: World) -> None:
        account = await add_account(world.db)
        recording = await add_recording(world, account, status="deleted", channels=1)
        job = await promise(world, recording)
        async with running(world):
            failed = await settled(world, job.sid)
        assert (failed.status, failed.error_code) == ("failed", 17533)

    run(tmp_path, test)


def test_a_deleted_configuration_fails_the_automatic_job_with_94002(tmp_path: Path) -> None:
    async def test(world: World) -> None:
        account = await add_account(world.db)
        recording = await add_recording(world, account, channels=2, seconds=5)
        job = await promise(
            world,
            recording,
            kind="batch",
            origin="configuration",
            configuration_id="voice_transcriptionconfiguration_01k1etx3jbfx88476ccja0889c",
        )
        async with running(world):
            failed = await settled(world, job.sid)
        assert (failed.status, failed.error_code, failed.resolved_configuration) == ("failed", 94002, None)
        assert await outbox(world.db) == []  # no configuration, so no callback URL
        [notification] = await notifications(world.db, account.sid)
        assert notification.error_code == 94002

    run(tmp_path, test)


def test_an_api_job_keeps_the_configuration_it_was_created_with(tmp_path: Path) -> None:
    async def test(world: World) -> None:
        account = await add_account(world.db)
        configuration_id = await add_configuration(world.db, account)
        recording = await add_recording(world, account, channels=2, seconds=5)
        created = await world.service.create_batch(
            account,
            configuration_id=configuration_id,
            source=BatchSource(recording_sid=recording.sid),
            participants=[{"audioChannelIndex": 2, "type": "AI_AGENT", "name": "bot"}],
            idempotency_key=None,
            body={"sourceId": recording.sid},
        )
        async with world.db.transaction() as session:
            from phonograph.store import ConfigurationRepo

            await ConfigurationRepo(session).delete(configuration_id)
        async with running(world):
            done = await settled(world, created.sid)
        assert done.status == "completed"
        assert done.sentences is not None
        assert done.sentences[1]["participant"] == {
            "type": "AI_AGENT",
            "audioChannelIndex": 2,
            "name": "bot",
            "address": None,
        }

    run(tmp_path, test)


def test_a_crashed_workers_job_is_claimed_again_when_its_lease_expires(tmp_path: Path) -> None:
    async def test(world: World) -> None:
        account = await add_account(world.db)
        recording = await add_recording(world, account, channels=1, seconds=3)
        lapsed = await promise(
            world, recording, origin="cli", status="in-progress", attempts=1, lease_until=past(1)
        )
        leased = await promise(
            world,
            recording,
            origin="cli",
            status="in-progress",
            attempts=1,
            lease_until=clock.now() + timedelta(hours=1),
        )
        async with running(world):
            done = await settled(world, lapsed.sid)
            await asyncio.sleep(0.2)
            still = await get(world, leased.sid)
        assert (done.status, done.attempts) == ("completed", 2)
        assert still is not None
        assert (still.status, still.attempts) == ("in-progress", 1)  # another worker holds it

    run(tmp_path, test)


def test_a_job_that_keeps_stopping_its_worker_is_given_up(tmp_path: Path) -> None:
    async def test(world: World) -> None:
        account = await add_account(world.db)
        recording = await add_recording(world, account, channels=1, seconds=3)
        job = await promise(world, recording, status="in-progress", attempts=3, lease_until=past(1))
        async with running(world):
            failed = await settled(world, job.sid)
        assert (failed.status, failed.error_code, failed.attempts) == ("failed", 20500, 4)
        assert "given up" in (failed.error_message or "")
        assert world.engine.calls == []

    run(tmp_path, test)


def test_progress_is_written_while_the_engine_runs(tmp_path: Path) -> None:
    async def test(world: World) -> None:
        world.engine.holding = True
        account = await add_account(world.db)
        recording = await add_recording(world, account, channels=2, seconds=5)
        job = await promise(world, recording, origin="cli")
        async with running(world):

            async def halfway_through_the_first_channel() -> bool:
                current = await get(world, job.sid)
                return current is not None and current.progress == 0.25

            await eventually(halfway_through_the_first_channel)
            current = await get(world, job.sid)
            assert current is not None
            assert current.status == TranscriptionStatus.IN_PROGRESS
            assert current.lease_until is not None
            assert current.lease_until > clock.now() + timedelta(seconds=200)
            world.engine.hold.set()
            done = await settled(world, job.sid)
        assert (done.status, done.progress) == ("completed", 1.0)

    run(tmp_path, test)


def test_stopping_puts_the_running_job_back_in_the_queue(tmp_path: Path) -> None:
    async def test(world: World) -> None:
        world.engine.holding = True
        account = await add_account(world.db)
        recording = await add_recording(world, account, channels=1, seconds=5)
        job = await promise(world, recording, origin="cli")
        world.worker.start()
        await asyncio.to_thread(world.engine.held.wait, 5)
        assert world.worker.running == {job.sid}
        await world.worker.stop()
        back = await get(world, job.sid)
        assert back is not None
        assert (back.status, back.attempts, back.lease_until, back.progress) == ("queued", 0, None, 0.0)

    run(tmp_path, test)


def test_deleting_a_running_job_stops_it_quietly(tmp_path: Path) -> None:
    async def test(world: World) -> None:
        world.engine.holding = True
        account = await add_account(world.db)
        recording = await add_recording(world, account, channels=1, seconds=5)
        job = await promise(world, recording, callback_url=CALLBACK_URL)
        async with running(world):
            await asyncio.to_thread(world.engine.held.wait, 5)
            await world.service.delete(job)

            async def stopped() -> bool:
                return not world.worker.running

            await eventually(stopped)
        assert await get(world, job.sid) is None
        assert await outbox(world.db) == []
        assert await notifications(world.db, account.sid) == []

    run(tmp_path, test)


def test_an_engine_error_fails_the_job_and_the_worker_goes_on(tmp_path: Path) -> None:
    async def test(world: World) -> None:
        world.engine.error = RuntimeError("out of memory")
        account = await add_account(world.db)
        recording = await add_recording(world, account, channels=1, seconds=3)
        job = await promise(world, recording, origin="cli")
        async with running(world):
            failed = await settled(world, job.sid)
            world.engine.error = None
            later = await promise(world, recording, origin="cli")
            world.worker.wake()
            done = await settled(world, later.sid)
        assert (failed.status, failed.error_code) == ("failed", 20500)
        assert "out of memory" in (failed.error_message or "")
        assert done.status == "completed"

    run(tmp_path, test)


def test_missing_media_fails_the_job_with_17533(tmp_path: Path) -> None:
    async def test(world: World) -> None:
        account = await add_account(world.db)
        recording = await add_recording(world, account, channels=1, seconds=3)
        assert recording.media_key is not None
        await world.blobs.delete(recording.media_key)
        job = await promise(world, recording, origin="cli")
        async with running(world):
            failed = await settled(world, job.sid)
        assert (failed.status, failed.error_code) == ("failed", 17533)

    run(tmp_path, test)


OUTAGES = 4  # more than the times run()'s worker lets a job be interrupted (max_attempts=3)


def test_a_job_waits_out_an_outage_of_the_media_store_and_completes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def test(world: World) -> None:
        account = await add_account(world.db)
        recording = await add_recording(world, account, channels=1, seconds=3)
        job = await promise(world, recording, origin="cli")
        read = world.blobs.read
        refused: list[str] = []

        async def down_at_first(key: str, start: int = 0, end: int | None = None) -> bytes:
            if len(refused) < OUTAGES:
                refused.append(key)
                raise ServiceUnavailable("The media store does not answer; try again later")
            return await read(key, start, end)

        monkeypatch.setattr(world.blobs, "read", down_at_first)
        async with running(world):
            done = await settled(world, job.sid)
        assert len(refused) == OUTAGES
        assert (done.status, done.error_code) == ("completed", None)
        assert done.attempts == 1

    run(tmp_path, test)
