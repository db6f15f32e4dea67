"""Typed commands the API hands to the engine (never Request objects or ORM rows), and those the
engine sends to the node that owns a live call (calls/bus.py), with their JSON."""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass
from datetime import datetime
from enum import Enum
from types import UnionType
from typing import Any, ClassVar, Union, get_args, get_origin, get_type_hints

from phonograph.calls.state import CallbackEvent, CallStatus
from phonograph.recording import PauseBehavior, RecordingRequest, RecordingStatus, Source


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
    sip_auth: tuple[str, str] | None = None
    """``SipAuthUsername`` and ``SipAuthPassword``: a ``sip:`` To's digest credentials (kept in
    memory only, never stored)."""
    byoc: str | None = None
    """``Byoc``: the account's BYOC trunk a number that is not the server's is called through."""


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


# -- commands for the node that owns a live call or conference (calls/bus.py) ----------------------


@dataclass(frozen=True)
class UpdateCallCommand:
    """``POST /Calls/{Sid}.json``, run by the call's owner."""

    kind: ClassVar[str] = "update_call"
    account_sid: str
    call_sid: str
    update: CallUpdate


@dataclass(frozen=True)
class StartRecordingCommand:
    """``POST /Calls/{CallSid}/Recordings.json``, run by the call's owner: the recording starts
    when the owner takes the command up (the frames of the routing delay are not kept)."""

    kind: ClassVar[str] = "start_recording"
    account_sid: str
    call_sid: str
    request: RecordingRequest


@dataclass(frozen=True)
class ControlRecordingCommand:
    """``POST /Calls/{CallSid}/Recordings/{Sid}.json`` (``conference_sid`` None), or
    ``POST /Conferences/{ConferenceSid}/Recordings/{Sid}.json``: run by the owner of the call or
    conference, which cuts at ``arrived_at``, when the request reached the node that received it."""

    kind: ClassVar[str] = "control_recording"
    account_sid: str
    call_sid: str | None
    conference_sid: str | None
    sid: str
    status: RecordingStatus
    behavior: PauseBehavior
    arrived_at: datetime


@dataclass(frozen=True)
class AddParticipantCommand:
    """``POST /Conferences/{ConferenceSid}/Participants.json`` into a live conference, run by the
    node that holds its mixer: the participant's call is placed there, so that its audio is."""

    kind: ClassVar[str] = "add_participant"
    account_sid: str
    conference_sid: str
    participant: NewParticipant


@dataclass(frozen=True)
class UpdateParticipantCommand:
    kind: ClassVar[str] = "update_participant"
    account_sid: str
    conference_sid: str
    who: str
    update: ParticipantUpdate


@dataclass(frozen=True)
class RemoveParticipantCommand:
    kind: ClassVar[str] = "remove_participant"
    account_sid: str
    conference_sid: str
    who: str


@dataclass(frozen=True)
class UpdateConferenceCommand:
    kind: ClassVar[str] = "update_conference"
    account_sid: str
    conference_sid: str
    update: ConferenceUpdate


OwnerCommand = (
    UpdateCallCommand
    | StartRecordingCommand
    | ControlRecordingCommand
    | AddParticipantCommand
    | UpdateParticipantCommand
    | RemoveParticipantCommand
    | UpdateConferenceCommand
)
_KINDS: dict[str, type[OwnerCommand]] = {
    command.kind: command
    for command in (
        UpdateCallCommand,
        StartRecordingCommand,
        ControlRecordingCommand,
        AddParticipantCommand,
        UpdateParticipantCommand,
        RemoveParticipantCommand,
        UpdateConferenceCommand,
    )
}


def command_json(command: OwnerCommand) -> dict[str, Any]:
    """The command as JSON: dataclasses as objects, enums as their values, tuples as lists,
    instants in ISO 8601."""
    encoded: dict[str, Any] = _encode(command)
    return encoded


def command_from_json(kind: str, body: dict[str, Any]) -> OwnerCommand:
    """The command ``command_json`` made, rebuilt from the field types."""
    command: OwnerCommand = _decode(_KINDS[kind], body)
    return command


def _encode(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {field.name: _encode(getattr(value, field.name)) for field in fields(value)}
    if isinstance(value, tuple | list):
        return [_encode(item) for item in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def _decode(kind: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = get_origin(kind)
    if origin in (Union, UnionType):
        [inner] = [arg for arg in get_args(kind) if arg is not type(None)]
        return _decode(inner, value)
    if origin is tuple:
        return tuple(_decode(get_args(kind)[0], item) for item in value)
    if isinstance(kind, type) and is_dataclass(kind):
        hints = get_type_hints(kind)
        return kind(**{field.name: _decode(hints[field.name], value[field.name]) for field in fields(kind)})
    if kind is datetime:
        return datetime.fromisoformat(value)
    if isinstance(kind, type) and issubclass(kind, Enum):
        return kind(value)
    return value
