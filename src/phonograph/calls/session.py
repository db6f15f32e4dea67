"""One call leg with a CallSid: its status machine, its media leg, its far end, and its program.

A session's one task (owned by the engine) rings the far end, connects the media, runs TwiML
until the program ends, and finalizes the call. Everything that ends a call early — the far end
hanging up, a REST ``Status=completed|canceled``, ``TimeLimit``, shutdown — goes through
``end(status)``, which cancels that task; its ``finally`` finalizes exactly once. A REST update
with a new ``Url``/``Twiml`` goes through ``replace_program``: only the program task restarts.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from phonograph import twiml
from phonograph.calls.commands import JoinSettings
from phonograph.calls.conference_rooms import Conferences
from phonograph.calls.dialing import run_dial
from phonograph.calls.far_ends import Answer, FarEnd, ring_until
from phonograph.calls.interpreter import Interpreter
from phonograph.calls.loader import APPLICATION_ERROR_TEXT, ApplicationFailure, DocumentLoader
from phonograph.calls.params import Params, call_params, status_callback_params
from phonograph.calls.recordings import LegRecordings
from phonograph.calls.routing import far_end_for
from phonograph.calls.runtime import Problem, Runtime
from phonograph.calls.source import EndProgram, ProgramSource, ReplaceProgram
from phonograph.calls.state import EVENT_OF, CallStatus, Direction, check_transition
from phonograph.core import InternalError, PhonographError
from phonograph.media import FRAME_MS, Clip, MediaClock, MediaLeg, connect, disconnect, dtmf_clip, silence
from phonograph.recording import RecordingPlan
from phonograph.store import Call, CallRepo, OutboxRepo, Recording

log = logging.getLogger(__name__)

MAX_IDLE_DOCUMENTS = 50
"""Documents in a row that may end in less than ``IDLE_DOCUMENT_MS`` of media each. Twilio documents
this limit (50) and its code for Messaging only (https://www.twilio.com/docs/api/errors/14106);
phonograph applies both to calls (docs/compatibility.md)."""
IDLE_DOCUMENT_MS = 100
DOCUMENT_LIMIT_REACHED = 14106

ANSWER_STATUS = {
    Answer.BUSY: CallStatus.BUSY,
    Answer.NO_ANSWER: CallStatus.NO_ANSWER,
    Answer.FAILED: CallStatus.FAILED,
}


class CallSession:
    def __init__(
        self,
        runtime: Runtime,
        conferences: Conferences,
        call: Call,
        auth_token: str,
        program: ProgramSource | None,
        far_end: FarEnd | None = None,
        join: JoinSettings | None = None,
        webhook_extras: Sequence[tuple[str, str]] = (),
        sip_auth: tuple[str, str] | None = None,
        byoc: str | None = None,
    ) -> None:
        """``webhook_extras``: what every request about the call carries besides Twilio's common
        parameters (a SIP call's ``SipCallId``, ...); ``sip_auth``: a ``sip:`` To's credentials;
        ``byoc``: the BYOC trunk the call goes out through (calls/byoc.py)."""
        self.runtime = runtime
        self.conferences = conferences
        self.call = call
        self.status = CallStatus(call.status)
        self.auth_token = auth_token
        self.far_end = far_end
        self._leg = MediaLeg(call.sid)
        self._program = program
        # A Participants-create call: once answered it joins this conference, and ends on leaving.
        self._join = join
        self._webhook_extras = list(webhook_extras)
        self.sip_auth = sip_auth
        self.byoc = byoc
        self._document_url: str | None = None
        self._answered_at_ms: int | None = None
        # Record=true's recording and the media time it started, for the completed callback.
        self._recorded: tuple[Recording, int] | None = None
        self._end_status: CallStatus | None = None
        # The media frame ``end`` was first asked on: where a recording of the call's audio stops,
        # however long the leg then takes to be torn down.
        self.end_frame: int | None = None
        self._main: asyncio.Task[None] | None = None
        self._limit_task: asyncio.Task[None] | None = None
        self._finalizing = False
        self._far_end_left = False
        self._program_task: asyncio.Task[None] | None = None
        self._next_program: ProgramSource | None = None
        self._loader = DocumentLoader(runtime, call.account_sid, call.sid, auth_token)
        self.recordings = LegRecordings(runtime, self)
        # Resolved when an inbound leg answers or refuses (what its caller's ring() waits for).
        self.answer: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()

    # -- VerbContext -------------------------------------------------------------------------

    @property
    def leg(self) -> MediaLeg:
        return self._leg

    @property
    def media(self) -> MediaClock:
        return self.runtime.media

    @property
    def document_url(self) -> str | None:
        return self._document_url

    def webhook_params(self) -> Params:
        return call_params(self.call, self.status) + self._webhook_extras

    async def speech(self, say: twiml.Say) -> Clip:
        engine = self.runtime.speech
        return Clip(await asyncio.to_thread(engine.synthesize, say.text, str(say.voice), say.language))

    async def audio(self, url: str) -> Clip:
        try:
            return await self.runtime.audio.clip(url)
        except PhonographError as error:
            # Twilio logs the failure and moves on to the next verb.
            await self.warn(error.code, error.message, request_url=url, request_method="GET")
            return Clip(silence(0))

    async def dial(self, dial: twiml.Dial) -> Params:
        return await run_dial(self, dial)

    async def hang_up(self) -> None:
        self._end_status = CallStatus.COMPLETED

    async def reject(self, reason: str) -> None:
        refused = Answer.BUSY if reason == "busy" else Answer.NO_ANSWER
        if not self.answer.done():
            self.answer.set_result(refused)
        self._end_status = (
            ANSWER_STATUS[refused] if self.status is CallStatus.RINGING else CallStatus.COMPLETED
        )

    async def warn(self, code: int, message: str, **request: Any) -> None:
        """A warning Notification about this call."""
        await self.runtime.report(
            self.call.account_sid, self.call.sid, Problem(code, message, warning=True, **request)
        )

    async def error(self, code: int, message: str, **request: Any) -> None:
        """An error Notification about this call."""
        await self.runtime.report(self.call.account_sid, self.call.sid, Problem(code, message, **request))

    # -- control from outside ------------------------------------------------------------------

    def new_session(
        self,
        call: Call,
        auth_token: str,
        program: ProgramSource | None,
        far_end: FarEnd | None = None,
        byoc: str | None = None,
    ) -> CallSession:
        """A leg this one places (a ``<Dial>`` child, the callee of one of the server's numbers),
        not yet started, sharing its runtime and conferences."""
        return CallSession(self.runtime, self.conferences, call, auth_token, program, far_end, byoc=byoc)

    def start(self) -> None:
        self.runtime.sessions[self.call.sid] = self
        self._main = self.runtime.tasks.spawn(self._run(), name=f"call {self.call.sid}")

    def end(self, status: CallStatus) -> None:
        """End the call with ``status`` (completed or canceled) as soon as possible."""
        if self._end_status is None:
            self._end_status = status
            self.end_frame = self.media.frame_index
        if self._finalizing:
            return
        if self._main is not None and self._main is not asyncio.current_task():
            self._main.cancel()

    async def wait(self) -> None:
        if self._main is not None:
            await asyncio.gather(self._main, return_exceptions=True)

    async def far_end_hung_up(self) -> None:
        self.far_end = None
        if self.status is CallStatus.RINGING:
            # The far end left before this leg took in how its ringing ended (a <Reject>, or an
            # answer and an instant hang-up): that outcome decides the status, then the call ends
            # (``_run``). Ending now would settle a rejected call as ``canceled``.
            self._far_end_left = True
            return
        self.end(CallStatus.COMPLETED)

    def replace_program(self, source: ProgramSource) -> None:
        """Run ``source`` instead of the running document (REST update with Url or Twiml)."""
        self._next_program = source
        if self._program_task is not None:
            self._program_task.cancel()

    # -- the call's life -------------------------------------------------------------------------

    async def _run(self) -> None:
        capture = self.runtime.captures.start(self.call.sid)
        if capture is not None:
            self._leg.listeners.append(capture)
        self.runtime.media.add(self._leg)
        try:
            if self.call.direction == Direction.INBOUND:
                await self._run_programs()
            else:
                await self._ring()
                if self.status is CallStatus.IN_PROGRESS and not self._far_end_left:
                    await self._run_programs()
        except asyncio.CancelledError:
            pass
        finally:
            await asyncio.shield(self._finalize())

    async def _ring(self) -> None:
        ringing_from = self.media.frame_index
        await self.transition(CallStatus.RINGING, start_time=self.runtime.clock.now())
        far_end = self.far_end or await far_end_for(self.runtime, self, self.new_session)
        self.far_end = far_end
        answer = await ring_until(far_end, self.media, self.call.timeout_s, ringing_from)
        if answer is not Answer.ANSWER:
            self._end_status = ANSWER_STATUS[answer]
            return
        connect(self._leg, far_end.leg)
        far_end.answered()
        # Both start on the answer's own frame, before anything is stored (a database write's
        # time would become media time): SendDigits plays once the call connects, before the
        # TwiML runs; Record=true records from the answer (its plan was resolved at create; its
        # tap goes on before its first await).
        answered_at_ms = self.media.now_ms
        digits = self._leg.start_clip(dtmf_clip(self.call.send_digits)) if self.call.send_digits else None
        if self.call.recording:
            recording = await self.recordings.start(RecordingPlan.from_json(self.call.recording))
            self._recorded = (recording, answered_at_ms)
        await self._answer(answered_at_ms)
        if digits is not None:
            await digits.done

    async def _answer(self, at_ms: int | None = None) -> None:
        """In progress from media time ``at_ms`` (default: now), where its duration counts from."""
        self._answered_at_ms = self.media.now_ms if at_ms is None else at_ms
        await self.transition(CallStatus.IN_PROGRESS)
        if not self.answer.done():
            self.answer.set_result(Answer.ANSWER)
        self.restart_time_limit()

    def restart_time_limit(self) -> None:
        if self._limit_task is not None:
            self._limit_task.cancel()
        self._limit_task = self.runtime.tasks.spawn(self._time_limit(), name=f"time limit {self.call.sid}")

    async def _time_limit(self) -> None:
        await self.media.sleep_ms(self.call.time_limit_s * 1000)
        self.end(CallStatus.COMPLETED)

    async def _run_programs(self) -> None:
        """Run the program, restarting it whenever ``replace_program`` asks; then the call ends."""
        source = self._program
        if source is None and self._join is not None:
            await self.conferences.join(self, self._join)
        elif source is None:
            # A <Dial> child: its audio is the bridge, and the parent ends it.
            await asyncio.Event().wait()
        while source is not None:
            self._next_program = None
            self._program_task = asyncio.get_running_loop().create_task(self._run_program(source))
            try:
                await self._program_task
            except asyncio.CancelledError:
                if asyncio.current_task().cancelling():  # type: ignore[union-attr]
                    self._program_task.cancel()
                    raise
            source = self._next_program
        if self._end_status is None:
            self._end_status = CallStatus.COMPLETED

    async def _run_program(self, source: ProgramSource) -> None:
        """Run documents until one ends; a document that cannot be had or run ends with Twilio's
        application-error message."""
        try:
            await self._run_documents(source)
        except ApplicationFailure:
            pass
        except Exception as error:
            # A defect in phonograph: the call must not end silently. The caller hears what a
            # broken app gives, and the account's debugger says what happened.
            log.exception("call program failed call=%s", self.call.sid)
            message = f"phonograph failed running this call's TwiML ({type(error).__name__}); see its log"
            await self.error(InternalError.code, message, request_url=self._document_url or "")
        else:
            return
        await self._answer_if_ringing()
        await self._leg.start_clip(await self._say_text(APPLICATION_ERROR_TEXT)).done

    async def _run_documents(self, source: ProgramSource) -> None:
        idle_documents = 0
        while True:
            loaded = await self._loader.load(self._with_params(source))
            self._document_url = loaded.url
            started_ms = self.media.now_ms
            try:
                if self.status is CallStatus.RINGING:
                    await self._answer_or_reject(loaded.document)
                if loaded.audio is not None:
                    await self._leg.start_clip(loaded.audio).done
                await Interpreter(self).run(loaded.document)
                return
            except ReplaceProgram as replace:
                source = replace.source
            except EndProgram:
                return
            # A <Redirect> (or action) loop that never lets media pass would fetch documents as
            # fast as the app answers until TimeLimit: after enough of them the call ends.
            idle_documents = idle_documents + 1 if self.media.now_ms - started_ms < IDLE_DOCUMENT_MS else 0
            if idle_documents >= MAX_IDLE_DOCUMENTS:
                message = f"Document retrieval limit reached: {MAX_IDLE_DOCUMENTS} documents played no media"
                await self.error(DOCUMENT_LIMIT_REACHED, message, request_url=loaded.url or "")
                return

    def _with_params(self, source: ProgramSource) -> ProgramSource:
        if source.params or source.twiml is not None:
            return source
        return replace(source, params=tuple(self.webhook_params()))

    async def _answer_or_reject(self, document: twiml.Document) -> None:
        """An inbound call is answered when its TwiML starts, unless that TwiML starts with Reject."""
        if document.verbs and isinstance(document.verbs[0], twiml.Reject):
            return
        await self._answer()

    async def _answer_if_ringing(self) -> None:
        if self.status is CallStatus.RINGING:
            await self._answer()

    async def _say_text(self, text: str) -> Clip:
        return Clip(await asyncio.to_thread(self.runtime.speech.synthesize, text, "woman", "en-US"))

    async def _finalize(self) -> None:
        self._finalizing = True
        if self.end_frame is None:
            self.end_frame = self.media.frame_index  # the program ended by itself
        if self._limit_task is not None:
            self._limit_task.cancel()
        if self._program_task is not None and not self._program_task.done():
            self._program_task.cancel()
            await asyncio.gather(self._program_task, return_exceptions=True)
        await self.runtime.recordings.stop_call(self.call.sid, at_frame=self.end_frame)
        self._leg.stop_playing()
        self.runtime.media.remove(self._leg)
        far_end, self.far_end = self.far_end, None
        disconnect(self._leg)
        if far_end is not None:
            await far_end.hang_up()
        if not self.answer.done():
            self.answer.set_result(Answer.NO_ANSWER)
        await self._settle()
        self.runtime.sessions.pop(self.call.sid, None)

    async def settle_abandoned(self) -> None:
        """Finalize a call whose process died: no media survived, so it ends now."""
        await self._settle()

    @property
    def _end_ms(self) -> int:
        """Media time of the call's end: its ``end_frame`` (tearing the leg down takes time that
        belongs to no one's call), or now for a call whose process died."""
        return (self.media.frame_index if self.end_frame is None else self.end_frame) * FRAME_MS

    async def _settle(self) -> None:
        """Move to the final status with end time and duration (media seconds from answer to end)."""
        wanted = self._end_status or CallStatus.COMPLETED
        if self.status is CallStatus.IN_PROGRESS:
            final = CallStatus.FAILED if wanted is CallStatus.FAILED else CallStatus.COMPLETED
        elif wanted in (CallStatus.COMPLETED, CallStatus.CANCELED):
            final = CallStatus.CANCELED
        else:
            final = wanted
        if self.status is CallStatus.QUEUED and final not in (CallStatus.CANCELED, CallStatus.FAILED):
            final = CallStatus.CANCELED
        duration_s = None
        if self._answered_at_ms is not None:
            duration_s = round((self._end_ms - self._answered_at_ms) / 1000)
        await self.transition(final, end_time=self.runtime.clock.now(), duration_s=duration_s)

    async def transition(self, status: CallStatus, **values: Any) -> None:
        """Validate the move, store it with the status callback it owes (one transaction), log it.

        A move once begun is finished even when the call is ended meanwhile (``end`` cancels the
        session's task: a hang-up, a REST ``Status``, a time limit; the cancel is re-raised after).
        Cut off mid-way, the move would be rolled back, or committed while the session kept the
        old status, so that the row, the callbacks and the final status would disagree.
        """
        check_transition(self.status, status)
        move = asyncio.ensure_future(self._store_transition(status, values))
        try:
            await asyncio.shield(move)
        except asyncio.CancelledError:
            await move
            raise

    async def _store_transition(self, status: CallStatus, values: dict[str, Any]) -> None:
        now = self.runtime.clock.now()
        queued = False
        async with self.runtime.db.transaction() as session:
            calls = CallRepo(session)
            call = await calls.change(self.call.sid, now, status=status.value, **values)
            event = EVENT_OF.get(status)
            if event is not None and call.status_callback and event.value in call.status_callback_events:
                sequence = await calls.take_sequence_number(call.sid)
                await OutboxRepo(session).enqueue(
                    account_sid=call.account_sid,
                    ordering_key=call.sid,
                    url=call.status_callback,
                    method=call.status_callback_method,
                    params=status_callback_params(call, status.value, sequence, now)
                    + (self._recording_params() if status is CallStatus.COMPLETED else []),
                    now=now,
                )
                queued = True
        self.call, self.status = call, status
        if queued:
            self.runtime.outbox.notify()
        log.info("call status sid=%s status=%s", call.sid, status.value)

    def _recording_params(self) -> Params:
        """Record=true's recording, for the ``completed`` status callback: Twilio's CreateCall says
        its recording_url "is sent to the status_callback URL". ``RecordingDuration`` counts media
        seconds from the recording's start to the call's end, before trimming, as ``<Record
        action>``'s does (https://www.twilio.com/docs/voice/twiml/record#attributes-action); the
        trimmed length is the recording's own (its callback and resource)."""
        if self._recorded is None:
            return []
        recording, started_ms = self._recorded
        return [
            ("RecordingSid", recording.sid),
            ("RecordingUrl", self.recordings.url(recording)),
            ("RecordingDuration", str(round((self._end_ms - started_ms) / 1000))),
        ]
