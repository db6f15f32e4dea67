"""Conferences: named rooms where participants hear each other, mixed on the one media clock.

https://www.twilio.com/docs/voice/twiml/conference, /docs/voice/api/conference-resource and
/docs/voice/api/conference-participant-resource. The life of a conference (docs/compatibility.md,
"Conferences"):

- The first participant to join a name with no live conference creates it (``init``), as does
  Participants create with a FriendlyName.
- It starts (``in-progress``) once two participants are present and one of them has
  ``startConferenceOnEnter``; until then everyone hears the wait music and nobody is mixed.
- It ends (``completed``) when the last participant leaves, when one with ``endConferenceOnExit``
  leaves, or when the API ends it; the participants still in it go on with their TwiML.
- ``record-from-start``: the conference recording starts at the start, or when a participant who
  asks for it arrives later. It taps the mixer and stops when the conference ends
  (twilio.com/docs/voice/api/conference-resource; twilio.com/docs/voice/twiml/conference).

A member leaves through one path, ``_leave``, whatever the cause: the call hung up (its task is
cancelled), the API kicked it, or the conference ended. Membership changes hold the room's lock;
ending does not, as it waits for every member's leave.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, Protocol

from phonograph.calls.commands import JoinSettings, ParticipantUpdate
from phonograph.calls.conference_audio import clip_from_url
from phonograph.calls.conference_events import (
    ConferenceEvent,
    Subscription,
    enqueue_event,
    participant_params,
)
from phonograph.calls.contracts import CallLeg
from phonograph.calls.runtime import Runtime
from phonograph.core import PhonographError, finish_even_if_cancelled
from phonograph.media import Mixer, conference_beep
from phonograph.recording import Channels, resolve_plan
from phonograph.store import AccountRepo, Conference, ConferenceRepo, Participant, ParticipantRepo

log = logging.getLogger(__name__)

DEFAULT_REGION = "us1"
# Twilio documents no code for a full conference; phonograph reports this warning (compatibility.md).
CONFERENCE_FULL = 16024


class ConferenceStatus(StrEnum):
    """OpenAPI ``conference_enum_status``."""

    INIT = "init"
    IN_PROGRESS = "in-progress"
    COMPLETED = "completed"


class Ended(StrEnum):
    """``reason_conference_ended`` (OpenAPI ``conference_enum_reason_conference_ended``)."""

    VIA_API = "conference-ended-via-api"
    MODERATOR_LEFT = "participant-with-end-conference-on-exit-left"
    MODERATOR_KICKED = "participant-with-end-conference-on-exit-kicked"
    LAST_KICKED = "last-participant-kicked"
    LAST_LEFT = "last-participant-left"


class Leave(StrEnum):
    """Why a member left: ``ReasonParticipantLeft`` of ``participant-leave`` (phonograph's words)."""

    HUNG_UP = "participant_hung_up"
    KICKED = "participant_was_kicked"
    ENDED = "conference_ended"


@dataclass(eq=False)
class Member:
    session: CallLeg
    settings: JoinSettings
    participant: Participant
    released: asyncio.Future[Leave] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )
    gone: asyncio.Event = field(default_factory=asyncio.Event)
    music: asyncio.Task[None] | None = None
    hold_url: str | None = None
    hold_method: str = "GET"

    @property
    def call_sid(self) -> str:
        return self.participant.call_sid

    def release(self, why: Leave) -> None:
        if not self.released.done():
            self.released.set_result(why)


class Rooms(Protocol):
    """The process's live conferences, as one of them sees them (calls/conference_rooms.py)."""

    def forget(self, room: Room) -> None: ...

    async def cancel_ringing(self, conference_sid: str) -> None: ...


class Room:
    """One live conference in this process."""

    def __init__(self, runtime: Runtime, conference: Conference, rooms: Rooms) -> None:
        self.runtime = runtime
        self.conference = conference
        self.mixer = Mixer(conference.sid)
        self.members: dict[str, Member] = {}
        self.started = conference.status == ConferenceStatus.IN_PROGRESS
        self.ended = False
        self._rooms = rooms
        self._lock = asyncio.Lock()
        self._waiting_to_record: Member | None = None
        if Subscription.SPEAKER in conference.status_callback_events:
            self.mixer.on_speaking = self._on_speaking

    @property
    def sid(self) -> str:
        return self.conference.sid

    # -- joining and leaving -------------------------------------------------------------------------

    async def attend(self, session: CallLeg, settings: JoinSettings) -> None:
        """Be in the conference until the call ends, the API kicks it, or the conference ends."""
        member = await self._enter(session, settings)
        if member is None:
            return
        why = Leave.HUNG_UP
        try:
            why = await asyncio.shield(member.released)
        finally:
            await finish_even_if_cancelled(self._leave(member, why))

    async def _enter(self, session: CallLeg, settings: JoinSettings) -> Member | None:
        async with self._lock:
            if self.ended:
                return None
            if len(self.members) >= settings.max_participants:
                await session.warn(
                    CONFERENCE_FULL,
                    f"Conference {self.conference.friendly_name!r} is full: the call skipped it",
                )
                return None
            try:
                participant = await self._store_join(session, settings)
            except PhonographError as error:  # a duplicate participantLabel (16025)
                await session.warn(error.code, error.message)
                return None
            member = Member(session, settings, participant)
            self.members[member.call_sid] = member
            self.mixer.add(session.leg, muted=participant.muted, held=True)
            log.info("conference join sid=%s call=%s", self.sid, member.call_sid)
            if not self.started and self._ready():
                await self._start()
            else:
                self._place(member, entering=True)
            if settings.recording is not None:
                if self.started:
                    await self._record(member)
                elif self._waiting_to_record is None:
                    self._waiting_to_record = member
            return member

    async def _store_join(self, session: CallLeg, settings: JoinSettings) -> Participant:
        call_sid, now = session.call.sid, self.runtime.clock.now()
        values: dict[str, Any] = {
            "label": settings.label,
            "status": "connected",
            "muted": settings.muted,
            "hold": False,
            "coaching": settings.coaching,
            "call_sid_to_coach": settings.call_sid_to_coach,
            "start_conference_on_enter": settings.start_conference_on_enter,
            "end_conference_on_exit": settings.end_conference_on_exit,
        }
        async with self.runtime.db.transaction() as db:
            participants = ParticipantRepo(db)
            if await participants.get(self.sid, call_sid) is not None:
                # Participants create stored it while the call rang, with any update made since.
                participant = await participants.change(call_sid, now, status="connected")
            else:
                participant = await participants.create(
                    Participant(
                        call_sid=call_sid,
                        conference_sid=self.sid,
                        account_sid=self.conference.account_sid,
                        date_created=now,
                        date_updated=now,
                        **values,
                    )
                )
            queued = await enqueue_event(
                db, self.conference, ConferenceEvent.PARTICIPANT_JOIN, now, participant_params(participant)
            )
        self._notify(queued)
        return participant

    def _ready(self) -> bool:
        members = self.members.values()
        return len(members) >= 2 and any(member.settings.start_conference_on_enter for member in members)

    async def _start(self) -> None:
        self.started = True
        await self._change(ConferenceEvent.CONFERENCE_START, [], status=ConferenceStatus.IN_PROGRESS.value)
        log.info("conference start sid=%s", self.sid)
        for member in self.members.values():
            self._place(member)
        waiting, self._waiting_to_record = self._waiting_to_record, None
        if waiting is not None and waiting.call_sid in self.members:
            await self._record(waiting)

    def _place(self, member: Member, *, entering: bool = False) -> None:
        """Mix the member in, or play it wait or hold music instead."""
        mixed = self.started and not member.participant.hold
        self._stop_music(member)
        self.mixer.set_held(member.session.leg, not mixed)
        if not mixed:
            if member.participant.hold:
                self._play_music(member, member.hold_url, member.hold_method)
            else:
                self._play_music(member, member.settings.wait_url, member.settings.wait_method)
        elif entering and member.settings.beep_on_enter:
            self.mixer.play(conference_beep())

    async def _leave(self, member: Member, why: Leave) -> None:
        """Take the member out of the mix, then store its leave; the conference ends when it was the
        last or a moderator, also if the database failed meanwhile (``end`` waits on ``gone``)."""
        ending: Ended | None = None
        try:
            async with self._lock:
                self.members.pop(member.call_sid, None)
                if self._waiting_to_record is member:
                    self._waiting_to_record = None
                self._stop_music(member)
                self.mixer.remove(member.session.leg)
                if self.started and self.members and member.settings.beep_on_exit:
                    self.mixer.play(conference_beep())
                if not self.ended:
                    kicked = why is Leave.KICKED
                    if member.participant.end_conference_on_exit:
                        ending = Ended.MODERATOR_KICKED if kicked else Ended.MODERATOR_LEFT
                    elif not self.members:
                        ending = Ended.LAST_KICKED if kicked else Ended.LAST_LEFT
                await self._store_leave(member, why)
        finally:
            try:
                if ending is not None:
                    await self.end(ending, member.call_sid)
            finally:
                # After the end it caused: a kick's answer then shows the conference completed.
                member.gone.set()

    async def _store_leave(self, member: Member, why: Leave) -> None:
        now = self.runtime.clock.now()
        async with self.runtime.db.transaction() as db:
            await ParticipantRepo(db).delete(member.call_sid)
            extra = [*participant_params(member.participant), ("ReasonParticipantLeft", why.value)]
            queued = await enqueue_event(db, self.conference, ConferenceEvent.PARTICIPANT_LEAVE, now, extra)
        self._notify(queued)
        log.info("conference leave sid=%s call=%s why=%s", self.sid, member.call_sid, why.value)

    async def end(self, reason: Ended, call_sid: str | None = None) -> None:
        """End the conference: everyone still in it leaves (their TwiML goes on), its recording
        stops, and it is ``completed`` with ``reason``."""
        if self.ended:
            return
        self.ended = True
        members = list(self.members.values())
        for member in members:
            member.release(Leave.ENDED)
        await asyncio.gather(*(member.gone.wait() for member in members))
        await self.runtime.recordings.stop_conference(self.sid)
        await self._rooms.cancel_ringing(self.sid)
        extra = [("ReasonConferenceEnded", reason.value)]
        if call_sid is not None:
            extra.append(("CallSidEndingConference", call_sid))
        await self._change(
            ConferenceEvent.CONFERENCE_END,
            extra,
            status=ConferenceStatus.COMPLETED.value,
            reason_conference_ended=reason.value,
            call_sid_ending_conference=call_sid,
        )
        self._rooms.forget(self)
        log.info("conference end sid=%s reason=%s", self.sid, reason.value)

    # -- changes from the API ------------------------------------------------------------------------

    def member(self, call_sid_or_label: str) -> Member | None:
        for member in self.members.values():
            if call_sid_or_label in (member.call_sid, member.participant.label):
                return member
        return None

    async def kick(self, member: Member) -> None:
        member.release(Leave.KICKED)
        await member.gone.wait()

    async def update(self, member: Member, update: ParticipantUpdate) -> Participant:
        async with self._lock:
            changes = update.row_changes()
            before = member.participant
            if changes:
                now = self.runtime.clock.now()
                async with self.runtime.db.transaction() as db:
                    member.participant = await ParticipantRepo(db).change(member.call_sid, now, **changes)
            kept = {
                name: getattr(update, name)
                for name in ("wait_url", "wait_method", "beep_on_exit")
                if getattr(update, name) is not None
            }
            member.settings = replace(member.settings, **kept)
            if update.hold_url is not None:
                member.hold_url = update.hold_url
            if update.hold_method is not None:
                member.hold_method = update.hold_method
            after = member.participant
            if after.muted != before.muted:
                self.mixer.set_muted(member.session.leg, after.muted)
                await self._participant_event(
                    member,
                    ConferenceEvent.PARTICIPANT_MUTE if after.muted else ConferenceEvent.PARTICIPANT_UNMUTE,
                )
            if after.hold != before.hold:
                self._place(member)
                await self._participant_event(
                    member,
                    ConferenceEvent.PARTICIPANT_HOLD if after.hold else ConferenceEvent.PARTICIPANT_UNHOLD,
                )
        if update.announce_url is not None:
            self._announce(member, update.announce_url, update.announce_method or "POST", to=member)
        return member.participant

    def announce(self, url: str, method: str) -> None:
        """Play ``url`` to everyone (``AnnounceUrl`` on the conference)."""
        first = next(iter(self.members.values()), None)
        if first is not None:
            self._announce(first, url, method, to=None)

    def _announce(self, fetcher: Member, url: str, method: str, *, to: Member | None) -> None:
        async def play() -> None:
            clip = await clip_from_url(self.runtime, fetcher.session, url, method)
            leg = None if to is None else to.session.leg
            await self.mixer.play(clip, to=leg).done
            await self._participant_event(fetcher, ConferenceEvent.ANNOUNCEMENT_END)

        self.runtime.tasks.spawn(play(), name=f"announce {self.sid}")

    # -- recording, music, events ------------------------------------------------------------------

    async def _record(self, member: Member) -> None:
        """Start the conference recording ``member`` asked for, unless one is running."""
        recordings = self.runtime.recordings
        request = member.settings.recording
        if request is None or recordings.live_for_conference(self.sid):
            return
        account_sid = self.conference.account_sid
        try:
            async with self.runtime.db.transaction() as db:
                plan = await resolve_plan(db, account_sid, member.settings.recording_source, request)
                account = await AccountRepo(db).get(account_sid)
        except PhonographError as error:  # 46004: the configuration is gone since the join
            await member.session.warn(error.code, error.message)
            return
        if account is not None and account.dual_channel_conference_recording:
            # The account setting (twilio.com/docs/voice/api/recording): the first participant on channel 1,
            # the rest on 2.
            plan = replace(plan, layout=replace(plan.layout, channels=Channels.DUAL))
        await recordings.begin(
            account_sid=account_sid, call_sid=None, leg=self.mixer, plan=plan, conference_sid=self.sid
        )

    def _play_music(self, member: Member, url: str | None, method: str) -> None:
        async def play() -> None:
            clip = await clip_from_url(self.runtime, member.session, url, method)
            await member.session.leg.start_clip(clip, loop=0).done

        member.music = self.runtime.tasks.spawn(play(), name=f"conference music {member.call_sid}")

    @staticmethod
    def _stop_music(member: Member) -> None:
        if member.music is not None:
            member.music.cancel()
            member.music = None
            member.session.leg.stop_playing()

    def _on_speaking(self, leg: object, speaking: bool) -> None:
        for member in self.members.values():
            if member.session.leg is leg:
                event = ConferenceEvent.SPEECH_START if speaking else ConferenceEvent.SPEECH_STOP
                self.runtime.tasks.spawn(self._participant_event(member, event), name=f"speaker {self.sid}")

    async def _participant_event(self, member: Member, event: ConferenceEvent) -> None:
        now = self.runtime.clock.now()
        async with self.runtime.db.transaction() as db:
            queued = await enqueue_event(
                db, self.conference, event, now, participant_params(member.participant)
            )
        self._notify(queued)

    async def _change(self, event: ConferenceEvent, extra: list[tuple[str, str]], **values: Any) -> None:
        now = self.runtime.clock.now()
        async with self.runtime.db.transaction() as db:
            self.conference = await ConferenceRepo(db).change(self.sid, now, **values)
            queued = await enqueue_event(db, self.conference, event, now, extra)
        self._notify(queued)

    def _notify(self, queued: bool) -> None:
        if queued:
            self.runtime.outbox.notify()
