"""The recording service: starts taps on call legs, steers them, finalizes their journals into media.

One recording's life (docs/architecture.md, "Recording is crash-safe"):

1. ``begin`` creates the journal on disk, attaches a ``Recorder`` to the leg, then stores the row
   (``in-progress``) with its ``in-progress`` callback in one transaction.
2. ``control`` pauses, resumes or stops it at the media frame its request arrived on.
3. A stopped recording is finalized by an owned task: ``processing``, then the journal is composed
   (layout, pauses, trim) and stored as WAV in the blob store: ``completed``, or ``absent`` when
   nothing audible was captured; its callback is queued in the same transaction, and so are the
   transcriptions a completed recording owes (recording/transcriptions.py); the journal goes.
   A finalization that fails (the blob store is down, the disk is full) keeps its journal and is
   tried again, less and less often, until it succeeds or the server stops.
4. After a crash, ``start`` finalizes every journal a previous process left, before anything else.

A call's end stops its recordings (``stop_call``), including one whose start was still being set up
when the call ended; a start that comes after is refused (21220).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from phonograph.core import Clock, InvalidParameter, new_sid
from phonograph.core.recording_terms import recording_path
from phonograph.core.tasks import TaskOwner, finish_even_if_cancelled
from phonograph.media import FrameListener, MediaClock
from phonograph.recording.callbacks import enqueue_callback
from phonograph.recording.compose import Layout, compose, mix
from phonograph.recording.encode import (
    MP3_BLOCK_FRAMES,
    WAV_HEADER_BYTES,
    Mp3Encoder,
    encode_wav,
    wav_channels,
    wav_header,
)
from phonograph.recording.enums import Channels, Track, Trim
from phonograph.recording.journal import (
    Journal,
    JournalFlusher,
    has_journal,
    journal_folders,
    read_journal,
    remove_journal,
)
from phonograph.recording.ledger import encode_pauses, pause_ledger
from phonograph.recording.plan import RecordingPlan
from phonograph.recording.recorder import MODE_OF_PAUSE, FrameHistory, Mode, Recorder
from phonograph.recording.shipping import JournalShipper
from phonograph.recording.state import (
    SILENT,
    TOO_SHORT,
    UNFINISHED,
    CallEnding,
    IllegalRecordingTransition,
    MoreThanOneActive,
    PauseBehavior,
    RecordingNotFound,
    RecordingStatus,
    check_transition,
)
from phonograph.recording.transcriptions import in_pci_mode, promise_transcriptions
from phonograph.store import BlobStore, Database, Recording, RecordingRepo

log = logging.getLogger(__name__)

CURRENT = "Twilio.CURRENT"
"""In place of a recording SID: the one active recording of the call or conference
(twilio.com/docs/voice/api/recording)."""

FINALIZE_RETRY_FIRST_S = 1.0
FINALIZE_RETRY_MAX_S = 60.0
ENDED_CALLS_KEPT_S = 60.0
"""How long a call's end is remembered: far longer than a start racing the end can take."""


class Tap(Protocol):
    """Where a recording listens: a call's media leg, or a conference's mixer."""

    listeners: list[FrameListener]


@dataclass
class LiveRecording:
    recording: Recording
    recorder: Recorder
    leg: Tap
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class RecordingService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        media: MediaClock,
        blobs: BlobStore,
        journal_dir: Path,
        public_url: str,
        notify: Callable[[], None],
        *,
        node_id: str,
        on_transcriptions: Callable[[], None] | None = None,
    ) -> None:
        """``notify`` wakes the outbox worker once a callback is queued; ``on_transcriptions`` wakes
        the transcription workers once a completed recording queued transcriptions
        (recording/transcriptions.py). ``node_id`` owns the recordings this service starts."""
        self.blobs = blobs
        self.node_id = node_id
        self._db = db
        self._clock = clock
        self._media = media
        self._journal_dir = journal_dir
        self._public_url = public_url
        self._notify = notify
        self._on_transcriptions = on_transcriptions or _nothing
        self._live: dict[str, LiveRecording] = {}
        self._histories: dict[str, FrameHistory] = {}  # by CallSid, while a start is in flight
        self._finalizing: dict[str, asyncio.Task[Recording | None]] = {}
        self._ended_calls: dict[str, datetime] = {}  # oldest first
        self._closing = asyncio.Event()
        self._flusher = JournalFlusher(journal_dir)
        self._shipper = JournalShipper(blobs)
        self._tasks = TaskOwner()

    @property
    def live_count(self) -> int:
        """Recordings in progress (paused ones too), for the server's metrics."""
        return len(self._live)

    # -- life of the service ---------------------------------------------------------------------

    async def start(self) -> None:
        """Remove the journals a crash left behind after their recording finished, then start
        flushing journals. Unfinished recordings wait for ``recover``."""
        await self._remove_finished_journals()
        self._flusher.start()
        self._shipper.start()

    async def close(self) -> None:
        """Stop every live recording and let its finalization finish (a graceful shutdown); one that
        fails is left to the next start-up."""
        self._closing.set()
        for sid in list(self._live):
            await self.stop_if_live(sid)
        await asyncio.gather(*self._finalizing.values(), return_exceptions=True)
        await self._shipper.stop()
        await self._flusher.stop()
        await self._tasks.close()

    # -- live recordings -------------------------------------------------------------------------

    @contextlib.contextmanager
    def keeping_frames(self, call_sid: str, leg: Tap) -> Iterator[None]:
        """While a request to start recording ``call_sid`` is handled, ``leg`` keeps its recent
        frames, so that ``begin(from_frame=…)`` can start on the frame the request arrived on."""
        history = self._histories.get(call_sid)
        if history is None:
            history = self._histories[call_sid] = FrameHistory(self._media)
            leg.listeners.append(history)
        history.users += 1
        try:
            yield
        finally:
            history.users -= 1
            if not history.users:
                del self._histories[call_sid]
                leg.listeners.remove(history)

    async def begin(
        self,
        *,
        account_sid: str,
        call_sid: str | None,
        leg: Tap,
        plan: RecordingPlan,
        name: str | None = None,
        conference_sid: str | None = None,
        from_frame: int | None = None,
    ) -> Recording:
        """Start recording ``leg`` now, or from ``from_frame`` on where the call's frames since
        then were kept (``keeping_frames``), as ``plan`` says."""
        if call_sid is not None and call_sid in self._ended_calls:
            raise CallEnding(f"Call {call_sid} is ending: a recording can no longer start on it")
        sid, now = new_sid("RE"), self._clock.now()
        # The tap goes on this frame; the journal (a thread hop and an fsync) catches up with it.
        history = self._histories.get(call_sid or "")
        earlier = None if history is None or from_frame is None else history.since(from_frame)
        recorder = Recorder(self._media, earlier)
        leg.listeners.append(recorder)
        try:
            journal = await asyncio.to_thread(Journal.create, self._journal_dir, sid)
        except BaseException:
            leg.listeners.remove(recorder)
            raise
        recorder.attach(journal)
        self._flusher.add(journal)
        self._shipper.add(journal)
        row = Recording(
            sid=sid,
            account_sid=account_sid,
            call_sid=call_sid,
            conference_sid=conference_sid,
            source=plan.source.value,
            status=RecordingStatus.IN_PROGRESS.value,
            channels=plan.layout.channel_count,
            track=plan.layout.track.value,
            trim=plan.trim.value,
            start_time=now,
            duration_s=None,
            error_code=None,
            status_callback=plan.status_callback,
            status_callback_method=plan.status_callback_method.value,
            status_callback_events=[event.value for event in plan.status_callback_events],
            configuration_id=plan.configuration_id,
            name=name,
            media_key=None,
            date_created=now,
            date_updated=now,
            transcribe=plan.transcribe,
            transcribe_callback=plan.transcribe_callback,
            transcription_features=list(plan.feature_ids),
            owner_node=self.node_id,
        )
        try:
            recording = await finish_even_if_cancelled(self._go_live(row, recorder, leg))
        except asyncio.CancelledError:
            # Stored and live all the same: the call's end, which cancelled this start, stops it
            # with the call's other recordings (a row left in-progress would never finish).
            raise
        except BaseException:
            leg.listeners.remove(recorder)
            self._flusher.remove(journal)
            self._shipper.remove(journal)
            journal.close()
            await asyncio.to_thread(remove_journal, journal.path)
            raise
        if call_sid is not None and call_sid in self._ended_calls:
            # The call ended while this start was being set up, after stop_call looked: it ends with
            # its call like every other recording of it (else it would stay in-progress for good).
            await self.stop_if_live(sid)
        return recording

    async def _go_live(self, row: Recording, recorder: Recorder, leg: Tap) -> Recording:
        """Store the new recording and make it live, as one step that a cancel does not cut."""
        recording, queued = await self._store_new(row)
        self._live[row.sid] = LiveRecording(recording, recorder, leg)
        if queued:
            self._notify()
        log.info("recording started sid=%s call=%s source=%s", row.sid, row.call_sid, row.source)
        return recording

    async def _store_new(self, row: Recording) -> tuple[Recording, bool]:
        async with self._db.transaction() as session:
            row = replace(row, pci_mode=await in_pci_mode(session, row.account_sid))
            recording = await RecordingRepo(session).create(row)
            queued = await enqueue_callback(
                session, recording, RecordingStatus.IN_PROGRESS, self._public_url, row.date_created
            )
        return recording, queued

    def url(self, recording: Recording) -> str:
        """``RecordingUrl``: the media URL, without extension (twilio.com/docs/voice/api/recording)."""
        return self._public_url + recording_path(recording.account_sid, recording.sid)

    def live_for_call(self, call_sid: str) -> list[Recording]:
        """The recordings capturing ``call_sid`` now (in-progress or paused), oldest first."""
        return [live.recording for live in self._live.values() if live.recording.call_sid == call_sid]

    def live_for_conference(self, conference_sid: str) -> list[Recording]:
        """The recordings capturing the conference now (in-progress or paused), oldest first."""
        return [
            live.recording for live in self._live.values() if live.recording.conference_sid == conference_sid
        ]

    async def named(
        self,
        account_sid: str,
        sid: str,
        owner: str,
        live: list[Recording],
        belongs: Callable[[Recording], bool],
    ) -> str:
        """The recording a control names: ``sid`` when it is one of ``owner``'s (a path such as
        ``/Calls/CA…``), or for ``Twilio.CURRENT`` the one recording in ``live``
        (twilio.com/docs/voice/api/recording: 16108 when there are more; none is a 404,
        docs/compatibility.md)."""
        if sid == CURRENT:
            if not live:
                raise RecordingNotFound(f"{owner} has no active recording")
            if len(live) > 1:
                raise MoreThanOneActive(f"{owner} has {len(live)} active recordings: name one by its Sid")
            return live[0].sid
        async with self._db.transaction() as session:
            recording = await RecordingRepo(session).get_for_account(account_sid, sid)
        if recording is None or not belongs(recording):
            raise RecordingNotFound(f"The requested resource {owner}/Recordings/{sid} was not found")
        return sid

    async def control(
        self,
        sid: str,
        wanted: RecordingStatus,
        *,
        behavior: PauseBehavior = PauseBehavior.SILENCE,
        at_frame: int | None = None,
    ) -> Recording:
        """Pause (``paused``), resume (``in-progress``) or stop (``stopped``) from ``at_frame`` on
        (default: now). Pausing a paused or resuming a running recording changes nothing."""
        live = self._live.get(sid)
        if live is None:
            return await self._not_live(sid, wanted)
        frame = self._media.frame_index if at_frame is None else at_frame
        async with live.lock:
            current = RecordingStatus(live.recording.status)
            if wanted is current and wanted is not RecordingStatus.STOPPED:
                return live.recording
            check_transition(current, wanted, sid)
            if wanted is RecordingStatus.STOPPED:
                return await finish_even_if_cancelled(self._stop(live, frame))
            mode = Mode.RECORDING if wanted is RecordingStatus.IN_PROGRESS else MODE_OF_PAUSE[behavior]
            live.recorder.control(mode, frame)
            journal = live.recorder.journal
            await asyncio.to_thread(journal.event, wanted.value, frame=frame, behavior=behavior.value)
            async with self._db.transaction() as session:
                live.recording = await RecordingRepo(session).change(
                    sid, self._clock.now(), status=wanted.value
                )
        log.info("recording status sid=%s status=%s frame=%s", sid, wanted.value, frame)
        return live.recording

    async def get(self, sid: str) -> Recording:
        """The row of a recording known to exist (one a control just answered with)."""
        async with self._db.read() as session:
            recording = await RecordingRepo(session).get(sid)
        assert recording is not None, f"recording {sid} exists"
        return recording

    async def _not_live(self, sid: str, wanted: RecordingStatus) -> Recording:
        async with self._db.transaction() as session:
            recording = await RecordingRepo(session).get(sid)
        if recording is None:
            raise RecordingNotFound(f"The requested resource /Recordings/{sid} was not found")
        current = RecordingStatus(recording.status)
        check_transition(current, wanted, sid)
        # Live in the database but not in this process: its process is gone; a restart finalizes it.
        raise IllegalRecordingTransition(f"Recording {sid} is not capturing audio in this server process")

    async def _stop(self, live: LiveRecording, frame: int) -> Recording:
        sid, recorder = live.recording.sid, live.recorder
        kept_frames = recorder.stop(frame)
        if recorder in live.leg.listeners:
            live.leg.listeners.remove(recorder)
        self._flusher.remove(recorder.journal)
        self._shipper.remove(recorder.journal)
        del self._live[sid]
        pauses = encode_pauses([pause.as_json() for pause in recorder.pauses])
        await asyncio.to_thread(
            recorder.journal.event, "stop", frame=frame, frames=kept_frames, pauses=pauses
        )
        await asyncio.to_thread(recorder.journal.close)
        async with self._db.transaction() as session:
            live.recording = await RecordingRepo(session).change(
                sid, self._clock.now(), status=RecordingStatus.STOPPED.value
            )
        self._finalizing[sid] = self._tasks.spawn(self._finalize(sid), name=f"finalize {sid}")
        log.info("recording status sid=%s status=stopped frame=%s", sid, frame)
        return live.recording

    async def stop_call(self, call_sid: str, at_frame: int) -> None:
        """Stop every recording of a call that ended on ``at_frame``, also one that starts
        meanwhile; later starts on the call are refused (``begin``)."""
        now = self._clock.now()
        ended = self._ended_calls
        while ended and next(iter(ended.values())) < now - timedelta(seconds=ENDED_CALLS_KEPT_S):
            del ended[next(iter(ended))]
        ended[call_sid] = now
        while live := self.live_for_call(call_sid):
            for recording in live:
                await self.stop_if_live(recording.sid, at_frame)

    async def stop_conference(self, conference_sid: str) -> None:
        """Stop the recordings of a conference that ended (the only way they stop,
        twilio.com/docs/voice/api/conference-resource)."""
        for recording in self.live_for_conference(conference_sid):
            await self.stop_if_live(recording.sid)

    async def stop_if_live(self, sid: str, at_frame: int | None = None) -> None:
        """Stop ``sid`` from ``at_frame`` (default: now) unless something else stopped it first
        (the call's end, a REST stop)."""
        live = self._live.get(sid)
        if live is None:
            return
        frame = self._media.frame_index if at_frame is None else at_frame
        async with live.lock:
            if self._live.get(sid) is live:
                await finish_even_if_cancelled(self._stop(live, frame))

    # -- finalization ----------------------------------------------------------------------------

    async def _finalize(self, sid: str, first_delay_s: float = 0.0) -> Recording | None:
        """Finalize ``sid``, trying again after each failure (backing off) until the service closes."""
        delay_s = first_delay_s
        try:
            while True:
                if delay_s and await self._closed_within(delay_s):
                    return None
                finished = await self._finalize_once(sid)
                if finished is not None or self._closing.is_set():
                    return finished
                delay_s = min(max(2 * delay_s, FINALIZE_RETRY_FIRST_S), FINALIZE_RETRY_MAX_S)
        finally:
            self._finalizing.pop(sid, None)

    async def _finalize_once(self, sid: str) -> Recording | None:
        try:
            return await self._compose_and_store(sid)
        except Exception:
            # The journal stays: a later try, or the next start-up, finalizes it. Nothing is lost.
            log.exception("recording finalization failed sid=%s", sid)
            return None

    async def _closed_within(self, delay_s: float) -> bool:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), delay_s)
        return self._closing.is_set()

    async def _compose_and_store(self, sid: str) -> Recording:
        async with self._db.transaction() as session:
            recording = await RecordingRepo(session).get(sid)
            assert recording is not None
            current = RecordingStatus(recording.status)
            if current in UNFINISHED and current is not RecordingStatus.PROCESSING:
                recording = await RecordingRepo(session).change(
                    sid, self._clock.now(), status=RecordingStatus.PROCESSING.value
                )
        if current not in UNFINISHED:
            # Settled by an earlier try that failed only to remove the journal.
            await asyncio.to_thread(remove_journal, self._journal_dir / sid)
            return recording
        if not await asyncio.to_thread(has_journal, self._journal_dir, sid):
            # Its node died for good (calls/nodes.py): what it shipped is all there is; without
            # segments the journal reads empty and the recording ends absent.
            await self._shipper.fetch(sid, self._journal_dir)
        contents = await asyncio.to_thread(read_journal, self._journal_dir / sid)
        layout = Layout(
            track=Track(recording.track), channels=Channels.DUAL if recording.channels == 2 else Channels.MONO
        )
        composition = await asyncio.to_thread(
            compose, contents.inbound, contents.outbound, layout, Trim(recording.trim)
        )
        values: dict[str, Any]
        if contents.frames == 0 or not composition.audible:
            status = RecordingStatus.ABSENT
            values = {"error_code": TOO_SHORT if contents.frames == 0 else SILENT}
        else:
            status = RecordingStatus.COMPLETED
            key = media_key(recording, "wav")
            await self.blobs.put(key, await asyncio.to_thread(encode_wav, composition.samples))
            pauses = pause_ledger(contents.events, composition.head_samples, len(composition.samples))
            values = {"duration_s": composition.duration_s, "media_key": key, "pauses": pauses}
        recording = await self._settle(recording, status, values)
        await asyncio.to_thread(remove_journal, self._journal_dir / sid)
        await self._shipper.forget(sid)
        return recording

    async def _settle(
        self, recording: Recording, status: RecordingStatus, values: dict[str, Any]
    ) -> Recording:
        check_transition(RecordingStatus(recording.status), status, recording.sid)
        promised = False
        async with self._db.transaction() as session:
            # Stamped once the write gate is ours: the status is the account's to see from now.
            now = self._clock.now()
            if status is RecordingStatus.COMPLETED and not recording.pci_mode:
                values = {**values, "pci_mode": await in_pci_mode(session, recording.account_sid)}
            recording = await RecordingRepo(session).change(recording.sid, now, status=status.value, **values)
            queued = await enqueue_callback(session, recording, status, self._public_url, now)
            if status is RecordingStatus.COMPLETED:
                # Promised with the status, so a crash can lose neither (recording/transcriptions.py).
                promised = await promise_transcriptions(session, recording, now)
        if queued:
            self._notify()
        if promised:
            self._on_transcriptions()
        log.info(
            "recording status sid=%s status=%s duration_s=%s",
            recording.sid,
            status.value,
            recording.duration_s,
        )
        return recording

    async def recover(self, sids: Sequence[str]) -> None:
        """Finalize the unfinished recordings this node has claimed (store/repos/nodes.py): its own
        after a crash, or those of a node whose lease lapsed, from the journal on this disk or
        else the segments shipped to the media store (recording/shipping.py). One with neither
        captured nothing that survived and ends absent."""
        for sid in sids:
            async with self._db.transaction() as session:
                recording = await RecordingRepo(session).get(sid)
            if recording is None or RecordingStatus(recording.status) not in UNFINISHED:
                continue
            log.info("recording recovered sid=%s", sid)
            if await self._finalize_once(sid) is None:
                # Recovery goes on; the recording is tried again in the background.
                self._finalizing[sid] = self._tasks.spawn(
                    self._finalize(sid, FINALIZE_RETRY_FIRST_S), name=f"finalize {sid}"
                )

    async def _remove_finished_journals(self) -> None:
        """Journals of recordings that are finished or gone (a crash between finalizing and removing
        the journal); an unfinished recording's journal waits for the node that claims it."""
        for folder in await asyncio.to_thread(journal_folders, self._journal_dir):
            async with self._db.transaction() as session:
                recording = await RecordingRepo(session).get(folder.name)
            if recording is None or RecordingStatus(recording.status) not in UNFINISHED:
                await asyncio.to_thread(remove_journal, folder)

    # -- media -----------------------------------------------------------------------------------

    async def media(self, recording: Recording, extension: str, channels: int | None = None) -> str:
        """The blob key of ``recording``'s media as ``wav`` or ``mp3``, made on first request;
        ``channels=1`` mixes a dual recording down (``RequestedChannels``,
        twilio.com/docs/voice/api/recording)."""
        if recording.media_key is None:
            raise RecordingNotFound(f"Recording {recording.sid} has no media")
        if channels == 2 and recording.channels != 2:
            raise InvalidParameter(f"RequestedChannels=2 is not available: recording {recording.sid} is mono")
        mixed = channels == 1 and recording.channels == 2
        key = media_key(recording, extension, mixed=mixed)
        if key == recording.media_key or await self.blobs.size(key) is not None:
            return key
        await self.blobs.put_stream(key, self._converted(recording.media_key, extension, mixed=mixed))
        return key

    async def _converted(self, source: str, extension: str, *, mixed: bool) -> AsyncIterator[bytes]:
        """The WAV ``source`` as ``extension``, mixed down to one channel when ``mixed``: read,
        mixed and encoded a block at a time, so that an hour of recording is never all in memory."""
        size = await self.blobs.size(source)
        if size is None:
            raise RecordingNotFound(f"The media {source} is missing")
        channels = wav_channels(await self.blobs.read(source, 0, WAV_HEADER_BYTES))
        out_channels = 1 if mixed else channels
        frame_bytes = 2 * channels
        encoder = Mp3Encoder(out_channels) if extension == "mp3" else None
        if encoder is None:
            yield wav_header(out_channels, (size - WAV_HEADER_BYTES) // frame_bytes * 2 * out_channels)
        block_bytes = MP3_BLOCK_FRAMES * frame_bytes
        for start in range(WAV_HEADER_BYTES, size, block_bytes):
            data = await self.blobs.read(source, start, min(start + block_bytes, size))
            samples = np.frombuffer(data, dtype="<i2").reshape(-1, channels)
            if mixed:
                samples = mix(samples[:, 0], samples[:, 1]).reshape(-1, 1)
            if encoder is None:
                yield samples.astype("<i2", copy=False).tobytes()
            else:
                yield await asyncio.to_thread(encoder.encode, samples)
        if encoder is not None:
            yield encoder.flush()

    async def delete(self, recording: Recording) -> Recording:
        """Delete the media for good and keep the row as ``deleted`` (twilio.com/docs/voice/api/recording)."""
        check_transition(RecordingStatus(recording.status), RecordingStatus.DELETED, recording.sid)
        # Media first: a crash in between leaves a row without media, never media without a row.
        for extension in ("wav", "mp3"):
            for mixed in (False, True):
                await self.blobs.delete(media_key(recording, extension, mixed=mixed))
        async with self._db.transaction() as session:
            recording = await RecordingRepo(session).change(
                recording.sid, self._clock.now(), status=RecordingStatus.DELETED.value, media_key=None
            )
        log.info("recording status sid=%s status=deleted", recording.sid)
        return recording


def _nothing() -> None:
    pass


def media_key(recording: Recording, extension: str, *, mixed: bool = False) -> str:
    suffix = ".mono" if mixed else ""
    return f"{recording.account_sid}/{recording.sid}{suffix}.{extension}"
