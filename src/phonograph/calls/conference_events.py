"""Conference status callbacks: the conference's ``statusCallback`` events and their parameters.

https://www.twilio.com/docs/voice/twiml/conference#attributes-statusCallbackEvent and
https://www.twilio.com/docs/voice/api/conference-resource#conference-status-callback. The TwiML
names a short event (``join``); the request carries the long one (``participant-join``). ``mute``
and ``hold`` each stand for two events (on and off), ``speaker`` for speech start and stop.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from phonograph.core import rfc2822
from phonograph.store import Conference, ConferenceRepo, OutboxRepo, Participant

Params = list[tuple[str, str]]


class ConferenceEvent(StrEnum):
    CONFERENCE_START = "conference-start"
    CONFERENCE_END = "conference-end"
    PARTICIPANT_JOIN = "participant-join"
    PARTICIPANT_LEAVE = "participant-leave"
    PARTICIPANT_MUTE = "participant-mute"
    PARTICIPANT_UNMUTE = "participant-unmute"
    PARTICIPANT_HOLD = "participant-hold"
    PARTICIPANT_UNHOLD = "participant-unhold"
    SPEECH_START = "participant-speech-start"
    SPEECH_STOP = "participant-speech-stop"
    ANNOUNCEMENT_END = "announcement-end"


class Subscription(StrEnum):
    """What ``statusCallbackEvent`` (TwiML) and ``ConferenceStatusCallbackEvent`` (Participants
    create) name: the short events."""

    START = "start"
    END = "end"
    JOIN = "join"
    LEAVE = "leave"
    MUTE = "mute"
    HOLD = "hold"
    MODIFY = "modify"
    SPEAKER = "speaker"
    ANNOUNCEMENT = "announcement"


SUBSCRIPTION: dict[ConferenceEvent, Subscription] = {
    ConferenceEvent.CONFERENCE_START: Subscription.START,
    ConferenceEvent.CONFERENCE_END: Subscription.END,
    ConferenceEvent.PARTICIPANT_JOIN: Subscription.JOIN,
    ConferenceEvent.PARTICIPANT_LEAVE: Subscription.LEAVE,
    ConferenceEvent.PARTICIPANT_MUTE: Subscription.MUTE,
    ConferenceEvent.PARTICIPANT_UNMUTE: Subscription.MUTE,
    ConferenceEvent.PARTICIPANT_HOLD: Subscription.HOLD,
    ConferenceEvent.PARTICIPANT_UNHOLD: Subscription.HOLD,
    ConferenceEvent.SPEECH_START: Subscription.SPEAKER,
    ConferenceEvent.SPEECH_STOP: Subscription.SPEAKER,
    ConferenceEvent.ANNOUNCEMENT_END: Subscription.ANNOUNCEMENT,
}


def subscribed(conference: Conference, event: ConferenceEvent) -> bool:
    return bool(conference.status_callback) and SUBSCRIPTION[event] in conference.status_callback_events


def _bool(value: bool) -> str:
    return "true" if value else "false"


def participant_params(participant: Participant) -> Params:
    params: Params = [
        ("CallSid", participant.call_sid),
        ("Muted", _bool(participant.muted)),
        ("Hold", _bool(participant.hold)),
        ("Coaching", _bool(participant.coaching)),
        ("EndConferenceOnExit", _bool(participant.end_conference_on_exit)),
        ("StartConferenceOnEnter", _bool(participant.start_conference_on_enter)),
    ]
    if participant.label is not None:
        params.append(("ParticipantLabel", participant.label))
    if participant.call_sid_to_coach is not None:
        params.append(("CallSidToCoach", participant.call_sid_to_coach))
    return params


async def enqueue_event(
    session: AsyncSession, conference: Conference, event: ConferenceEvent, now: datetime, extra: Params
) -> bool:
    """Queue ``event`` in the caller's transaction when the conference subscribed to it; True when
    one was queued (the caller then wakes the outbox)."""
    if not subscribed(conference, event):
        return False
    assert conference.status_callback is not None
    sequence = await ConferenceRepo(session).take_sequence_number(conference.sid)
    params: Params = [
        ("AccountSid", conference.account_sid),
        ("ConferenceSid", conference.sid),
        ("FriendlyName", conference.friendly_name),
        ("StatusCallbackEvent", event.value),
        ("Timestamp", rfc2822(now)),
        ("SequenceNumber", str(sequence)),
        *extra,
    ]
    await OutboxRepo(session).enqueue(
        account_sid=conference.account_sid,
        ordering_key=conference.sid,
        url=conference.status_callback,
        method=conference.status_callback_method,
        params=params,
        now=now,
    )
    return True
