"""Call sessions on a runtime of their own (calls/session.py).

A call's own times are media times of the call, not of the work around it: ringing counts from the
frame it began on, and the call ends on the frame its program ended on, however long storing the
ringing status or tearing the leg down then takes. A call left by a dead process is settled."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from phonograph.calls.legs import new_leg
from phonograph.calls.recordings import LegRecordings
from phonograph.calls.session import CallSession
from phonograph.calls.source import ProgramSource
from phonograph.calls.state import CallStatus, Direction
from phonograph.core import Channels, RecordingEvent, Track, Trim
from phonograph.media import Frame, dtmf_clip
from phonograph.recording import Layout, RecordingPlan, RecordingRequest, Source
from phonograph.recording.enums import CallbackMethod
from phonograph.store import Call, CallRepo, PageSpec, Recording, RecordingFilters, RecordingRepo
from phonograph.testing.audio import detect_dtmf, read_wav
from tests.unit.calls.support import NODE, HeldLine, Room, calls_room

STATUS_URL = "https://app.example/status"
DIGITS = "1234567890"
TEARDOWN_FRAMES = 150
"""How long the far end takes to hang up once the program ended: three seconds of media."""


async def _stored_call(room: Room, twiml: str, **fields: Any) -> Call:
    """A stored outbound-api call running ``twiml``, recorded (both tracks, untrimmed), that
    reports ``completed`` to ``STATUS_URL``."""
    plan = RecordingPlan(
        source=Source.OUTBOUND_API,
        layout=Layout(track=Track.BOTH, channels=Channels.DUAL),
        trim=Trim.DO_NOT_TRIM,
        status_callback=None,
        status_callback_method=CallbackMethod.POST,
        status_callback_events=(RecordingEvent.COMPLETED,),
    )
    call = new_leg(
        account_sid=room.account.sid,
        to="+15550100001",
        from_="+15550100002",
        direction=Direction.OUTBOUND_API,
        now=room.runtime.clock.now(),
        owner_node=NODE,
        twiml=twiml,
        status_callback=STATUS_URL,
        recording=plan.to_json(),
        **fields,
    )
    async with room.runtime.db.transaction() as session:
        return await CallRepo(session).create(call)


async def _session(room: Room, twiml: str, far_end: HeldLine, **fields: Any) -> CallSession:
    """The session, not started, of ``_stored_call(room, twiml, **fields)`` to ``far_end``."""
    call = await _stored_call(room, twiml, **fields)
    program = ProgramSource(twiml=twiml)
    return CallSession(
        room.runtime, room.conferences, call, room.account.auth_token, program, far_end=far_end
    )


async def _scheduled_until(condition: Callable[[], bool]) -> None:
    """Let the other tasks run until ``condition`` holds: a bounded number of loop turns, in which
    nothing the tested code does reads a clock or a file."""
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0)


async def _stored(room: Room, sid: str) -> Call:
    async with room.runtime.db.read() as session:
        call = await CallRepo(session).get(sid)
    assert call is not None
    return call


def test_a_slow_teardown_is_not_call_time(tmp_path: Path) -> None:
    async def main() -> None:
        async with calls_room(tmp_path) as room:
            far_end = HeldLine(room.media, slow_hang_up=True)
            placed = await _session(room, f"<Response><Play digits='{DIGITS}'/></Response>", far_end)
            placed.start()
            await far_end.hanging_up.wait()
            await room.media.sleep_until(room.media.frame_index + TEARDOWN_FRAMES)
            far_end.let_go()
            await placed.wait()
            await room.runtime.recordings.close()  # its finalization done

            call = await _stored(room, placed.call.sid)
            [completed] = await room.callbacks(STATUS_URL)
            async with room.runtime.db.read() as session:
                recording = await RecordingRepo(session).get(completed["RecordingSid"])
            assert recording is not None
            assert recording.media_key is not None
            samples, rate = read_wav(await room.runtime.recordings.blobs.read(recording.media_key))
            heard_s = samples.shape[1] / rate
            # The recording is the call's audio: every key, and nothing of the three seconds after.
            assert detect_dtmf(samples[1], rate) == DIGITS
            assert heard_s < 2.5, heard_s
            assert completed["CallStatus"] == CallStatus.COMPLETED.value
            assert int(completed["RecordingDuration"]) == round(heard_s)
            assert call.duration_s == round(heard_s)

    asyncio.run(main())


def test_ringing_counts_from_the_frame_it_began_on(tmp_path: Path) -> None:
    """Storing the ringing status took 50 frames; the far end, due to answer 25 frames after
    ringing began, has answered by then, and SendDigits sound on the next frame."""

    async def main() -> None:
        async with calls_room(tmp_path, stepped=True) as room:
            media, db = room.media, room.runtime.db
            far_end = HeldLine(media, answer_after_frames=25)
            keyed: list[int] = []
            placed = await _session(room, "<Response><Pause/></Response>", far_end, send_digits="1")

            def heard(_inbound: Frame, outbound: Frame) -> None:
                if outbound.dtmf is not None:
                    keyed.append(media.frame_index)

            placed.leg.listeners.append(heard)
            async with db.transaction():  # the write gate, held: the ringing status waits for it
                placed.start()
                await _scheduled_until(lambda: db.write_backlog > 0)
                media.run_frames(50)
            await far_end.ringing.wait()
            await _scheduled_until(lambda: placed.leg.player is not None)
            assert (far_end.rang_from, media.frame_index) == (0, 50)
            assert placed.leg.player is not None, "the far end has not answered"
            media.run_frames(1)
            assert keyed == [50]
            placed.end(CallStatus.COMPLETED)
            await placed.wait()

    asyncio.run(main())


def test_a_call_whose_process_died_is_settled_with_its_final_callback(tmp_path: Path) -> None:
    """Takeover and restart settle a live call left by a dead process (calls/engine.py): it ends
    ``completed`` now, and its app still hears about it, once."""

    async def main() -> None:
        async with calls_room(tmp_path, stepped=True) as room:
            stored = await _stored_call(room, "<Response><Pause/></Response>", status=CallStatus.IN_PROGRESS)
            orphan = CallSession(room.runtime, room.conferences, stored, "", None)
            orphan.end(CallStatus.COMPLETED)
            await orphan.settle_abandoned()

            call = await _stored(room, stored.sid)
            [completed] = await room.callbacks(STATUS_URL)
            assert (call.status, completed["CallStatus"]) == ("completed", "completed")
            assert call.end_time is not None
            assert room.media.frame_index == 0  # no media ran: nothing waited for any

    asyncio.run(main())


def test_a_call_that_ends_while_its_recording_is_being_stored_still_finishes_that_recording(
    tmp_path: Path,
) -> None:
    """Under load a recording's row can take seconds to store; a call that ends meanwhile (its
    start is cancelled with it) must not leave the row in-progress, its audio thrown away."""

    async def main() -> None:
        async with calls_room(tmp_path) as room:
            recordings = room.runtime.recordings
            storing, release = asyncio.Event(), asyncio.Event()
            store_new = recordings._store_new

            async def slow_store(row: Recording) -> tuple[Recording, bool]:
                storing.set()
                await release.wait()
                return await store_new(row)

            recordings._store_new = slow_store  # type: ignore[method-assign]
            # SendDigits plays from the answer on, while the recording's row is being stored.
            twiml = "<Response><Pause length='30'/></Response>"
            placed = await _session(room, twiml, HeldLine(room.media), send_digits=DIGITS)
            placed.start()
            await storing.wait()  # Record=true's recording is being stored, from the answer on
            await room.media.sleep_until(room.media.frame_index + 50)  # a second of the call
            placed.end(CallStatus.COMPLETED)  # the phone hangs up meanwhile
            await _scheduled_until(lambda: placed._main is not None and placed._main.cancelling() > 0)
            release.set()
            await placed.wait()
            await recordings.close()  # its finalization done
            async with room.runtime.db.read() as session:
                page = await RecordingRepo(session).list_page(
                    room.account.sid, RecordingFilters(call_sid=placed.call.sid), PageSpec(10)
                )
            # Finished with the call, and the keys of the second before its end kept.
            assert [(item.status, item.duration_s) for item in page.items] == [("completed", 1)]

    asyncio.run(main())


def test_a_start_recording_records_from_the_frame_it_was_reached_on_however_long_its_plan_takes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Resolving a ``<Start><Recording>``'s plan reads the database, which takes seconds on a
    loaded node; what the phone said meanwhile is the call's and belongs in the recording."""

    async def main() -> None:
        async with calls_room(tmp_path, stepped=True) as room:
            media = room.media
            planning, release, started = asyncio.Event(), asyncio.Event(), asyncio.Event()
            plan, start = LegRecordings.plan, LegRecordings.start

            async def slow_plan(
                self: LegRecordings, source: Source, request: RecordingRequest
            ) -> RecordingPlan:
                planning.set()
                await release.wait()
                return await plan(self, source, request)

            async def start_and_tell(self: LegRecordings, *args: Any, **kwargs: Any) -> Recording:
                recording = await start(self, *args, **kwargs)
                if recording.source == Source.START_CALL_RECORDING_TWIML.value:
                    started.set()
                return recording

            monkeypatch.setattr(LegRecordings, "plan", slow_plan)
            monkeypatch.setattr(LegRecordings, "start", start_and_tell)
            far_end = HeldLine(media)
            media.add(far_end.leg)  # the phone's leg sends what it plays
            twiml = "<Response><Start><Recording/></Start><Pause length='30'/></Response>"
            placed = await _session(room, twiml, far_end)
            placed.start()
            await planning.wait()
            spoken = far_end.leg.start_clip(dtmf_clip(DIGITS))  # the phone, while the plan is read
            media.run_frames(dtmf_clip(DIGITS).frame_count + 10)
            assert spoken.done.done()
            release.set()
            await started.wait()
            placed.end(CallStatus.COMPLETED)
            await placed.wait()
            await room.runtime.recordings.close()  # its finalization done
            async with room.runtime.db.read() as session:
                page = await RecordingRepo(session).list_page(
                    room.account.sid, RecordingFilters(call_sid=placed.call.sid), PageSpec(10)
                )
            [background] = [
                item for item in page.items if item.source == Source.START_CALL_RECORDING_TWIML.value
            ]
            assert background.media_key is not None, "nothing was heard"
            samples, rate = read_wav(await room.runtime.recordings.blobs.read(background.media_key))
            assert detect_dtmf(samples[0], rate) == DIGITS  # the phone's channel

    asyncio.run(main())


def test_a_recordings_plan_is_read_without_waiting_for_the_write_gate(tmp_path: Path) -> None:
    """A loaded node's write gate has seconds of transactions queued; a plan only reads."""

    async def main() -> None:
        async with calls_room(tmp_path, stepped=True) as room:
            placed = await _session(room, "<Response/>", HeldLine(room.media))
            recordings = LegRecordings(room.runtime, placed)
            async with room.runtime.db.transaction():  # the write gate, held until the plan is read
                # The bound only ends a test whose plan waits for the gate (it would wait for ever).
                plan = await asyncio.wait_for(
                    recordings.plan(Source.START_CALL_RECORDING_TWIML, RecordingRequest()), 60
                )
            assert plan.source is Source.START_CALL_RECORDING_TWIML

    asyncio.run(main())
