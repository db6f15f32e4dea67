"""Typed commands the API hands to the engine (never Request objects or ORM rows), and those the
engine sends to the node that owns a live call (calls/bus.py), with their JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar, TypeVar

from phonograph.calls.state import CallbackEvent, CallStatus
from phonograph.core.recording_terms import CallbackMethod, Channels, RecordingEvent, Track, Trim
from phonograph.recording import PauseBehavior, RecordingRequest, RecordingStatus, Source

E = TypeVar("E", bound=StrEnum)


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


# -- commands for the node that owns a live call (calls/bus.py) --------------------------------------


@dataclass(frozen=True)
class UpdateCallCommand:
    """``POST /Calls/{Sid}.json``, run by the call's owner."""

    kind: ClassVar[str] = "update_call"
    account_sid: str
    call_sid: str
    update: CallUpdate

    def to_json(self) -> dict[str, Any]:
        return {"account_sid": self.account_sid, "call_sid": self.call_sid, "update": asdict(self.update)}

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> UpdateCallCommand:
        update = dict(body["update"])
        status = update.pop("status")
        return cls(
            body["account_sid"],
            body["call_sid"],
            CallUpdate(status=None if status is None else CallStatus(status), **update),
        )


@dataclass(frozen=True)
class StartRecordingCommand:
    """``POST /Calls/{CallSid}/Recordings.json``, run by the call's owner: the recording starts
    when the owner takes the command up (the frames of the routing delay are not kept)."""

    kind: ClassVar[str] = "start_recording"
    account_sid: str
    call_sid: str
    request: RecordingRequest

    def to_json(self) -> dict[str, Any]:
        return {"account_sid": self.account_sid, "call_sid": self.call_sid, "request": asdict(self.request)}

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> StartRecordingCommand:
        given = body["request"]

        def enum(kind: type[E], value: str | None) -> E | None:
            return None if value is None else kind(value)

        events = given["status_callback_events"]
        request = RecordingRequest(
            channels=enum(Channels, given["channels"]),
            trim=enum(Trim, given["trim"]),
            track=enum(Track, given["track"]),
            status_callback=given["status_callback"],
            status_callback_method=enum(CallbackMethod, given["status_callback_method"]),
            status_callback_events=None
            if events is None
            else tuple(RecordingEvent(event) for event in events),
            configuration_id=given["configuration_id"],
        )
        return cls(body["account_sid"], body["call_sid"], request)


@dataclass(frozen=True)
class ControlRecordingCommand:
    """``POST /Calls/{CallSid}/Recordings/{Sid}.json``, run by the call's owner, which cuts at
    ``arrived_at``: when the request reached the node that received it."""

    kind: ClassVar[str] = "control_recording"
    account_sid: str
    call_sid: str
    sid: str
    status: RecordingStatus
    behavior: PauseBehavior
    arrived_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "account_sid": self.account_sid,
            "call_sid": self.call_sid,
            "sid": self.sid,
            "status": self.status.value,
            "behavior": self.behavior.value,
            "arrived_at": self.arrived_at.isoformat(),
        }

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> ControlRecordingCommand:
        return cls(
            body["account_sid"],
            body["call_sid"],
            body["sid"],
            RecordingStatus(body["status"]),
            PauseBehavior(body["behavior"]),
            datetime.fromisoformat(body["arrived_at"]),
        )


OwnerCommand = UpdateCallCommand | StartRecordingCommand | ControlRecordingCommand
COMMAND_KINDS: dict[str, type[OwnerCommand]] = {
    command.kind: command for command in (UpdateCallCommand, StartRecordingCommand, ControlRecordingCommand)
}
