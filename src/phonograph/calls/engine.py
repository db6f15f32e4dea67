"""The call engine: creates, updates and ends calls, and owns every session, the media clock and
the status-callback outbox worker. The API talks to it with typed commands only."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from phonograph.calls.bus import CommandBus
from phonograph.calls.commands import (
    AddParticipantCommand,
    CallUpdate,
    ControlRecordingCommand,
    JoinSettings,
    NewCall,
    OwnerCommand,
    RemoveParticipantCommand,
    StartRecordingCommand,
    UpdateCallCommand,
    UpdateConferenceCommand,
    UpdateParticipantCommand,
    command_from_json,
    command_json,
)
from phonograph.calls.conference_control import ConferenceControl
from phonograph.calls.conference_rooms import Conferences
from phonograph.calls.contracts import CallLeg
from phonograph.calls.legs import enqueue_initiated, new_leg
from phonograph.calls.nodes import DEFAULT_LEASE_S, NodeLease, NodeLoad, owner_elsewhere
from phonograph.calls.recordings import LegRecordings
from phonograph.calls.routing import may_present
from phonograph.calls.runtime import Runtime
from phonograph.calls.session import CallSession
from phonograph.calls.sip_line import SipCallerLine, inbound_app, sip_leg, sip_params, sip_program
from phonograph.calls.source import ProgramSource
from phonograph.calls.state import TERMINAL, CallStatus, Direction
from phonograph.core import InvalidParameter, NotFound, PhonographError, ServiceUnavailable
from phonograph.media import FRAME_MS
from phonograph.recording import (
    DELAY_FRAMES,
    UNFINISHED,
    RecordingRequest,
    Source,
    resolve_plan,
)
from phonograph.sip import InboundCall
from phonograph.store import (
    BYOC_TRUNKS,
    Account,
    AccountRepo,
    ByocRepo,
    Call,
    CallRepo,
    Claimed,
    LiveStatuses,
    Recording,
)
from phonograph.webhooks import EventLog

log = logging.getLogger(__name__)

SHUTDOWN_GRACE_S = 5.0
ROUTED_LAG_FRAMES = DELAY_FRAMES
"""One second: a recording control routed from another node cuts exactly at its arrival if it
reaches this node within that (one later cuts at the oldest frame still kept)."""


class CallerIdRefused(PhonographError):
    """Twilio 21210: the From number is not the account's to use."""

    code = 21210
    status = 400


class CallNotLive(PhonographError):
    """Twilio 21220: the operation needs a call in another state."""

    code = 21220
    status = 400


class CallEngine:
    def __init__(
        self,
        runtime: Runtime,
        events: EventLog,
        http: httpx.AsyncClient,
        *,
        address: str,
        on_lease_lost: Callable[[], None],
        lease_s: float = DEFAULT_LEASE_S,
        bus_delay_s: float = 0.0,
        drain_s: float = 0.0,
    ) -> None:
        """The engine runs what ``runtime`` holds (app.py builds it: the database, media clock,
        recording service, outbox, ...); it starts and stops ``events`` with it and closes
        ``http`` last. ``runtime.node_id`` names this process among those sharing the database,
        reachable at ``address`` (calls/nodes.py); ``on_lease_lost`` must stop the process at
        once, without writing again; ``drain_s`` is how long ``stop`` lets live calls end by
        themselves."""
        self.runtime = runtime
        self.recordings = runtime.recordings
        self.events = events
        self._http = http
        db, clock, node_id = runtime.db, runtime.clock, runtime.node_id
        self.rooms = Conferences(runtime)
        self.conferences = ConferenceControl(runtime, self.rooms, self.create_call, self._send)
        self.lease = NodeLease(
            db,
            clock,
            node_id,
            address,
            lease_s=lease_s,
            live=LiveStatuses(
                call_terminal=[status.value for status in TERMINAL],
                recording_unfinished=[status.value for status in UNFINISHED],
            ),
            settle=self._settle,
            load=lambda: NodeLoad(calls=len(runtime.sessions), recordings=self.recordings.live_count),
            on_lost=on_lease_lost,
            on_peers=self._peers,
        )
        self.bus = CommandBus(db, clock, node_id, delay_s=bus_delay_s)
        self._drain_s = drain_s

    async def start(self) -> None:
        """Take this node's lease and settle what a previous process of it left live (a crash)."""
        claimed = await self.lease.register()
        await self.recordings.start()
        await self._settle(claimed)
        self.runtime.media.start()
        self.runtime.outbox.start()
        self.events.start()
        self.lease.start()
        self.bus.start(self._execute)

    async def stop(self) -> None:
        """Drain: take no new call, and give the live ones up to ``drain_s`` to end by themselves
        (controls routed from other nodes still reach them). Then end the rest (their final
        callbacks go to the outbox), stop the workers and give the lease up. The heartbeat renews
        it until then, without taking other nodes over."""
        self.lease.draining = True
        if self._drain_s and self.runtime.sessions:
            with contextlib.suppress(Exception):
                await self.lease.beat()  # /Nodes shows the node draining from now
            log.info("node draining node=%s calls=%d", self.lease.node_id, len(self.runtime.sessions))
            await asyncio.wait(
                [asyncio.ensure_future(session.wait()) for session in self.runtime.sessions.values()],
                timeout=self._drain_s,
            )
        await self.bus.stop()
        sessions = list(self.runtime.sessions.values())
        for session in sessions:
            session.end(CallStatus.COMPLETED)
        if sessions:
            # Sessions still running after the grace period are cancelled by the task owner below.
            await asyncio.wait(
                [asyncio.ensure_future(session.wait()) for session in sessions], timeout=SHUTDOWN_GRACE_S
            )
        await self.rooms.close()
        await self.runtime.tasks.close()
        await self.recordings.close()
        await self.runtime.outbox.stop()
        await self.events.stop()
        await self.runtime.media.stop()
        await self._http.aclose()
        await self.lease.stop()
        await self.lease.release()

    async def create_call(
        self,
        account: Account,
        command: NewCall,
        *,
        join: JoinSettings | None = None,
        also: Callable[[AsyncSession, Call], Awaitable[None]] | None = None,
    ) -> Call:
        """Place a call. ``join``: once answered it joins that conference (Participants create)
        instead of running TwiML; ``also`` runs in the transaction that stores the call."""
        if self.lease.draining:
            raise ServiceUnavailable("this node is shutting down: send the request to another node")
        runtime, now = self.runtime, self.runtime.clock.now()
        plan = None
        async with runtime.db.transaction() as session:
            if not await may_present(session, account.sid, command.from_):
                raise CallerIdRefused(
                    f"From {command.from_} is a phone number of another account; use one of yours"
                )
            if (
                command.byoc is not None
                and await ByocRepo(session, BYOC_TRUNKS).get_for_account(account.sid, command.byoc) is None
            ):
                raise InvalidParameter(f"Byoc {command.byoc!r} is not a BYOC trunk of this account")
            if command.recording is not None:
                # Resolved now, so that a bad RecordingConfigurationId is refused with the create.
                plan = await resolve_plan(session, account.sid, Source.OUTBOUND_API, command.recording)
        call = new_leg(
            account_sid=account.sid,
            to=command.to,
            from_=command.from_,
            direction=Direction.OUTBOUND_API,
            now=now,
            owner_node=runtime.node_id,
            caller_name=command.caller_name,
            url=command.url,
            method=command.method,
            # On create, Url wins and Twiml is ignored when both are given (OpenAPI CreateCall).
            twiml=None if command.url else command.twiml,
            fallback_url=command.fallback_url,
            fallback_method=command.fallback_method,
            status_callback=command.status_callback,
            status_callback_method=command.status_callback_method,
            status_callback_events=[event.value for event in command.status_callback_events],
            timeout_s=command.timeout_s,
            time_limit_s=command.time_limit_s,
            send_digits=command.send_digits,
            recording={} if plan is None else plan.to_json(),
        )
        async with runtime.db.transaction() as session:
            call = await CallRepo(session).create(call)
            if also is not None:
                await also(session, call)
            await enqueue_initiated(session, call, now)
        runtime.outbox.notify()
        log.info("call created sid=%s account=%s", call.sid, account.sid)
        program = None if join is not None else _program_of(call)
        CallSession(
            runtime,
            self.rooms,
            call,
            account.auth_token,
            program,
            join=join,
            sip_auth=command.sip_auth,
            byoc=command.byoc,
        ).start()
        return call

    async def call_arrived(self, sip_call: InboundCall) -> None:
        """A phone called one of the account's SIP Domains (sip/dialogs.py, ``CallHandler``): its
        leg runs the domain's VoiceUrl, with the phone as its far end (calls/sip_line.py)."""
        if self.lease.draining:
            raise ServiceUnavailable("this node is shutting down")
        runtime = self.runtime
        app = await inbound_app(runtime, sip_call)
        call = sip_leg(sip_call, app, runtime.clock, runtime.node_id)
        async with runtime.db.transaction() as session:
            account = await AccountRepo(session).get(call.account_sid)
            assert account is not None, "a domain's account exists"
            call = await CallRepo(session).create(call)
        log.info("sip call sid=%s call_id=%s", call.sid, sip_call.arrival.call_id)
        line = SipCallerLine(sip_call, runtime.media)
        leg = CallSession(
            runtime,
            self.rooms,
            call,
            account.auth_token,
            sip_program(app),
            line,
            webhook_extras=sip_params(sip_call),
        )
        line.attach(leg)
        leg.start()

    async def update_call(self, account: Account, sid: str, update: CallUpdate) -> Call:
        call = await self._call(account, sid)
        if (owner := self._owner_elsewhere(call)) is not None:
            await self._send(owner, UpdateCallCommand(account.sid, sid, update))
            return await self._call(account, sid)
        return await self._update_here(account, call, update)

    async def _update_here(self, account: Account, call: Call, update: CallUpdate) -> Call:
        sid = call.sid
        session = self.runtime.sessions.get(sid)
        status = CallStatus(call.status)
        if session is None or status in TERMINAL:
            raise CallNotLive(f"Call {sid} is {status.value}: it can no longer be updated")
        changes = {
            name: getattr(update, name)
            for name in ("status_callback", "status_callback_method", "fallback_url", "fallback_method")
            if getattr(update, name) is not None
        }
        if update.time_limit_s is not None:
            changes["time_limit_s"] = update.time_limit_s
        if changes:
            async with self.runtime.db.transaction() as db_session:
                session.call = await CallRepo(db_session).change(sid, self.runtime.clock.now(), **changes)
            if update.time_limit_s is not None and status is CallStatus.IN_PROGRESS:
                session.restart_time_limit()
        if update.status is not None:
            await self._end(session, update.status)
        elif update.redirects:
            if status is not CallStatus.IN_PROGRESS:
                raise CallNotLive(f"Call {sid} is not in-progress. Cannot redirect.")
            session.replace_program(
                ProgramSource(
                    url=update.url,
                    method=update.method or "POST",
                    fallback_url=session.call.fallback_url,
                    fallback_method=session.call.fallback_method,
                    twiml=None if update.url else update.twiml,
                )
            )
        return await self._call(account, sid)

    async def _end(self, session: CallLeg, status: CallStatus) -> None:
        # Canceling only touches calls that have not been answered (CallUpdate Status docs).
        if status is CallStatus.CANCELED and session.status is CallStatus.IN_PROGRESS:
            return
        session.end(status)
        await session.wait()

    async def delete_call(self, account: Account, sid: str) -> None:
        call = await self._call(account, sid)
        if CallStatus(call.status) not in TERMINAL:
            raise CallNotLive(f"Call {sid} is {call.status}: end it before deleting it")
        async with self.runtime.db.transaction() as session:
            await CallRepo(session).delete(sid)

    async def start_recording(
        self, account: Account, call_sid: str, request: RecordingRequest, at_frame: int | None = None
    ) -> Recording:
        """``POST /Calls/{CallSid}/Recordings``: record the live call from ``at_frame`` (the media
        frame the request arrived on, while ``keep_frames`` kept them), else from now
        (https://www.twilio.com/docs/voice/api/recording#create-a-recording-resource)."""
        call = await self._call(account, call_sid)
        if (owner := self._owner_elsewhere(call)) is not None:
            sid = await self._send(owner, StartRecordingCommand(account.sid, call_sid, request))
            return await self.recordings.get(sid)
        session = self.runtime.sessions.get(call_sid)
        if session is None or session.status is not CallStatus.IN_PROGRESS:
            # The session's status is the live one; the row lags behind it while a call ends.
            status = call.status if session is None else session.status.value
            raise CallNotLive(
                f"Call {call_sid} is {status}: a recording can start only on an in-progress call"
            )
        recordings = LegRecordings(self.runtime, session)
        plan = await recordings.plan(Source.START_CALL_RECORDING_API, request)
        return await recordings.start(plan, from_frame=at_frame)

    async def control_recording(
        self, account: Account, control: ControlRecordingCommand, at_frame: int
    ) -> Recording:
        """``POST /Calls/{CallSid}/Recordings/{Sid}``: pause, resume or stop at ``at_frame`` (the
        media frame the request arrived on); ``Twilio.CURRENT`` names the one active recording.
        The call's owner, when that is another node, cuts at the frame it ran at
        ``control.arrived_at``."""
        assert control.call_sid is not None, "a call's recording"
        call = await self._call(account, control.call_sid)
        if (owner := self._owner_elsewhere(call)) is not None:
            return await self.recordings.get(await self._send(owner, control))
        return await self._control_here(control, at_frame)

    async def _control_here(self, control: ControlRecordingCommand, at_frame: int) -> Recording:
        call_sid = control.call_sid
        assert call_sid is not None, "a call's recording"
        live = self.recordings.live_for_call(call_sid)
        sid = await self.recordings.named(
            control.account_sid,
            control.sid,
            f"/Calls/{call_sid}",
            live,
            lambda recording: recording.call_sid == call_sid,
        )
        return await self.recordings.control(
            sid, control.status, behavior=control.behavior, at_frame=at_frame
        )

    # -- commands for the owner of a live call (calls/bus.py) -------------------------------------

    def _owner_elsewhere(self, call: Call) -> str | None:
        """The node that runs ``call``, when that is another one and the call is live."""
        live = CallStatus(call.status) not in TERMINAL
        return owner_elsewhere(call.owner_node, self.runtime.node_id, live=live)

    async def _send(self, owner: str, command: OwnerCommand) -> str:
        """Run ``command`` on ``owner``; its answer, a SID."""
        sid = await self.bus.send(owner, command.kind, command_json(command))
        assert sid is not None, f"{command.kind} answers a SID"
        return sid

    async def _execute(self, kind: str, body: dict[str, Any]) -> str | None:
        """Run a command another node sent for a call or conference this node owns."""
        command = command_from_json(kind, body)
        async with self.runtime.db.read() as session:
            account = await AccountRepo(session).get(command.account_sid)
        if account is None:
            raise NotFound(f"Account {command.account_sid} was not found")
        conferences = self.conferences
        match command:
            case UpdateCallCommand():
                call = await self._call(account, command.call_sid)
                return (await self._update_here(account, call, command.update)).sid
            case StartRecordingCommand():
                return (await self.start_recording(account, command.call_sid, command.request)).sid
            case ControlRecordingCommand():
                frame = self._frame_at(command.arrived_at)
                with self.runtime.media.hold(frame):
                    if command.conference_sid is not None:
                        return (await conferences.control_recording(account, command, frame)).sid
                    return (await self._control_here(command, frame)).sid
            case AddParticipantCommand():
                added = await conferences.add_participant(
                    account, command.conference_sid, command.participant
                )
                return added.call_sid
            case UpdateParticipantCommand():
                changed = await conferences.update_participant(
                    account, command.conference_sid, command.who, command.update
                )
                return changed.call_sid
            case RemoveParticipantCommand():
                await conferences.remove_participant(account, command.conference_sid, command.who)
                return command.who
            case UpdateConferenceCommand():
                return (
                    await conferences.update_conference(account, command.conference_sid, command.update)
                ).sid

    def _frame_at(self, moment: datetime) -> int:
        """The media frame this node ran at ``moment`` (a request's arrival on another node; the
        nodes' clocks agree as far as NTP keeps them)."""
        media = self.runtime.media
        late_s = max(0.0, (self.runtime.clock.now() - moment).total_seconds())
        return media.frame_index - round(late_s * media.speed * 1000 / FRAME_MS)

    def _peers(self, count: int) -> None:
        # While other nodes may route recording controls here, recorders keep the frames such a
        # control may still cut (recording/recorder.py), as a local request holds them.
        self.runtime.media.lag_frames = ROUTED_LAG_FRAMES if count else 0

    def media_frame(self) -> int:
        """The media clock's frame now: when a control request arrived."""
        return self.runtime.media.frame_index

    def hold_frames(self, frame: int) -> AbstractContextManager[None]:
        """Recorders keep the frames from ``frame`` on while a control that arrived on it is handled."""
        return self.runtime.media.hold(frame)

    def keep_frames(self, call_sid: str) -> AbstractContextManager[None]:
        """The live call keeps its recent frames while a request to record it is handled."""
        session = self.runtime.sessions.get(call_sid)
        return (
            contextlib.nullcontext()
            if session is None
            else self.recordings.keeping_frames(call_sid, session.leg)
        )

    def media_stats(self, *, reset: bool = False) -> dict[str, float]:
        """The media clock's load: live calls, legs and recordings, frames run, tick lateness (real
        ms) p50/p99/max."""
        media = self.runtime.media
        stats = media.reset_stats() if reset else media.stats
        return {
            "speed": media.speed,
            "legs": media.leg_count,
            "calls": len(self.runtime.sessions),
            "recordings": self.runtime.recordings.live_count,
            "frames": stats.frames,
            "late_ticks": stats.late_ticks,
            "lateness_p50_ms": stats.percentile_ms(0.50),
            "lateness_p99_ms": stats.percentile_ms(0.99),
            "lateness_max_ms": stats.percentile_ms(1.0),
        }

    async def captured_tracks_wav(self, account: Account, sid: str) -> bytes:
        """The call leg's captured tracks as a WAV (channel 1 inbound, 2 outbound)."""
        await self._call(account, sid)
        capture = self.runtime.captures.get(sid)
        if capture is None:
            raise NotFound(
                f"No tracks were captured for call {sid} (PHONOGRAPH_CAPTURE_S is 0 or it was evicted)"
            )
        return capture.wav()

    async def _call(self, account: Account, sid: str) -> Call:
        async with self.runtime.db.transaction() as session:
            call = await CallRepo(session).get_for_account(account.sid, sid)
        if call is None:
            raise NotFound(f"The requested resource /Calls/{sid} was not found")
        return call

    async def _settle(self, claimed: Claimed) -> None:
        """End the live rows this node claimed (its own after a crash, or a lapsed node's): no
        media of theirs runs here. Recordings first: their calls settle after."""
        await self.recordings.recover(claimed.recordings)
        for sid in claimed.calls:
            async with self.runtime.db.transaction() as session:
                call = await CallRepo(session).get(sid)
            assert call is not None
            orphan = CallSession(self.runtime, self.rooms, call, "", None)
            orphan.end(CallStatus.COMPLETED)
            await orphan.settle_abandoned()
            log.info("abandoned call settled sid=%s status=%s", sid, orphan.status.value)
        await self.conferences.settle(claimed.conferences)


def _program_of(call: Call) -> ProgramSource:
    return ProgramSource(
        url=call.url,
        method=call.method,
        fallback_url=call.fallback_url,
        fallback_method=call.fallback_method,
        twiml=call.twiml,
    )
