"""TranscriptionService: what a create checks (the rules, the queue bound, Idempotency-Key), and
what it stores."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from phonograph.core import NotFound, PhonographError
from phonograph.store import Account
from phonograph.transcription import (
    BatchSource,
    ComplianceRefused,
    IdempotencyKeyReused,
    MediaTooShort,
    QueueFull,
    RecordingNotEligible,
    TranscriptionConfigurationNotFound,
    TranscriptionNotFound,
    TranscriptionService,
)
from tests.unit.transcription.support import (
    World,
    add_account,
    add_configuration,
    add_recording,
    configuration_body,
    get,
    promise,
    run,
)


async def _batch(
    service: TranscriptionService,
    account: Account,
    configuration_id: str,
    source_id: str,
    key: str | None = None,
    body: dict[str, Any] | None = None,
) -> Any:
    return await service.create_batch(
        account,
        configuration_id=configuration_id,
        source=BatchSource(recording_sid=source_id),
        participants=[],
        idempotency_key=key,
        body=body if body is not None else {"sourceId": source_id},
    )


def test_create_batch_stores_a_queued_job_with_its_configuration(tmp_path: Path) -> None:
    async def test(world: World) -> None:
        account = await add_account(world.db)
        configuration_id = await add_configuration(world.db, account)
        recording = await add_recording(world, account, channels=2, seconds=7)
        created = await world.service.create_batch(
            account,
            configuration_id=configuration_id,
            source=BatchSource(recording_sid=recording.sid),
            participants=[{"audioChannelIndex": 1, "type": "CUSTOMER", "name": "Ada", "address": "+1555"}],
            idempotency_key="key-1",
            body={"sourceId": recording.sid, "x": 1},
        )
        assert created.sid.startswith("voice_transcription_")
        assert (created.kind, created.origin, created.status) == ("batch", "api", "queued")
        assert (created.recording_sid, created.call_sid) == (recording.sid, recording.call_sid)
        assert (created.configuration_id, created.resolved_configuration) == (
            configuration_id,
            configuration_body(),
        )
        assert (created.language, created.duration_s, created.idempotency_key) == ("en-US", 7, "key-1")
        assert created.request_body == {"sourceId": recording.sid, "x": 1}
        assert created.participants == [
            {"type": "CUSTOMER", "address": "+1555", "name": "Ada", "audioChannelIndex": 1},
            {"type": "HUMAN_AGENT", "address": None, "name": None, "audioChannelIndex": 2},
        ]
        assert await get(world, created.sid) == created

    run(tmp_path, test)


def test_an_idempotency_key_replays_the_same_body_and_refuses_another(tmp_path: Path) -> None:
    async def test(world: World) -> None:
        account = await add_account(world.db)
        configuration_id = await add_configuration(world.db, account)
        recording = await add_recording(world, account)
        first = await _batch(world.service, account, configuration_id, recording.sid, "k")
        again = await _batch(world.service, account, configuration_id, recording.sid, "k")
        assert again == first
        with pytest.raises(IdempotencyKeyReused) as refused:
            await _batch(world.service, account, configuration_id, recording.sid, "k", {"other": True})
        assert (refused.value.code, refused.value.status) == (20001, 422)
        # Keys are per account.
        other = await add_account(world.db)
        other_configuration = await add_configuration(world.db, other)
        other_recording = await add_recording(world, other)
        theirs = await _batch(world.service, other, other_configuration, other_recording.sid, "k")
        assert theirs.sid != first.sid

    run(tmp_path, test)


def test_a_full_queue_refuses_with_20429_but_replays_still_answer(tmp_path: Path) -> None:
    async def test(world: World) -> None:
        account = await add_account(world.db)
        configuration_id = await add_configuration(world.db, account)
        recording = await add_recording(world, account)
        first = await _batch(world.service, account, configuration_id, recording.sid, "k")
        await promise(world, recording)  # an automatic job counts too
        with pytest.raises(QueueFull) as full:
            await _batch(world.service, account, configuration_id, recording.sid)
        assert (full.value.code, full.value.status, full.value.retry_after_s) == (20429, 429, 10)
        with pytest.raises(QueueFull):
            await world.service.create_for_recording(account, recording.sid)
        assert await _batch(world.service, account, configuration_id, recording.sid, "k") == first

    run(tmp_path, test, queue_limit=2)


async def _refusal(world: World, make: Any) -> PhonographError:
    with pytest.raises(PhonographError) as refused:
        await make()
    return refused.value


def test_create_batch_applies_the_rules(tmp_path: Path) -> None:
    async def test(world: World) -> None:
        account = await add_account(world.db)
        configuration_id = await add_configuration(world.db, account)
        mono = await add_recording(world, account, channels=1)
        short = await add_recording(world, account, channels=2, seconds=1)
        absent = await add_recording(world, account, status="absent")
        service = world.service

        async def code_of(account: Account, configuration: str, source: str) -> tuple[type, int, int]:
            error = await _refusal(world, lambda: _batch(service, account, configuration, source))
            return type(error), error.code, error.status

        assert await code_of(account, "nope", mono.sid) == (TranscriptionConfigurationNotFound, 17501, 400)
        assert await code_of(account, configuration_id, mono.sid) == (RecordingNotEligible, 17533, 400)
        assert await code_of(account, configuration_id, absent.sid) == (RecordingNotEligible, 17533, 400)
        assert await code_of(account, configuration_id, "RE" + "0" * 32) == (RecordingNotEligible, 17533, 400)
        assert await code_of(account, configuration_id, short.sid) == (MediaTooShort, 17554, 400)
        # Another account's configuration and recording are not this account's.
        other = await add_account(world.db)
        assert (await code_of(other, configuration_id, mono.sid))[1] == 17501
        for compliance in (
            await add_account(world.db, pci_mode=True),
            await add_account(world.db, hipaa=True),
        ):
            theirs = await add_configuration(world.db, compliance)
            recording = await add_recording(world, compliance)
            assert await code_of(compliance, theirs, recording.sid) == (ComplianceRefused, 17531, 403)

    run(tmp_path, test)


def test_create_for_recording_makes_a_legacy_job_without_limits(tmp_path: Path) -> None:
    async def test(world: World) -> None:
        account = await add_account(world.db)
        short_mono = await add_recording(world, account, channels=1, seconds=1)
        created = await world.service.create_for_recording(account, short_mono.sid)
        assert created.sid.startswith("TR")
        assert (created.kind, created.origin, created.status, created.language) == (
            "legacy",
            "cli",
            "queued",
            "en-US",
        )
        assert (created.recording_sid, created.call_sid, created.callback_url) == (
            short_mono.sid,
            short_mono.call_sid,
            None,
        )
        with pytest.raises(NotFound):
            await world.service.create_for_recording(account, "RE" + "0" * 32)
        absent = await add_recording(world, account, status="absent")
        with pytest.raises(RecordingNotEligible):
            await world.service.create_for_recording(account, absent.sid)
        pci = await add_account(world.db, pci_mode=True)
        theirs = await add_recording(world, pci)
        with pytest.raises(ComplianceRefused):
            await world.service.create_for_recording(pci, theirs.sid)
        # HIPAA refuses batch transcription only.
        hipaa = await add_account(world.db, hipaa=True)
        assert (await world.service.create_for_recording(hipaa, (await add_recording(world, hipaa)).sid)).sid

    run(tmp_path, test)


def test_get_and_delete(tmp_path: Path) -> None:
    async def test(world: World) -> None:
        account = await add_account(world.db)
        recording = await add_recording(world, account)
        created = await world.service.create_for_recording(account, recording.sid)
        assert await world.service.get(account.sid, created.sid) == created
        other = await add_account(world.db)
        with pytest.raises(TranscriptionNotFound):
            await world.service.get(other.sid, created.sid)
        await world.service.delete(created)
        with pytest.raises(TranscriptionNotFound) as gone:
            await world.service.get(account.sid, created.sid)
        assert (gone.value.code, gone.value.status) == (20404, 404)

    run(tmp_path, test)
