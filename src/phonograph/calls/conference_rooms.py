"""The live conferences of one process: a name finds its live conference or makes one
(twilio.com/docs/voice/twiml/conference), and a conference that ends cancels the Participants-create calls
still ringing for it."""

from __future__ import annotations

import asyncio
import logging

from phonograph.calls.commands import JoinSettings
from phonograph.calls.conference import DEFAULT_REGION, ConferenceStatus, Ended, Room
from phonograph.calls.contracts import CallLeg
from phonograph.calls.runtime import Runtime
from phonograph.calls.state import CallStatus
from phonograph.core import ServiceUnavailable, new_sid
from phonograph.store import Conference, ConferenceRepo, ParticipantRepo

log = logging.getLogger(__name__)


class ConferenceElsewhere(ServiceUnavailable):
    """A call cannot join a conference whose mixer another node holds (docs/compatibility.md)."""


class Conferences:
    """The live conferences of this process, by sid; a name finds its live conference or makes one."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._rooms: dict[str, Room] = {}
        self._lock = asyncio.Lock()

    def get(self, sid: str) -> Room | None:
        return self._rooms.get(sid)

    def forget(self, room: Room) -> None:
        self._rooms.pop(room.sid, None)

    async def open(self, account_sid: str, settings: JoinSettings) -> Room:
        """The live conference named ``settings.name``, made (``init``) when there is none; the
        conference ``statusCallback*`` comes from the settings that make it
        (twilio.com/docs/voice/twiml/conference)."""
        async with self._lock:
            wanted = (account_sid, settings.name)
            for room in self._rooms.values():
                if (room.conference.account_sid, room.conference.friendly_name) == wanted and not room.ended:
                    return room
            async with self._runtime.db.transaction() as db:
                conferences = ConferenceRepo(db)
                conference = await conferences.live_by_name(account_sid, settings.name)
                owner = None if conference is None else conference.owner_node
                if owner is not None and owner != self._runtime.node_id:
                    # Its mixer is in another process: a room here would split its audio in two.
                    raise ConferenceElsewhere(
                        f"Conference {settings.name} is live on node {owner}; this call runs on node "
                        f"{self._runtime.node_id} and cannot join it"
                    )
                ending = conference is not None and conference.sid in self._rooms
                if conference is None or ending:
                    # A conference still ending is not joined: the name starts a new one.
                    now = self._runtime.clock.now()
                    conference = await conferences.create(
                        Conference(
                            sid=new_sid("CF"),
                            account_sid=account_sid,
                            friendly_name=settings.name,
                            status=ConferenceStatus.INIT.value,
                            region=settings.region or DEFAULT_REGION,
                            reason_conference_ended=None,
                            call_sid_ending_conference=None,
                            status_callback=settings.status_callback,
                            status_callback_method=settings.status_callback_method,
                            status_callback_events=list(settings.status_callback_events),
                            callback_sequence=0,
                            date_created=now,
                            date_updated=now,
                            owner_node=self._runtime.node_id,
                        )
                    )
                    log.info("conference created sid=%s account=%s", conference.sid, account_sid)
            return self.adopt(conference)

    def adopt(self, conference: Conference) -> Room:
        """The room of a live conference row (one Participants create made before anyone joined)."""
        room = self._rooms.get(conference.sid)
        if room is None:
            room = self._rooms[conference.sid] = Room(self._runtime, conference, self)
        return room

    async def join(self, session: CallLeg, settings: JoinSettings) -> None:
        """Put ``session``'s call in the conference until it leaves (``<Dial><Conference>``)."""
        room = await self.open(session.call.account_sid, settings)
        await room.attend(session, settings)

    async def cancel_ringing(self, conference_sid: str) -> None:
        """Participants create's calls still ringing for a conference that ends are canceled; they
        would otherwise join a new conference of the same name when answered."""
        async with self._runtime.db.transaction() as db:
            participants = ParticipantRepo(db)
            ringing = await participants.for_conference(conference_sid)
            await participants.delete_for_conference(conference_sid)
        for participant in ringing:
            session = self._runtime.sessions.get(participant.call_sid)
            if session is not None:
                session.end(CallStatus.CANCELED)

    async def close(self) -> None:
        """Shutdown: every live conference ends with its calls."""
        for room in list(self._rooms.values()):
            await room.end(Ended.LAST_LEFT)
