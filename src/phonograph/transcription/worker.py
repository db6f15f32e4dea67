"""The transcription worker: takes jobs from the database, runs the engine, settles them.

The ``transcriptions`` table is the queue (``TranscriptionRepo``), so a job survives a restart.
A job's life here:

1. **claim**: the oldest due job becomes ``in-progress`` under a lease (``lease_s``), one more
   attempt. A job whose worker died (a crash) stays ``in-progress`` until its lease expires; then
   any worker claims it again. Several workers, in one process or many, never run one job at once.
2. **prepare** (one transaction): an automatic batch job resolves its Transcription configuration
   (deleted meanwhile: 94002) into its language, participants and callback; then the rules are
   checked again (``rules.py``: PCI, eligibility, channels, length).
3. **run**: the recording's WAV is read and decoded (or a ``MEDIA_URL`` job's audio fetched and
   decoded, ``media_url.py``), and each channel goes through the engine in a thread. Progress
   (0..1) is written at most every ``progress_interval_s``, and each write renews the lease. A job
   deleted meanwhile stops at the engine's next progress report.
4. **settle** (one transaction): ``completed`` with the transcript, or ``failed`` with the error's
   code and message (plus an error Notification), and the callback in the outbox; then the outbox
   is told. A job that stopped its worker ``max_attempts`` times is failed without running again.

``stop`` puts the jobs it interrupts back in the queue for the next start. A job whose media store
does not answer (``ServiceUnavailable``, store/blobs.py) is put back too, its attempt uncounted,
and the loop waits before it claims again (doubling up to ``STORE_RETRY_MAX_S``): an outage of the
store delays a promised transcription, it does not fail it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from phonograph.core import (
    Clock,
    InternalError,
    PhonographError,
    ServiceUnavailable,
    TaskOwner,
    finish_even_if_cancelled,
)
from phonograph.store import (
    BlobNotFound,
    BlobStore,
    Database,
    NotificationLog,
    NotificationRepo,
    Recording,
    Transcription,
    TranscriptionRepo,
)
from phonograph.transcription.audio import RecordingAudio, decode_media, decode_wav
from phonograph.transcription.callbacks import enqueue_callback, transcription_url
from phonograph.transcription.engine import ProgressCallback, Segment, SpeechToText
from phonograph.transcription.media_url import MediaFetcher
from phonograph.transcription.prepare import prepare
from phonograph.transcription.rules import check_media_length
from phonograph.transcription.state import (
    RecordingNotEligible,
    TranscriptionStatus,
    check_transition,
)
from phonograph.transcription.transcript import sentences, text_of

log = logging.getLogger(__name__)

DEFAULT_LEASE_S = 30.0
"""Renewed every third of it while the job runs (``_report``), so a crashed worker's job is taken
up again within half a minute, and a busy engine never loses its job."""
PROGRESS_INTERVAL_S = 0.5
POLL_INTERVAL_S = 5.0
"""How often an idle worker looks for jobs nobody woke it for: other processes' jobs, and jobs
whose worker crashed (their lease expired)."""
MAX_ATTEMPTS = 3
STORE_RETRY_FIRST_S = 1.0
STORE_RETRY_MAX_S = 60.0
ERROR_MESSAGE_MAX_CHARS = 512  # the column's size


class _Abandoned(Exception):
    """The job is no longer this worker's (deleted, or claimed again after a lapsed lease)."""


class _Tracker:
    """Shared by the engine's thread (which reports) and the event loop (which persists)."""

    def __init__(self) -> None:
        self.progress = 0.0
        self.stopping = False
        self.channels = 1

    def reporter(self, channel_index: int) -> ProgressCallback:
        def report(fraction: float) -> None:
            if self.stopping:
                raise _Abandoned
            self.progress = (channel_index + min(max(fraction, 0.0), 1.0)) / self.channels

        return report


@dataclass(frozen=True)
class _Outcome:
    status: TranscriptionStatus
    values: dict[str, Any]


def _failure(error: PhonographError) -> _Outcome:
    message = error.message[:ERROR_MESSAGE_MAX_CHARS]
    return _Outcome(TranscriptionStatus.FAILED, {"error_code": error.code, "error_message": message})


def _ours(current: Transcription | None, job: Transcription) -> bool:
    return (
        current is not None
        and current.status == TranscriptionStatus.IN_PROGRESS.value
        and current.attempts == job.attempts
    )


class TranscriptionWorker:
    """Owns ``concurrency`` job loops (and their progress reporters) through one ``TaskOwner``."""

    def __init__(
        self,
        db: Database,
        blobs: BlobStore,
        clock: Clock,
        engine: SpeechToText,
        media: MediaFetcher,
        public_url: str,
        notify_outbox: Callable[[], None],
        *,
        concurrency: int = 1,
        lease_s: float = DEFAULT_LEASE_S,
        poll_interval_s: float = POLL_INTERVAL_S,
        progress_interval_s: float = PROGRESS_INTERVAL_S,
        max_attempts: int = MAX_ATTEMPTS,
        store_retry_s: float = STORE_RETRY_FIRST_S,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.engine = engine
        self._media = media
        self._db = db
        self._blobs = blobs
        self._clock = clock
        self.public_url = public_url
        self._notify_outbox = notify_outbox
        self._concurrency = concurrency
        self._lease = timedelta(seconds=lease_s)
        self._poll_interval_s = poll_interval_s
        self._progress_interval_s = progress_interval_s
        self._max_attempts = max_attempts
        self._store_retry_s = store_retry_s
        self._store_wait_s = 0.0  # while the media store does not answer: how long to wait
        self._wake = asyncio.Event()
        self._tasks = TaskOwner()
        self._running: dict[str, _Tracker] = {}
        self._started = False

    @property
    def running(self) -> frozenset[str]:
        """The ids of the jobs this worker is running now."""
        return frozenset(self._running)

    def start(self) -> None:
        """Start the job loops (in the running event loop)."""
        if self._started:
            raise RuntimeError("the transcription worker is already running")
        self._started = True
        for index in range(self._concurrency):
            self._tasks.spawn(self._loop(), name=f"transcription-worker-{index}")

    def wake(self) -> None:
        """Look for jobs now (call it after committing new ones)."""
        self._wake.set()

    def abandon(self, sid: str) -> None:
        """Stop running ``sid`` (it was deleted): the engine stops at its next progress report."""
        tracker = self._running.get(sid)
        if tracker is not None:
            tracker.stopping = True

    async def stop(self) -> None:
        """Stop the loops; the jobs they were running go back to the queue."""
        for tracker in self._running.values():
            tracker.stopping = True
        await self._tasks.close()
        self._started = False

    # -- the loop --------------------------------------------------------------------------------

    async def _loop(self) -> None:
        while True:
            self._wake.clear()
            job = await self._claim()
            if job is not None:
                try:
                    await self._run(job)
                except Exception:
                    log.exception("transcription job crashed sid=%s", job.sid)
                if self._store_wait_s:
                    await asyncio.sleep(self._store_wait_s)
                continue
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._poll_interval_s):
                    await self._wake.wait()

    async def _claim(self) -> Transcription | None:
        now = self._clock.now()
        try:
            async with self._db.transaction() as session:
                return await TranscriptionRepo(session).claim_next(now, now + self._lease)
        except Exception:
            log.exception("transcription claim failed")
            return None

    async def _run(self, job: Transcription) -> None:
        tracker = self._running[job.sid] = _Tracker()
        log.info(
            "transcription status sid=%s status=in-progress recording=%s attempt=%s",
            job.sid,
            job.recording_sid,
            job.attempts,
        )
        try:
            outcome = await self._outcome(job, tracker)
        except asyncio.CancelledError:
            tracker.stopping = True
            await self._release(job)
            raise
        finally:
            self._running.pop(job.sid, None)
        if outcome is None:
            log.info("transcription abandoned sid=%s", job.sid)
            return
        try:
            await finish_even_if_cancelled(self._settle(job, outcome))
        except asyncio.CancelledError:
            raise
        except Exception:
            # The lease lapses and the job is claimed again.
            log.exception("transcription settle failed sid=%s", job.sid)

    async def _outcome(self, job: Transcription, tracker: _Tracker) -> _Outcome | None:
        try:
            outcome = await self._work(job, tracker)
        except _Abandoned:
            return None
        except ServiceUnavailable:
            self._store_wait_s = min(max(2 * self._store_wait_s, self._store_retry_s), STORE_RETRY_MAX_S)
            log.warning(
                "transcription waits for the media store sid=%s retry_s=%s", job.sid, self._store_wait_s
            )
            await self._release(job)
            return None
        except PhonographError as exc:
            return _failure(exc)
        except Exception as exc:
            log.exception("transcription crashed sid=%s", job.sid)
            return _failure(InternalError(f"Transcription failed: {type(exc).__name__}: {exc}"))
        self._store_wait_s = 0.0
        return outcome

    # -- one job ---------------------------------------------------------------------------------

    async def _work(self, job: Transcription, tracker: _Tracker) -> _Outcome:
        if job.attempts > self._max_attempts:
            raise InternalError(
                f"Transcription {job.sid} was interrupted {job.attempts - 1} times (its worker stopped"
                " or crashed): given up"
            )
        async with self._db.transaction() as session:
            prepared = await prepare(session, job, self._clock.now())
        if prepared.refusal is not None:
            raise prepared.refusal
        job = prepared.job
        audio = await self._audio(job, prepared.recording)
        per_channel = await self._transcribe(job, audio, tracker)
        transcript = sentences(per_channel, job.participants)
        values = {
            "text": text_of(transcript),
            "sentences": transcript,
            "duration_s": audio.whole_seconds,
            "progress": 1.0,
            "error_code": None,
            "error_message": None,
        }
        return _Outcome(TranscriptionStatus.COMPLETED, values)

    async def _audio(self, job: Transcription, recording: Recording | None) -> RecordingAudio:
        """The recording's media, or the job's ``mediaUrl`` (fetched now), decoded."""
        if job.media_url is not None:
            data = await self._media.fetch(job.media_url)
            audio = await asyncio.to_thread(decode_media, data)
            check_media_length(audio.duration_s, job.media_url)
            return audio
        assert recording is not None
        assert recording.media_key is not None
        try:
            data = await self._blobs.read(recording.media_key)
        except BlobNotFound as exc:
            raise RecordingNotEligible(f"Recording {recording.sid} has no media any more") from exc
        return await asyncio.to_thread(decode_wav, data)

    async def _transcribe(
        self, job: Transcription, audio: RecordingAudio, tracker: _Tracker
    ) -> list[list[Segment]]:
        tracker.channels = len(audio.channels)
        reporter = self._tasks.spawn(self._report(job, tracker), name=f"transcription-progress {job.sid}")
        try:
            heard: list[list[Segment]] = []
            for index, channel in enumerate(audio.channels):
                heard.append(
                    await asyncio.to_thread(
                        self.engine.transcribe, channel, job.language, tracker.reporter(index)
                    )
                )
            return heard
        finally:
            # Awaited, so that no progress write lands after the job is settled.
            reporter.cancel()
            await asyncio.wait({reporter})

    async def _report(self, job: Transcription, tracker: _Tracker) -> None:
        """Write the job's progress (and renew its lease) at most every ``progress_interval_s``;
        stop the engine when the job is no longer ours."""
        written = -1.0
        renewed_at = time.monotonic()
        renew_every_s = self._lease.total_seconds() / 3
        while True:
            await asyncio.sleep(self._progress_interval_s)
            progress = round(tracker.progress, 3)
            if progress == written and time.monotonic() - renewed_at < renew_every_s:
                continue
            try:
                ours = await self._touch(job, progress)
            except Exception:
                log.exception("transcription progress write failed sid=%s", job.sid)
                continue
            if not ours:
                tracker.stopping = True
                return
            written, renewed_at = progress, time.monotonic()

    async def _touch(self, job: Transcription, progress: float) -> bool:
        async with self._db.transaction() as session:
            repo = TranscriptionRepo(session)
            if not _ours(await repo.get(job.sid), job):
                return False
            now = self._clock.now()
            await repo.change(job.sid, now, progress=progress, lease_until=now + self._lease)
            return True

    async def _settle(self, job: Transcription, outcome: _Outcome) -> None:
        now = self._clock.now()
        async with self._db.transaction() as session:
            repo = TranscriptionRepo(session)
            current = await repo.get(job.sid)
            if current is None or not _ours(current, job):
                log.info("transcription result dropped, no longer this worker's sid=%s", job.sid)
                return
            check_transition(TranscriptionStatus(current.status), outcome.status, job.sid)
            settled = await repo.change(
                job.sid, now, status=outcome.status.value, lease_until=None, **outcome.values
            )
            queued = await enqueue_callback(session, settled, self.public_url, now)
            if outcome.status is TranscriptionStatus.FAILED:
                await NotificationRepo(session).create(
                    account_sid=settled.account_sid,
                    call_sid=settled.call_sid,
                    error_code=settled.error_code or InternalError.code,
                    log=NotificationLog.ERROR,
                    message_text=settled.error_message or "",
                    request_url=transcription_url(self.public_url, settled),
                    request_method="",
                    now=now,
                )
        if queued:
            self._notify_outbox()
        log.info(
            "transcription status sid=%s status=%s recording=%s code=%s duration_s=%s",
            settled.sid,
            settled.status,
            settled.recording_sid,
            settled.error_code,
            settled.duration_s,
        )

    async def _release(self, job: Transcription) -> None:
        """Put an interrupted job back in the queue (its attempt does not count)."""
        try:
            async with self._db.transaction() as session:
                repo = TranscriptionRepo(session)
                if _ours(await repo.get(job.sid), job):
                    await repo.change(
                        job.sid,
                        self._clock.now(),
                        status=TranscriptionStatus.QUEUED.value,
                        lease_until=None,
                        progress=0.0,
                        attempts=job.attempts - 1,
                    )
        except Exception:
            # Its lease lapses instead, and the job is claimed again then.
            log.exception("transcription release failed sid=%s", job.sid)
