"""Recordings of one call leg: what its verbs, ``Record=true`` and the REST controls ask of the
recording service, with the leg, the SIDs and the database filled in."""

from __future__ import annotations

from contextlib import AbstractContextManager

from phonograph.calls.contracts import CallLeg
from phonograph.calls.loader import ApplicationFailure
from phonograph.calls.params import Params
from phonograph.calls.runtime import Problem, Runtime
from phonograph.core import PhonographError
from phonograph.recording import RecordingPlan, RecordingRequest, Source, resolve_plan
from phonograph.store import OutboxRepo, Recording


class LegRecordings:
    def __init__(self, runtime: Runtime, session: CallLeg) -> None:
        self._runtime = runtime
        self._session = session
        self._service = runtime.recordings

    async def plan(self, source: Source, request: RecordingRequest) -> RecordingPlan:
        """Resolve a REST start (errors reach the caller as 400s). It only reads: no write gate,
        whose queue on a loaded node is seconds long."""
        async with self._runtime.db.read() as db:
            return await resolve_plan(db, self._session.call.account_sid, source, request)

    async def plan_for_twiml(self, source: Source, request: RecordingRequest) -> RecordingPlan:
        """Resolve a TwiML start: an unknown configuration is an application error, as a bad
        document is (Notification, then the caller hears the error message)."""
        try:
            return await self.plan(source, request)
        except PhonographError as error:
            session = self._session
            await self._runtime.report(
                session.call.account_sid, session.call.sid, Problem(error.code, error.message)
            )
            raise ApplicationFailure from error

    def keeping_frames(self) -> AbstractContextManager[None]:
        """The leg keeps its recent frames meanwhile, for a ``start`` from an earlier frame."""
        return self._service.keeping_frames(self._session.call.sid, self._session.leg)

    async def start(
        self, plan: RecordingPlan, name: str | None = None, from_frame: int | None = None
    ) -> Recording:
        """Record the leg from now, or from ``from_frame``: a REST start's arrival, or the frame a
        ``<Start>`` was reached on, its frames kept meanwhile (``keeping_frames``)."""
        session = self._session
        return await self._service.begin(
            account_sid=session.call.account_sid,
            call_sid=session.call.sid,
            leg=session.leg,
            plan=plan,
            name=name,
            from_frame=from_frame,
        )

    async def stop(self, sid: str, at_frame: int | None = None) -> None:
        """Stop ``sid`` if it is still running (the call's end may have stopped it already), from
        media frame ``at_frame`` on (default: now)."""
        await self._service.stop_if_live(sid, at_frame)

    def live(self) -> list[Recording]:
        return self._service.live_for_call(self._session.call.sid)

    def url(self, recording: Recording) -> str:
        return self._service.url(recording)

    async def request_after_hang_up(self, url: str, method: str, params: Params) -> None:
        """Send a request whose answer no longer matters (``<Record action>`` after the caller hung
        up) through the outbox: signed, retried, and never lost to a crash."""
        runtime, call = self._runtime, self._session.call
        async with runtime.db.transaction() as db:
            await OutboxRepo(db).enqueue(
                account_sid=call.account_sid,
                ordering_key=call.sid,
                url=url,
                method=method,
                params=params,
                now=runtime.clock.now(),
            )
        runtime.outbox.notify()
