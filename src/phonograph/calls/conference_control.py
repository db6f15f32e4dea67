"""What the API asks of conferences (twilio.com/docs/voice/api/conference-resource;
twilio.com/docs/voice/api/conference-participant-resource): add participants by dialling out, change and kick
them by CallSid or label, end a conference or announce to it, and pause or resume its recording. Reads (lists,
fetches) go straight to the store."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession

from phonograph.calls.commands import (
    AddParticipantCommand,
    ConferenceUpdate,
    ControlRecordingCommand,
    JoinSettings,
    NewParticipant,
    OwnerCommand,
    ParticipantUpdate,
    RemoveParticipantCommand,
    UpdateConferenceCommand,
    UpdateParticipantCommand,
)
from phonograph.calls.conference import ConferenceStatus, Ended, Room
from phonograph.calls.conference_events import ConferenceEvent, enqueue_event
from phonograph.calls.conference_rooms import Conferences
from phonograph.calls.nodes import owner_elsewhere
from phonograph.calls.runtime import Runtime
from phonograph.calls.state import CallStatus
from phonograph.core import NotFound
from phonograph.recording import (
    Source,
    resolve_plan,
)
from phonograph.store import (
    Account,
    Call,
    Conference,
    ConferenceRepo,
    Participant,
    ParticipantRepo,
    Recording,
)

log = logging.getLogger(__name__)

CONFERENCE_SID = re.compile(r"^CF[0-9a-fA-F]{32}$")

CreateCall = Callable[..., Awaitable[Call]]
"""``CallEngine.create_call``: places a call; ``join`` and ``also`` (run in its transaction) given."""
Send = Callable[[str, OwnerCommand], Awaitable[str]]
"""``CallEngine._send``: runs a command on the node that owns the conference (calls/bus.py)."""


class ConferenceControl:
    """Every control runs on the node whose mixer holds the conference (its row's owner), sent
    there when that is another node: one conference's audio is never split between nodes."""

    def __init__(self, runtime: Runtime, rooms: Conferences, create_call: CreateCall, send: Send) -> None:
        self._runtime = runtime
        self._rooms = rooms
        self._create_call = create_call
        self._send = send

    def _elsewhere(self, conference: Conference) -> str | None:
        """The node that holds ``conference``, when that is another one and it is live."""
        live = conference.status != ConferenceStatus.COMPLETED
        return owner_elsewhere(conference.owner_node, self._runtime.node_id, live=live)

    async def add_participant(
        self, account: Account, conference: str, command: NewParticipant
    ) -> Participant:
        """Dial ``To``; once answered the call joins the conference. ``conference`` is a live
        conference's sid, or a FriendlyName, which makes the conference when none is live. Into a
        live conference another node holds, the call is placed by that node."""
        rooms = self._rooms
        await self._check_recordings(account, command)
        if CONFERENCE_SID.match(conference):
            row: Conference | None = await self._conference(account, conference)
        else:
            async with self._runtime.db.read() as db:
                row = await ConferenceRepo(db).live_by_name(account.sid, conference)
        if row is not None and (owner := self._elsewhere(row)) is not None:
            call_sid = await self._send(owner, AddParticipantCommand(account.sid, row.sid, command))
            return await self._participant(row.sid, call_sid)
        if CONFERENCE_SID.match(conference):
            assert row is not None
            if row.status == ConferenceStatus.COMPLETED:
                raise NotFound(f"Conference {conference} has ended: no participant can join it")
            room = rooms.adopt(row)
            join = replace(command.join, name=row.friendly_name)
        else:
            join = replace(command.join, name=conference)
            room = await rooms.open(account.sid, join)
        participant: Participant | None = None

        async def store_participant(db: AsyncSession, call: Call) -> None:
            nonlocal participant
            participant = await ParticipantRepo(db).create(_queued(room, call, join))

        call = await self._create_call(account, command.call, join=join, also=store_participant)
        assert participant is not None
        session = self._runtime.sessions.get(call.sid)
        if session is not None:
            self._runtime.tasks.spawn(
                self._after_call(room, session.wait(), call.sid), name=f"participant {call.sid}"
            )
        return participant

    async def _check_recordings(self, account: Account, command: NewParticipant) -> None:
        """Refuse a bad ``RecordingConfigurationId`` (46004, 20001) before anything is made."""
        asked = [
            (command.join.recording_source, command.join.recording),
            (Source.OUTBOUND_API, command.call.recording),
        ]
        async with self._runtime.db.transaction() as db:
            for source, request in asked:
                if request is not None:
                    await resolve_plan(db, account.sid, source, request)

    async def _after_call(self, room: Room, call_ended: Awaitable[None], call_sid: str) -> None:
        """A participant's call that ended before joining (no answer, busy) leaves no row behind; a
        conference it made that nobody else joins ends."""
        await call_ended
        async with self._runtime.db.transaction() as db:
            participants = ParticipantRepo(db)
            if await participants.get(room.sid, call_sid) is not None:
                await participants.delete(call_sid)
            waiting = await participants.for_conference(room.sid)
        if not room.ended and not room.members and not waiting:
            await room.end(Ended.LAST_LEFT)

    async def update_participant(
        self, account: Account, conference_sid: str, who: str, update: ParticipantUpdate
    ) -> Participant:
        conference = await self._conference(account, conference_sid)
        if (owner := self._elsewhere(conference)) is not None:
            command = UpdateParticipantCommand(account.sid, conference_sid, who, update)
            return await self._participant(conference_sid, await self._send(owner, command))
        room = self._rooms.get(conference_sid)
        member = None if room is None else room.member(who)
        if room is not None and member is not None:
            return await room.update(member, update)
        # Still ringing: the row keeps what applies at the join (muted, hold, coaching, ...).
        changes = update.row_changes()
        async with self._runtime.db.transaction() as db:
            participants = ParticipantRepo(db)
            participant = await participants.get(conference_sid, who)
            if participant is None:
                raise _participant_not_found(conference_sid, who)
            if changes:
                participant = await participants.change(
                    participant.call_sid, self._runtime.clock.now(), **changes
                )
        return participant

    async def remove_participant(self, account: Account, conference_sid: str, who: str) -> None:
        """Kick: the participant leaves, and its call goes on with the TwiML after its ``<Dial>``
        (or ends, for a call Participants create placed)."""
        conference = await self._conference(account, conference_sid)
        if (owner := self._elsewhere(conference)) is not None:
            await self._send(owner, RemoveParticipantCommand(account.sid, conference_sid, who))
            return
        room = self._rooms.get(conference_sid)
        member = None if room is None else room.member(who)
        if room is not None and member is not None:
            await room.kick(member)
            return
        async with self._runtime.db.transaction() as db:
            participant = await ParticipantRepo(db).get(conference_sid, who)
            if participant is None:
                raise _participant_not_found(conference_sid, who)
            await ParticipantRepo(db).delete(participant.call_sid)
        session = self._runtime.sessions.get(participant.call_sid)
        if session is not None:
            session.end(CallStatus.CANCELED)

    async def update_conference(self, account: Account, sid: str, update: ConferenceUpdate) -> Conference:
        conference = await self._conference(account, sid)
        if (owner := self._elsewhere(conference)) is not None:
            await self._send(owner, UpdateConferenceCommand(account.sid, sid, update))
            return await self._conference(account, sid)
        room = self._rooms.get(sid)
        if update.announce_url is not None and room is not None:
            room.announce(update.announce_url, update.announce_method or "POST")
        if update.status == ConferenceStatus.COMPLETED and conference.status != ConferenceStatus.COMPLETED:
            if room is not None:
                await room.end(Ended.VIA_API)
            else:
                await self._settle(conference, Ended.VIA_API)
        return await self._conference(account, sid)

    async def control_recording(
        self, account: Account, control: ControlRecordingCommand, at_frame: int
    ) -> Recording:
        """Pause or resume at ``at_frame`` (on the node that holds the conference: at the frame it
        ran when ``control.arrived_at``). A conference recording stops only with its conference
        (twilio.com/docs/voice/api/conference-resource, twilio.com/docs/voice/api/recording): the
        route refuses ``Status=stopped`` with its other bad values."""
        conference_sid = control.conference_sid
        assert conference_sid is not None, "a conference's recording"
        conference = await self._conference(account, conference_sid)
        recordings = self._runtime.recordings
        if (owner := self._elsewhere(conference)) is not None:
            return await recordings.get(await self._send(owner, control))
        live = recordings.live_for_conference(conference_sid)
        sid = await recordings.named(
            account.sid,
            control.sid,
            f"/Conferences/{conference_sid}",
            live,
            lambda recording: recording.conference_sid == conference_sid,
        )
        return await recordings.control(sid, control.status, behavior=control.behavior, at_frame=at_frame)

    async def settle(self, sids: Sequence[str]) -> None:
        """Conferences this node claimed (store/repos/nodes.py) end now: their mixer died with the
        process that held it, and their calls with it."""
        for sid in sids:
            async with self._runtime.db.transaction() as db:
                conference = await ConferenceRepo(db).get(sid)
            assert conference is not None
            await self._settle(conference, Ended.LAST_LEFT)
            log.info("abandoned conference settled sid=%s", sid)

    async def _settle(self, conference: Conference, reason: Ended) -> None:
        """End a conference that has no room in this process."""
        await self._rooms.cancel_ringing(conference.sid)
        now = self._runtime.clock.now()
        async with self._runtime.db.transaction() as db:
            conference = await ConferenceRepo(db).change(
                conference.sid,
                now,
                status=ConferenceStatus.COMPLETED.value,
                reason_conference_ended=reason.value,
            )
            extra = [("ReasonConferenceEnded", reason.value)]
            queued = await enqueue_event(db, conference, ConferenceEvent.CONFERENCE_END, now, extra)
        if queued:
            self._runtime.outbox.notify()

    async def _conference(self, account: Account, sid: str) -> Conference:
        async with self._runtime.db.transaction() as db:
            conference = await ConferenceRepo(db).get_for_account(account.sid, sid)
        if conference is None:
            raise NotFound(f"The requested resource /Conferences/{sid} was not found")
        return conference

    async def _participant(self, conference_sid: str, call_sid: str) -> Participant:
        async with self._runtime.db.read() as db:
            participant = await ParticipantRepo(db).get(conference_sid, call_sid)
        if participant is None:
            raise _participant_not_found(conference_sid, call_sid)
        return participant


def _queued(room: Room, call: Call, join: JoinSettings) -> Participant:
    return Participant(
        call_sid=call.sid,
        conference_sid=room.sid,
        account_sid=call.account_sid,
        label=join.label,
        status="queued",
        muted=join.muted,
        hold=False,
        coaching=join.coaching,
        call_sid_to_coach=join.call_sid_to_coach,
        start_conference_on_enter=join.start_conference_on_enter,
        end_conference_on_exit=join.end_conference_on_exit,
        date_created=call.date_created,
        date_updated=call.date_created,
    )


def _participant_not_found(conference_sid: str, who: str) -> NotFound:
    return NotFound(f"The requested resource /Conferences/{conference_sid}/Participants/{who} was not found")
