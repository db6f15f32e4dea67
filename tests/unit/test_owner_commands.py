"""The commands one node sends another (calls/commands.py) survive their JSON whole: nested
dataclasses, enums, tuples, optional fields and instants come back equal, through ``json``."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from phonograph.calls.commands import (
    AddParticipantCommand,
    CallUpdate,
    ConferenceUpdate,
    ControlRecordingCommand,
    JoinSettings,
    NewCall,
    NewParticipant,
    OwnerCommand,
    ParticipantUpdate,
    RemoveParticipantCommand,
    StartRecordingCommand,
    UpdateCallCommand,
    UpdateConferenceCommand,
    UpdateParticipantCommand,
    command_from_json,
    command_json,
)
from phonograph.calls.state import CallbackEvent, CallStatus
from phonograph.recording import (
    CallbackMethod,
    Channels,
    PauseBehavior,
    RecordingEvent,
    RecordingRequest,
    RecordingStatus,
    Source,
    Track,
    Trim,
)

ACCOUNT, CALL, CONFERENCE = "AC" + "1" * 32, "CA" + "2" * 32, "CF" + "3" * 32
REQUEST = RecordingRequest(
    channels=Channels.DUAL,
    trim=Trim.DO_NOT_TRIM,
    track=Track.INBOUND,
    status_callback="https://app.example/rec",
    status_callback_method=CallbackMethod.GET,
    status_callback_events=(RecordingEvent.IN_PROGRESS, RecordingEvent.COMPLETED),
)
NEW_CALL = NewCall(
    to="+15550100",
    from_="+15550101",
    url=None,
    method="POST",
    twiml=None,
    fallback_url=None,
    fallback_method="POST",
    status_callback="https://app.example/status",
    status_callback_method="POST",
    status_callback_events=(CallbackEvent.RINGING, CallbackEvent.COMPLETED),
    timeout_s=30,
    time_limit_s=600,
    send_digits="1234",
    recording=REQUEST,
)
COMMANDS: list[OwnerCommand] = [
    UpdateCallCommand(ACCOUNT, CALL, CallUpdate(status=CallStatus.COMPLETED, time_limit_s=90)),
    UpdateCallCommand(ACCOUNT, CALL, CallUpdate(twiml="<Response><Say>hi</Say></Response>")),
    StartRecordingCommand(ACCOUNT, CALL, REQUEST),
    StartRecordingCommand(ACCOUNT, CALL, RecordingRequest()),
    ControlRecordingCommand(
        ACCOUNT,
        None,
        CONFERENCE,
        "Twilio.CURRENT",
        RecordingStatus.PAUSED,
        PauseBehavior.SKIP,
        datetime(2026, 12, 7, 10, 0, 0, 123456, tzinfo=UTC),
    ),
    AddParticipantCommand(
        ACCOUNT,
        CONFERENCE,
        NewParticipant(
            NEW_CALL,
            JoinSettings(
                name="standup",
                muted=True,
                status_callback_events=("start", "join"),
                recording=REQUEST,
                recording_source=Source.CONFERENCE,
            ),
        ),
    ),
    UpdateParticipantCommand(ACCOUNT, CONFERENCE, "alice", ParticipantUpdate(muted=True, hold_url="")),
    RemoveParticipantCommand(ACCOUNT, CONFERENCE, CALL),
    UpdateConferenceCommand(ACCOUNT, CONFERENCE, ConferenceUpdate(status="completed")),
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: command.kind)
def test_a_command_comes_back_equal_from_its_json(command: OwnerCommand) -> None:
    wire = json.loads(json.dumps(command_json(command)))
    assert command_from_json(command.kind, wire) == command
