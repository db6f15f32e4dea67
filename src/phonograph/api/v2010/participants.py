"""A conference's Participants (OpenAPI ``api.v2010.account.conference.participant``;
twilio.com/docs/voice/api/conference-participant-resource).

Creating a participant dials ``To`` and, once it answers, joins it to the conference: a ``CF…`` sid
of a live conference, or a FriendlyName, which creates the conference when none of that name is
live. A participant is named in paths by its call sid or its ``Label``. Rows exist only while the
participant is connecting or in the conference: Twilio's Participants "does not return historical
participant logs". https://www.twilio.com/docs/voice/api/conference-participant-resource
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from phonograph.api.auth import Authenticated, not_found, reach_account
from phonograph.api.context import Context
from phonograph.api.paging import PageRequest, render_page
from phonograph.api.params import Params
from phonograph.api.v2010.calls import given_method, method_param, time_limit_param, url_param
from phonograph.api.v2010.common import form_params, query_params
from phonograph.api.v2010.conferences import conference_path, find_conference
from phonograph.calls import (
    DEFAULT_TIME_LIMIT_S,
    DEFAULT_TIMEOUT_S,
    CallbackEvent,
    ConferenceSubscription,
    JoinSettings,
    NewCall,
    NewParticipant,
    ParticipantUpdate,
)
from phonograph.core import InvalidParameter, rfc2822
from phonograph.recording import (
    CallbackMethod,
    Channels,
    RecordingEvent,
    RecordingRequest,
    Source,
    Track,
    Trim,
)
from phonograph.store import Participant, ParticipantFilters, ParticipantRepo

router = APIRouter(prefix="/Accounts/{account_sid}")

# participantLabel: "at most 128 characters" (twilio.com/docs/voice/twiml/conference)
LABEL_MAX_CHARS = 128
# the Conference's friendly_name (twilio.com/docs/voice/api/conference-resource)
CONFERENCE_NAME_MAX_CHARS = 128
CALLER_ID_MAX_CHARS = 64  # as Calls create reads CallerId
CONFERENCE_SID = re.compile(r"^CF[0-9a-fA-F]{32}$")
CALL_SID = re.compile(r"^CA[0-9a-fA-F]{32}$")  # OpenAPI pattern of CallSidToCoach
LIST_FILTERS = ("Muted", "Hold", "Coaching")
# ``queue_time`` (a string of milliseconds, OpenAPI type string) is only in the create response:
# phonograph places the participant's call at once.
QUEUE_TIME_MS = "0"


class Beep(StrEnum):
    """``Beep``: whether a beep plays to the conference when this participant enters or leaves."""

    TRUE = "true"
    FALSE = "false"
    ON_ENTER = "onEnter"
    ON_EXIT = "onExit"


# (beep on enter, beep on exit)
BEEPS = {
    Beep.TRUE: (True, True),
    Beep.FALSE: (False, False),
    Beep.ON_ENTER: (True, False),
    Beep.ON_EXIT: (False, True),
}


class ConferenceRecord(StrEnum):
    """``ConferenceRecord``: the TwiML values plus ``true``/``false`` as their aliases."""

    TRUE = "true"
    FALSE = "false"
    RECORD_FROM_START = "record-from-start"
    DO_NOT_RECORD = "do-not-record"


RECORDS = (ConferenceRecord.TRUE, ConferenceRecord.RECORD_FROM_START)


class Region(StrEnum):
    """``Region``, the Conference's ``region`` values (twilio.com/docs/voice/api/conference-resource)."""

    US1 = "us1"
    US2 = "us2"
    IE1 = "ie1"
    DE1 = "de1"
    SG1 = "sg1"
    BR1 = "br1"
    AU1 = "au1"
    JP1 = "jp1"


# "Defaults to `start end`" (OpenAPI CreateParticipant, ConferenceStatusCallbackEvent).
DEFAULT_CONFERENCE_EVENTS = (ConferenceSubscription.START.value, ConferenceSubscription.END.value)


class ParticipantRecordingEvent(StrEnum):
    """``RecordingStatusCallbackEvent`` of Participants create: a wider list than Calls create's.
    Only the events a recording callback reports (``RecordingEvent``) are kept; ``started``,
    ``paused``, ``resumed`` and ``stopped`` are accepted and never sent."""

    STARTED = "started"
    IN_PROGRESS = "in-progress"
    PAUSED = "paused"
    RESUMED = "resumed"
    STOPPED = "stopped"
    COMPLETED = "completed"
    FAILED = "failed"
    ABSENT = "absent"


def participant_json(participant: Participant, *, created: bool = False) -> dict[str, Any]:
    path = conference_path(participant.account_sid, participant.conference_sid)
    return {
        "account_sid": participant.account_sid,
        "call_sid": participant.call_sid,
        "label": participant.label,
        "call_sid_to_coach": participant.call_sid_to_coach,
        "coaching": participant.coaching,
        "conference_sid": participant.conference_sid,
        "date_created": rfc2822(participant.date_created),
        "date_updated": rfc2822(participant.date_updated),
        "end_conference_on_exit": participant.end_conference_on_exit,
        "muted": participant.muted,
        "hold": participant.hold,
        "start_conference_on_enter": participant.start_conference_on_enter,
        "status": participant.status,
        # "Only available in the response to a create participant request" (Twilio's OpenAPI):
        # the key is always there, null but on create.
        "queue_time": QUEUE_TIME_MS if created else None,
        "uri": f"{path}/Participants/{participant.call_sid}.json",
    }


# --- reading the parameters -------------------------------------------------------------------------


def _call_sid(params: Params, name: str) -> str | None:
    value = params.get_str(name)
    if value is not None and not CALL_SID.match(value):
        raise InvalidParameter(f"{name} must be a call SID (CA followed by 32 hex digits); got {value!r}")
    return value


def _music_url(params: Params, name: str) -> str | None:
    """``WaitUrl``/``HoldUrl``: an absolute URL, or "" for silence (as ``<Conference waitUrl="">``)."""
    return "" if params.get_str(name) == "" else url_param(params, name)


def _conference_name(conference: str) -> str:
    """The path's ``{ConferenceSid}`` on create: a ``CF…`` sid, or a FriendlyName
    (twilio.com/docs/voice/api/conference-participant-resource)."""
    if not CONFERENCE_SID.match(conference) and not 0 < len(conference) <= CONFERENCE_NAME_MAX_CHARS:
        limit = CONFERENCE_NAME_MAX_CHARS
        raise InvalidParameter(
            f"The conference must be a CF sid or a FriendlyName of 1 to {limit} characters"
        )
    return conference


def _call_recording(params: Params, configuration_id: str | None) -> RecordingRequest | None:
    """``Record=true`` with ``RecordingChannels``, ``RecordingStatusCallback*``, ``RecordingTrack``
    and ``Trim``: the participant's own call, recorded like Calls create's (checked either way).
    Not calls.py's ``recording_request``: the callback events differ (``ParticipantRecordingEvent``)."""
    events = params.get_enum_list("RecordingStatusCallbackEvent", ParticipantRecordingEvent)
    reported = {event.value for event in RecordingEvent}
    request = RecordingRequest(
        channels=params.get_enum("RecordingChannels", Channels),
        status_callback=url_param(params, "RecordingStatusCallback"),
        status_callback_method=params.get_enum("RecordingStatusCallbackMethod", CallbackMethod),
        status_callback_events=tuple(RecordingEvent(e.value) for e in events if e.value in reported) or None,
        trim=params.get_enum("Trim", Trim),
        track=params.get_enum("RecordingTrack", Track),
        configuration_id=configuration_id,
    )
    return request if params.get_bool("Record") else None


def _conference_recording(params: Params, configuration_id: str | None) -> RecordingRequest | None:
    """``ConferenceRecord`` with ``ConferenceTrim`` and ``ConferenceRecordingStatusCallback*``
    (checked either way); None unless it asks for a recording."""
    record = params.get_enum("ConferenceRecord", ConferenceRecord)
    events = params.get_enum_list("ConferenceRecordingStatusCallbackEvent", RecordingEvent)
    request = RecordingRequest(
        trim=params.get_enum("ConferenceTrim", Trim),
        status_callback=url_param(params, "ConferenceRecordingStatusCallback"),
        status_callback_method=params.get_enum("ConferenceRecordingStatusCallbackMethod", CallbackMethod),
        status_callback_events=tuple(events) or None,
        configuration_id=configuration_id,
    )
    return request if record in RECORDS else None


def _coaching(params: Params) -> tuple[bool, str | None]:
    """``Coaching`` "defaults to false unless call_sid_to_coach is defined. If true,
    call_sid_to_coach must be defined" (OpenAPI CreateParticipant)."""
    to_coach = _call_sid(params, "CallSidToCoach")
    coaching = params.get_bool("Coaching")
    if coaching is None:
        coaching = to_coach is not None
    if coaching and to_coach is None:
        raise InvalidParameter("Coaching=true requires CallSidToCoach")
    return coaching, to_coach


def _join(params: Params, conference: str, recording: RecordingRequest | None) -> JoinSettings:
    beep = params.get_enum("Beep", Beep) or Beep.TRUE
    coaching, to_coach = _coaching(params)
    region = params.get_enum("Region", Region)
    events = params.get_enum_list("ConferenceStatusCallbackEvent", ConferenceSubscription)
    start = params.get_bool("StartConferenceOnEnter")
    return JoinSettings(
        # The path value as given; the engine resolves a CF sid to its conference.
        name=conference,
        label=params.get_str("Label", max_length=LABEL_MAX_CHARS),
        muted=bool(params.get_bool("Muted")),
        beep_on_enter=BEEPS[beep][0],
        beep_on_exit=BEEPS[beep][1],
        start_conference_on_enter=True if start is None else start,
        end_conference_on_exit=bool(params.get_bool("EndConferenceOnExit")),
        wait_url=_music_url(params, "WaitUrl"),
        wait_method=method_param(params, "WaitMethod"),
        max_participants=params.get_int("MaxParticipants", minimum=2, maximum=250) or 250,
        region=None if region is None else region.value,
        coaching=coaching,
        call_sid_to_coach=to_coach,
        status_callback=url_param(params, "ConferenceStatusCallback"),
        status_callback_method=method_param(params, "ConferenceStatusCallbackMethod"),
        status_callback_events=tuple(event.value for event in events) or DEFAULT_CONFERENCE_EVENTS,
        recording=recording,
        recording_source=Source.START_CONFERENCE_RECORDING_API,
    )


def new_participant(params: Params, conference: str) -> NewParticipant:
    """Participants create; ``EarlyMedia``, ``JitterBufferSize``, ``Byoc``, ``SipAuth*``,
    ``MachineDetection*``, ``AmdStatusCallback*``, ``CallReason``, ``CallToken``,
    ``ClientNotificationUrl``, ``CallerDisplayName`` and the ``Emergency*`` fields are accepted and
    ignored, as every unknown parameter is (docs/compatibility.md)."""
    to = params.get_str("To")
    if not to:
        raise InvalidParameter("Required parameter To is missing", code=21201)
    from_ = params.get_str("From")
    if not from_:
        raise InvalidParameter("Required parameter From is missing", code=21603)
    # RecordingConfigurationId (SDK only) names one recording's configuration. With ConferenceRecord
    # on it is the conference recording's (what this request adds to the conference); otherwise the
    # participant's own call recording's (Record=true).
    configuration_id = params.get_str("RecordingConfigurationId", max_length=64)
    conference_recording = _conference_recording(params, configuration_id)
    join = _join(params, _conference_name(conference), conference_recording)
    call = NewCall(
        to=to,
        from_=from_,
        url=None,
        method=CallbackMethod.POST.value,
        twiml=None,
        fallback_url=None,
        fallback_method=CallbackMethod.POST.value,
        status_callback=url_param(params, "StatusCallback"),
        status_callback_method=method_param(params, "StatusCallbackMethod"),
        status_callback_events=tuple(params.get_enum_list("StatusCallbackEvent", CallbackEvent))
        or (CallbackEvent.COMPLETED,),
        timeout_s=params.get_int("Timeout", minimum=5, maximum=600) or DEFAULT_TIMEOUT_S,
        time_limit_s=time_limit_param(params) or DEFAULT_TIME_LIMIT_S,
        send_digits=None,
        caller_name=params.get_str("CallerId", max_length=CALLER_ID_MAX_CHARS),
        recording=_call_recording(params, None if conference_recording else configuration_id),
    )
    return NewParticipant(call=call, join=join)


def participant_update(params: Params) -> ParticipantUpdate:
    return ParticipantUpdate(
        muted=params.get_bool("Muted"),
        hold=params.get_bool("Hold"),
        hold_url=_music_url(params, "HoldUrl"),
        hold_method=given_method(params, "HoldMethod"),
        announce_url=url_param(params, "AnnounceUrl"),
        announce_method=given_method(params, "AnnounceMethod"),
        wait_url=_music_url(params, "WaitUrl"),
        wait_method=given_method(params, "WaitMethod"),
        beep_on_exit=params.get_bool("BeepOnExit"),
        end_conference_on_exit=params.get_bool("EndConferenceOnExit"),
        coaching=params.get_bool("Coaching"),
        call_sid_to_coach=_call_sid(params, "CallSidToCoach"),
    )


def participant_filters(params: Params) -> ParticipantFilters:
    return ParticipantFilters(
        muted=params.get_bool("Muted"), hold=params.get_bool("Hold"), coaching=params.get_bool("Coaching")
    )


# --- routes -----------------------------------------------------------------------------------------
# ``{conference}`` on create and ``{call_sid}`` take the ``path`` converter: a FriendlyName or a
# Label arrives percent-decoded and may hold a "/" (the OpenAPI: "non URL safe characters in a
# label must be percent encoded").


@router.post("/Conferences/{conference:path}/Participants.json")
async def create_participant(
    account_sid: str, conference: str, request: Request, principal: Authenticated, context: Context
) -> JSONResponse:
    account = await reach_account(context, principal, account_sid, request.url.path)
    command = new_participant(await form_params(request), conference)
    participant = await context.calls.conferences.add_participant(account, conference, command)
    return JSONResponse(participant_json(participant, created=True), status_code=201)


@router.get("/Conferences/{conference_sid}/Participants.json")
async def list_participants(
    account_sid: str, conference_sid: str, request: Request, principal: Authenticated, context: Context
) -> dict[str, Any]:
    account = await reach_account(context, principal, account_sid, request.url.path)
    params = query_params(request)
    paging = PageRequest.from_params(params)
    filters = participant_filters(params)
    await find_conference(context, account, conference_sid, request.url.path)
    async with context.db.read() as session:
        page = await ParticipantRepo(session).list_page(conference_sid, filters, paging.spec)
    items = [participant_json(participant) for participant in page.items]
    path = f"{conference_path(account.sid, conference_sid)}/Participants.json"
    kept = {name: params.get_str(name) for name in LIST_FILTERS}
    return render_page("participants", items, page, paging, path, kept)


@router.get("/Conferences/{conference_sid}/Participants/{call_sid:path}.json")
async def fetch_participant(
    account_sid: str,
    conference_sid: str,
    call_sid: str,
    request: Request,
    principal: Authenticated,
    context: Context,
) -> dict[str, Any]:
    account = await reach_account(context, principal, account_sid, request.url.path)
    await find_conference(context, account, conference_sid, request.url.path)
    async with context.db.read() as session:
        participant = await ParticipantRepo(session).get(conference_sid, call_sid)
    if participant is None:
        raise not_found(request.url.path)
    return participant_json(participant)


@router.post("/Conferences/{conference_sid}/Participants/{call_sid:path}.json")
async def update_participant(
    account_sid: str,
    conference_sid: str,
    call_sid: str,
    request: Request,
    principal: Authenticated,
    context: Context,
) -> dict[str, Any]:
    account = await reach_account(context, principal, account_sid, request.url.path)
    update = participant_update(await form_params(request))
    participant = await context.calls.conferences.update_participant(
        account, conference_sid, call_sid, update
    )
    return participant_json(participant)


@router.delete("/Conferences/{conference_sid}/Participants/{call_sid:path}.json", status_code=204)
async def delete_participant(
    account_sid: str,
    conference_sid: str,
    call_sid: str,
    request: Request,
    principal: Authenticated,
    context: Context,
) -> Response:
    """Kicks the participant: its call ends (``last-participant-kicked`` or
    ``participant-with-end-conference-on-exit-kicked`` when that ends the conference)."""
    account = await reach_account(context, principal, account_sid, request.url.path)
    await context.calls.conferences.remove_participant(account, conference_sid, call_sid)
    return Response(status_code=204)
