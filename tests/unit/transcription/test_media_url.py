"""v3 ``MEDIA_URL`` jobs: ``MediaFetcher`` against a real local HTTP server (tests/support/webapp.py),
and the worker fetching, decoding and transcribing the audio (with the fake engine), or failing the
job with the code of what went wrong (11205, 11200, 12300, 17554, 17531)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import lameenc
import numpy as np
import pytest

from phonograph.store import Account, AccountRepo, Transcription
from phonograph.testing.server import free_port
from phonograph.testing.webapp import WebApp
from phonograph.transcription import BatchSource, MediaFetcher, MediaUnavailable
from tests.unit.transcription.support import (
    CALLBACK_URL,
    PUBLIC_URL,
    World,
    add_account,
    add_configuration,
    outbox,
    run,
    running,
    settled,
    tone,
    wav_bytes,
)

STARTED = datetime(2026, 11, 21, 10, 30, tzinfo=UTC)


@pytest.fixture
def app() -> Iterator[WebApp]:
    with WebApp() as served:
        yield served


def mp3_bytes(samples: np.ndarray, rate_hz: int = 16_000) -> bytes:
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(32)
    encoder.set_in_sample_rate(rate_hz)
    encoder.set_channels(1)
    encoder.set_quality(7)
    return bytes(encoder.encode(samples.astype("<i2").tobytes()) + encoder.flush())


async def fetched(url: str, *, timeout_s: float = 5.0, max_bytes: int = 1 << 20) -> bytes:
    async with httpx.AsyncClient() as http:
        return await MediaFetcher(http, timeout_s=timeout_s, max_bytes=max_bytes).fetch(url)


# --- MediaFetcher ---------------------------------------------------------------------------------


def test_the_fetcher_follows_redirects_and_returns_the_body(app: WebApp) -> None:
    target = app.respond("/media.wav", b"RIFF-bytes", content_type="audio/wav")
    moved = app.respond("/old.wav", b"", status=302, headers={"Location": target})
    assert asyncio.run(fetched(moved)) == b"RIFF-bytes"
    assert [hit.method for hit in app.hits("/media.wav")] == ["GET"]


@pytest.mark.parametrize(
    ("status", "code"),
    [(404, 11200), (500, 11200), (401, 11200)],
)
def test_an_answer_that_is_not_a_2xx_is_11200(app: WebApp, status: int, code: int) -> None:
    with pytest.raises(MediaUnavailable, match=f"HTTP {status}") as info:
        asyncio.run(fetched(app.fail("/missing.wav", status)))
    assert info.value.code == code


def test_no_answer_is_11205() -> None:
    with pytest.raises(MediaUnavailable, match="HTTP connection failure") as info:
        asyncio.run(fetched(f"http://127.0.0.1:{free_port()}/media.wav"))
    assert info.value.code == 11205


def test_an_answer_too_slow_is_11205(app: WebApp) -> None:
    slow = app.respond("/slow.wav", b"RIFF", delay_s=2.0)
    with pytest.raises(MediaUnavailable, match=r"within 0\.2 s") as info:
        asyncio.run(fetched(slow, timeout_s=0.2))
    assert info.value.code == 11205


def test_a_body_over_the_limit_is_11200(app: WebApp) -> None:
    url = app.respond("/big.wav", b"x" * 5000)
    assert asyncio.run(fetched(url, max_bytes=5000)) == b"x" * 5000
    with pytest.raises(MediaUnavailable, match="larger than 4999 bytes") as info:
        asyncio.run(fetched(url, max_bytes=4999))
    assert info.value.code == 11200


# --- jobs -----------------------------------------------------------------------------------------


async def media_job(world: World, account: Account, url: str) -> Transcription:
    configuration_id = await add_configuration(world.db, account)
    return await world.service.create_batch(
        account,
        configuration_id=configuration_id,
        source=BatchSource(media_url=url, audio_started_at=STARTED),
        participants=[],
        idempotency_key=None,
        body={"mediaUrl": url},
    )


def test_a_dual_wav_is_transcribed_per_channel_and_calls_back_with_its_url(
    tmp_path: Path, app: WebApp
) -> None:
    url = app.respond("/call.wav", wav_bytes([tone(4.5), tone(4.5, 880.0)]), content_type="audio/wav")

    async def test(world: World) -> None:
        account = await add_account(world.db)
        job = await media_job(world, account, url)
        assert (job.media_url, job.audio_started_at, job.recording_sid, job.duration_s) == (
            url,
            STARTED,
            None,
            None,
        )
        async with running(world):
            done = await settled(world, job.sid)
        assert (done.status, done.duration_s, done.error_code) == ("completed", 5, None)
        # Two channels of 4.5 s, at 16 kHz: one engine run each.
        assert world.engine.calls == [(72_000, "en-US"), (72_000, "en-US")]
        assert [sentence["channel"] for sentence in done.sentences or []] == [1, 2, 1]
        [message] = await outbox(world.db)
        assert message.url == CALLBACK_URL
        assert list(message.params) == [
            ("AccountSid", account.sid),
            ("TranscriptionId", job.sid),
            ("TranscriptionStatus", "COMPLETED"),
            ("TranscriptionUrl", f"{PUBLIC_URL}/v3/Transcriptions/{job.sid}"),
            ("TranscriptUrl", f"{PUBLIC_URL}/phonograph/v1/Transcriptions/{job.sid}"),
            ("SourceId", ""),
            ("MediaUrl", url),
            ("TranscriptionConfigurationId", job.configuration_id),
            ("Duration", "5"),
            ("ErrorCode", "0"),
        ]

    run(tmp_path, test)


def test_a_mono_mp3_is_one_channel(tmp_path: Path, app: WebApp) -> None:
    url = app.respond("/voicemail.mp3", mp3_bytes(tone(2.9, rate_hz=16_000)), content_type="audio/mpeg")

    async def test(world: World) -> None:
        job = await media_job(world, await add_account(world.db), url)
        async with running(world):
            done = await settled(world, job.sid)
        assert (done.status, done.duration_s) == ("completed", 3)
        [(samples, language)] = world.engine.calls
        # MP3 frames pad the end a little: 2.9 s at 16 kHz, and less than two frames more.
        assert 46_400 <= samples < 46_400 + 2 * 1152
        assert language == "en-US"
        assert {sentence["channel"] for sentence in done.sentences or []} == {1}

    run(tmp_path, test)


def _failing_media() -> dict[str, tuple[bytes, int, str]]:
    three_channels = wav_bytes([tone(3.0), tone(3.0), tone(3.0)])
    return {
        "html": (b"<html><body>Not found</body></html>", 12300, "HTML"),
        "three channels": (three_channels, 12300, "3 channels"),
        "one second": (wav_bytes([tone(1.0), tone(1.0)]), 17554, "1.00 s"),
    }


@pytest.mark.parametrize("case", list(_failing_media()))
def test_media_that_cannot_be_transcribed_fails_the_job(tmp_path: Path, app: WebApp, case: str) -> None:
    body, code, mentions = _failing_media()[case]
    url = app.respond("/media", body)

    async def test(world: World) -> None:
        job = await media_job(world, await add_account(world.db), url)
        async with running(world):
            done = await settled(world, job.sid)
        assert (done.status, done.error_code) == ("failed", code)
        assert mentions in (done.error_message or "")
        assert world.engine.calls == []
        [message] = await outbox(world.db)
        assert ("ErrorCode", str(code)) in message.params

    run(tmp_path, test)


def test_unreachable_media_fails_the_job_with_11205(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/call.wav"

    async def test(world: World) -> None:
        job = await media_job(world, await add_account(world.db), url)
        async with running(world):
            done = await settled(world, job.sid)
        assert (done.status, done.error_code) == ("failed", 11205)

    run(tmp_path, test)


def test_pci_mode_turned_on_before_the_job_runs_fails_it_unfetched(tmp_path: Path, app: WebApp) -> None:
    url = app.respond("/call.wav", wav_bytes([tone(3.0), tone(3.0)]))

    async def test(world: World) -> None:
        account = await add_account(world.db)
        job = await media_job(world, account, url)
        async with world.db.transaction() as session:
            await AccountRepo(session).change_media_settings(account.sid, datetime.now(UTC), pci_mode=True)
        async with running(world):
            done = await settled(world, job.sid)
        assert (done.status, done.error_code) == ("failed", 17531)
        assert app.hits("/call.wav") == []

    run(tmp_path, test)
