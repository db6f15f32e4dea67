"""The Conference resource and a conference's recordings (twilio.com/docs/voice/api/conference-resource;
twilio.com/docs/voice/api/recording).

- ``/Conferences``: OpenAPI ``api.v2010.account.conference``; list, fetch, and update (end it, or
  play an announcement to everyone);
- ``/Conferences/{ConferenceSid}/Recordings``: OpenAPI
  ``api.v2010.account.conference.conference_recording``; there is no create (a conference is
  recorded by ``<Conference record>`` or Participants ``ConferenceRecord``), and a control may pause
  or resume but never stop (twilio.com/docs/voice/api/conference-resource;
  twilio.com/docs/voice/api/recording).

Participants are in ``participants.py``. Reads go straight to the store; changes go to the engine.
https://www.twilio.com/docs/voice/api/conference-resource
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from fastapi import APIRouter, Request, Response

from phonograph.api.auth import Authenticated, not_found, reach_account
from phonograph.api.context import ApiContext, Context
from phonograph.api.paging import PageRequest, render_page
from phonograph.api.params import Params
from phonograph.api.v2010.calls import given_method, time_range, url_param
from phonograph.api.v2010.common import API_VERSION, account_path, form_params, query_params
from phonograph.api.v2010.recordings import (
    DATE_FILTERS,
    account_recording,
    arrival,
    common_json,
    control_status,
    date_created_range,
    media_frame,
    recordings_page,
)
from phonograph.calls import ConferenceStatus, ConferenceUpdate, ControlRecordingCommand
from phonograph.core import end_of, rfc2822
from phonograph.recording import PauseBehavior, RecordingStatus
from phonograph.store import (
    Account,
    Conference,
    ConferenceFilters,
    ConferenceRepo,
    Recording,
    RecordingFilters,
)

router = APIRouter(prefix="/Accounts/{account_sid}")

CONFERENCE_FILTERS = (
    "DateCreated",
    "DateCreated<",
    "DateCreated>",
    "DateUpdated",
    "DateUpdated<",
    "DateUpdated>",
    "FriendlyName",
    "Status",
)


# "Conference recordings cannot be stopped" twilio.com/docs/voice/api/recording: they end with the conference
# (twilio.com/docs/voice/api/conference-resource).
CONFERENCE_CONTROL_STATUSES = (RecordingStatus.PAUSED, RecordingStatus.IN_PROGRESS)


class ConferenceUpdateStatus(StrEnum):
    """OpenAPI ``conference_enum_update_status``: an update may only end a conference."""

    COMPLETED = "completed"


def conference_path(account_sid: str, conference_sid: str) -> str:
    """``/2010-04-01/Accounts/AC…/Conferences/CF…``, without the ``.json``."""
    return f"{account_path(account_sid)}/Conferences/{conference_sid}"


def conference_json(conference: Conference) -> dict[str, Any]:
    base = conference_path(conference.account_sid, conference.sid)
    return {
        "account_sid": conference.account_sid,
        "date_created": rfc2822(conference.date_created),
        "date_updated": rfc2822(conference.date_updated),
        "api_version": API_VERSION,
        "friendly_name": conference.friendly_name,
        "region": conference.region,
        "sid": conference.sid,
        "status": conference.status,
        "uri": f"{base}.json",
        "subresource_uris": {
            "participants": f"{base}/Participants.json",
            "recordings": f"{base}/Recordings.json",
        },
        "reason_conference_ended": conference.reason_conference_ended,
        "call_sid_ending_conference": conference.call_sid_ending_conference,
    }


def conference_recording_json(recording: Recording) -> dict[str, Any]:
    """The conference variant: the common fields only, no ``track``, ``media_url`` or
    ``subresource_uris`` (twilio.com/docs/voice/api/recording)."""
    base = conference_path(recording.account_sid, str(recording.conference_sid))
    return common_json(recording, f"{base}/Recordings/{recording.sid}.json")


def _days(params: Params, name: str) -> tuple[datetime | None, datetime | None]:
    """``Name`` is a whole UTC day (the OpenAPI type is ``date``; the SDK sends ``YYYY-MM-DD``),
    also when a client sends a time with it, as ``DateCreated`` is read on the Recordings lists;
    ``Name<`` and ``Name>`` take the instant given."""
    low, high = time_range(params, name)
    if low is not None and name in params:
        low = low.replace(hour=0, minute=0, second=0, microsecond=0)
        high = end_of(low, timedelta(days=1))
    return low, high


def conference_filters(params: Params) -> ConferenceFilters:
    status = params.get_enum("Status", ConferenceStatus)
    created_low, created_high = _days(params, "DateCreated")
    updated_low, updated_high = _days(params, "DateUpdated")
    return ConferenceFilters(
        friendly_name=params.get_str("FriendlyName"),
        status=None if status is None else status.value,
        date_created_on_or_after=created_low,
        date_created_before=created_high,
        date_updated_on_or_after=updated_low,
        date_updated_before=updated_high,
    )


def conference_update(params: Params) -> ConferenceUpdate:
    status = params.get_enum("Status", ConferenceUpdateStatus)
    return ConferenceUpdate(
        status=None if status is None else status.value,
        announce_url=url_param(params, "AnnounceUrl"),
        announce_method=given_method(params, "AnnounceMethod"),
    )


async def find_conference(context: ApiContext, account: Account, sid: str, path: str) -> Conference:
    """The account's conference ``sid``, or a 404 naming ``path`` (also for another account's)."""
    async with context.db.read() as session:
        conference = await ConferenceRepo(session).get_for_account(account.sid, sid)
    if conference is None:
        raise not_found(path)
    return conference


async def _conference_recording(
    context: ApiContext, account: Account, conference_sid: str, sid: str, path: str
) -> Recording:
    recording = await account_recording(context, account, sid, path)
    if recording.conference_sid != conference_sid:
        raise not_found(path)
    return recording


# --- conferences ------------------------------------------------------------------------------------


@router.get("/Conferences.json")
async def list_conferences(
    account_sid: str, request: Request, principal: Authenticated, context: Context
) -> dict[str, Any]:
    account = await reach_account(context, principal, account_sid, request.url.path)
    params = query_params(request)
    paging = PageRequest.from_params(params)
    filters = conference_filters(params)
    async with context.db.read() as session:
        page = await ConferenceRepo(session).list_page(account.sid, filters, paging.spec)
    items = [conference_json(conference) for conference in page.items]
    path = f"{account_path(account.sid)}/Conferences.json"
    kept = {name: params.get_str(name) for name in CONFERENCE_FILTERS}
    return render_page("conferences", items, page, paging, path, kept)


@router.get("/Conferences/{sid}.json")
async def fetch_conference(
    account_sid: str, sid: str, request: Request, principal: Authenticated, context: Context
) -> dict[str, Any]:
    account = await reach_account(context, principal, account_sid, request.url.path)
    return conference_json(await find_conference(context, account, sid, request.url.path))


@router.post("/Conferences/{sid}.json")
async def update_conference(
    account_sid: str, sid: str, request: Request, principal: Authenticated, context: Context
) -> dict[str, Any]:
    """``Status=completed`` ends the conference (``conference-ended-via-api``); ``AnnounceUrl``
    plays to every participant (twilio.com/docs/voice/api/conference-resource)."""
    account = await reach_account(context, principal, account_sid, request.url.path)
    update = conference_update(await form_params(request))
    return conference_json(await context.calls.conferences.update_conference(account, sid, update))


# --- a conference's recordings ----------------------------------------------------------------------


@router.get("/Conferences/{conference_sid}/Recordings.json")
async def list_conference_recordings(
    account_sid: str, conference_sid: str, request: Request, principal: Authenticated, context: Context
) -> dict[str, Any]:
    account = await reach_account(context, principal, account_sid, request.url.path)
    params = query_params(request)
    low, high = date_created_range(params)
    filters = RecordingFilters(
        conference_sid=conference_sid, date_created_on_or_after=low, date_created_before=high
    )
    await find_conference(context, account, conference_sid, request.url.path)
    path = f"{conference_path(account.sid, conference_sid)}/Recordings.json"
    return await recordings_page(
        context, account, params, filters, path, DATE_FILTERS, conference_recording_json
    )


@router.get("/Conferences/{conference_sid}/Recordings/{sid}.json")
async def fetch_conference_recording(
    account_sid: str,
    conference_sid: str,
    sid: str,
    request: Request,
    principal: Authenticated,
    context: Context,
) -> dict[str, Any]:
    account = await reach_account(context, principal, account_sid, request.url.path)
    path = request.url.path
    return conference_recording_json(await _conference_recording(context, account, conference_sid, sid, path))


@router.post("/Conferences/{conference_sid}/Recordings/{sid}.json")
async def control_conference_recording(
    account_sid: str,
    conference_sid: str,
    sid: str,
    request: Request,
    principal: Authenticated,
    context: Context,
) -> dict[str, Any]:
    """Pause or resume; ``sid`` may be ``Twilio.CURRENT`` (twilio.com/docs/voice/api/recording). ``stopped``
    is refused: "Conference recordings cannot be stopped" twilio.com/docs/voice/api/recording; the recording
    ends with the conference."""
    at_frame, arrived_at = media_frame(request, context), arrival(request, context)
    account = await reach_account(context, principal, account_sid, request.url.path)
    params = await form_params(request)
    status = control_status(params, CONFERENCE_CONTROL_STATUSES)
    behavior = params.get_enum("PauseBehavior", PauseBehavior) or PauseBehavior.SILENCE
    control = ControlRecordingCommand(account.sid, None, conference_sid, sid, status, behavior, arrived_at)
    recording = await context.calls.conferences.control_recording(account, control, at_frame)
    return conference_recording_json(recording)


@router.delete("/Conferences/{conference_sid}/Recordings/{sid}.json", status_code=204)
async def delete_conference_recording(
    account_sid: str,
    conference_sid: str,
    sid: str,
    request: Request,
    principal: Authenticated,
    context: Context,
) -> Response:
    """Like ``DELETE /Recordings/{Sid}``: only a ``completed`` recording; its metadata stays."""
    account = await reach_account(context, principal, account_sid, request.url.path)
    recording = await _conference_recording(context, account, conference_sid, sid, request.url.path)
    await context.calls.recordings.delete(recording)
    return Response(status_code=204)
