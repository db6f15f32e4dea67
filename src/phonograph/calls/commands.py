"""Typed commands the API hands to the engine (never Request objects or ORM rows)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from phonograph.calls.state import CallbackEvent, CallStatus
from phonograph.recording import RecordingRequest, Source


@dataclass(frozen=True)
class NewCall:
    """``POST /Calls.json`` after validation (OpenAPI CreateCall)."""

    to: str
    from_: str
    url: str | None
    method: str
    twiml: str | None
    fallback_url: str | None
    fallback_method: str
    status_callback: str | None
    status_callback_method: str
    status_callback_events: tuple[CallbackEvent, ...]
    timeout_s: int
    time_limit_s: int
    send_digits: str | None
    caller_name: str | None = None
    recording: RecordingRequest | None = None
    """What ``Record=true`` came with; None when the call is not recorded."""


@dataclass(frozen=True)
class CallUpdate:
    """``POST /Calls/{Sid}.json`` after validation (OpenAPI UpdateCall); None = unchanged."""

    status: CallStatus | None = None
    url: str | None = None
    method: str | None = None
    twiml: str | None = None
    fallback_url: str | None = None
    fallback_method: str | None = None
    status_callback: str | None = None
    status_callback_method: str | None = None
    time_limit_s: int | None = None

    @property
    def redirects(self) -> bool:
        return self.url is not None or self.twiml is not None


@dataclass(frozen=True)
class JoinSettings:
    """How one participant joins a conference: the ``<Dial><Conference>`` attributes, or what
    ``POST /Conferences/{ConferenceSid}/Participants`` was given
    (twilio.com/docs/voice/api/conference-participant-resource; twilio.com/docs/voice/twiml/conference).

    ``wait_url`` None plays phonograph's built-in hold music (Twilio's default is a twimlets URL);
    "" plays silence. ``recording`` is None when this participant does not ask for the conference
    to be recorded; otherwise what the conference recording was asked for (``trim``, the callback,
    ``configuration_id``), started from ``recording_source``. The conference ``status_callback*``
    takes effect from the participant that creates the conference only
    (twilio.com/docs/voice/twiml/conference).
    """

    name: str
    label: str | None = None
    muted: bool = False
    beep_on_enter: bool = True
    beep_on_exit: bool = True
    start_conference_on_enter: bool = True
    end_conference_on_exit: bool = False
    wait_url: str | None = None
    wait_method: str = "POST"
    max_participants: int = 250
    region: str | None = None
    coaching: bool = False
    call_sid_to_coach: str | None = None
    status_callback: str | None = None
    status_callback_method: str = "POST"
    status_callback_events: tuple[str, ...] = ()
    """Of ``start end join leave mute hold speaker announcement modify`` (TwiML's short names)."""
    recording: RecordingRequest | None = None
    recording_source: Source = Source.CONFERENCE


@dataclass(frozen=True)
class NewParticipant:
    """``POST /Conferences/{ConferenceSid}/Participants.json`` after validation: the call dialled
    out to ``To`` (``call.url`` and ``call.twiml`` are None; ``call.recording`` is ``Record=true``
    with ``RecordingChannels``, ``RecordingStatusCallback*``, ``RecordingTrack`` and ``Trim``) and
    how it joins once answered."""

    call: NewCall
    join: JoinSettings


@dataclass(frozen=True)
class ParticipantUpdate:
    """``POST /Conferences/{ConferenceSid}/Participants/{CallSid}.json``; None = unchanged."""

    muted: bool | None = None
    hold: bool | None = None
    hold_url: str | None = None
    hold_method: str | None = None
    announce_url: str | None = None
    announce_method: str | None = None
    wait_url: str | None = None
    wait_method: str | None = None
    beep_on_exit: bool | None = None
    end_conference_on_exit: bool | None = None
    coaching: bool | None = None
    call_sid_to_coach: str | None = None

    def row_changes(self) -> dict[str, Any]:
        """The changes the participant's row records (the rest applies to the live room only)."""
        names = ("muted", "hold", "end_conference_on_exit", "coaching", "call_sid_to_coach")
        return {name: getattr(self, name) for name in names if getattr(self, name) is not None}


@dataclass(frozen=True)
class ConferenceUpdate:
    """``POST /Conferences/{Sid}.json``: ``Status=completed`` ends it; ``AnnounceUrl`` plays to
    everyone (twilio.com/docs/voice/api/conference-resource). None = unchanged."""

    status: str | None = None
    announce_url: str | None = None
    announce_method: str | None = None
