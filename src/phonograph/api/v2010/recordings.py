"""The Recording resource in its two v2010 variants (twilio.com/docs/voice/api/recording).

- account recordings, ``/Recordings``: OpenAPI ``api.v2010.account.recording``, with ``media_url``
  and ``subresource_uris``;
- a call's recordings, ``/Calls/{CallSid}/Recordings``: OpenAPI
  ``api.v2010.account.call.call_recording``, with ``track``; start, pause, resume and stop live
  here (Call Recording Controls, twilio.com/docs/voice/api/recording).

The media itself (``/Recordings/{Sid}``, ``.wav``, ``.mp3``) is in ``recording_media.py``.
https://www.twilio.com/docs/voice/api/recording
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from phonograph.api.auth import Authenticated, not_found, reach_account
from phonograph.api.context import ApiContext, Context
from phonograph.api.paging import PageRequest, render_page
from phonograph.api.params import Params
from phonograph.api.v2010.calls import recording_request, time_range
from phonograph.api.v2010.common import API_VERSION, account_path, form_params, query_params
from phonograph.calls import ControlRecordingCommand
from phonograph.core import InvalidParameter, end_of, rfc2822
from phonograph.recording import PauseBehavior, RecordingStatus
from phonograph.store import Account, CallRepo, Recording, RecordingFilters, RecordingRepo

router = APIRouter(prefix="/Accounts/{account_sid}")

# What ``POST /Calls/{CallSid}/Recordings/{Sid}`` may ask for; the OpenAPI enum lists all six
# statuses, but only these are moves a caller can make (twilio.com/docs/voice/api/recording).
CONTROL_STATUSES = (RecordingStatus.PAUSED, RecordingStatus.IN_PROGRESS, RecordingStatus.STOPPED)
DATE_FILTERS = ("DateCreated", "DateCreated<", "DateCreated>")
ACCOUNT_FILTERS = (*DATE_FILTERS, "CallSid", "ConferenceSid", "IncludeSoftDeleted")
PAGING = ("Page", "PageSize", "PageToken")


def common_json(recording: Recording, uri: str) -> dict[str, Any]:
    """The fields all three Recording variants share (twilio.com/docs/voice/api/recording); each variant adds
    its own."""
    return {
        "account_sid": recording.account_sid,
        "api_version": API_VERSION,
        "call_sid": recording.call_sid,
        "conference_sid": recording.conference_sid,
        "date_created": rfc2822(recording.date_created),
        "date_updated": rfc2822(recording.date_updated),
        "start_time": rfc2822(recording.start_time),
        "duration": None if recording.duration_s is None else str(recording.duration_s),
        "sid": recording.sid,
        "price": None,
        "price_unit": "USD",
        "status": recording.status,
        "channels": recording.channels,
        "source": recording.source,
        "error_code": recording.error_code,
        "uri": uri,
        "encryption_details": None,
    }


def recording_json(recording: Recording, media_url: str) -> dict[str, Any]:
    """The account variant; ``media_url`` is absolute and has no extension
    (twilio.com/docs/voice/api/recording)."""
    base = f"{account_path(recording.account_sid)}/Recordings/{recording.sid}"
    return {
        **common_json(recording, f"{base}.json"),
        "subresource_uris": {
            "add_on_results": f"{base}/AddOnResults.json",
            "transcriptions": f"{base}/Transcriptions.json",
        },
        "media_url": media_url,
    }


def call_recording_json(recording: Recording) -> dict[str, Any]:
    """The call variant: ``track``, no ``media_url`` and no ``subresource_uris``
    (twilio.com/docs/voice/api/recording)."""
    uri = f"{account_path(recording.account_sid)}/Calls/{recording.call_sid}/Recordings/{recording.sid}.json"
    return {**common_json(recording, uri), "track": recording.track}


def date_created_range(params: Params) -> tuple[datetime | None, datetime | None]:
    """``DateCreated`` is a whole UTC day (the docs: "YYYY-MM-DD in GMT"), also when a time comes
    with it: the SDK sends a date as ``YYYY-MM-DDT00:00:00Z`` on the account list (its
    ``serialize.iso8601_datetime``). ``DateCreated<`` and ``DateCreated>`` take the instant given."""
    low, high = time_range(params, "DateCreated")
    if low is not None and "DateCreated" in params:
        low = low.replace(hour=0, minute=0, second=0, microsecond=0)
        high = end_of(low, timedelta(days=1))
    return low, high


def recording_filters(params: Params, call_sid: str | None = None) -> RecordingFilters:
    low, high = date_created_range(params)
    return RecordingFilters(
        call_sid=call_sid or params.get_str("CallSid"),
        conference_sid=None if call_sid else params.get_str("ConferenceSid"),
        date_created_on_or_after=low,
        date_created_before=high,
        include_deleted=False if call_sid else bool(params.get_bool("IncludeSoftDeleted")),
    )


def control_status(
    params: Params, allowed: tuple[RecordingStatus, ...] = CONTROL_STATUSES
) -> RecordingStatus:
    """``Status`` of a control, one of ``allowed`` (a conference recording cannot be stopped)."""
    status = params.get_enum("Status", RecordingStatus)
    if status is None:
        raise InvalidParameter("Required parameter Status is missing")
    if status not in allowed:
        names = ", ".join(wanted.value for wanted in allowed)
        raise InvalidParameter(f"Status must be one of {names}; got {status.value!r}")
    return status


def media_frame(request: Request, context: ApiContext) -> int:
    """The media frame the request arrived on (app.py stamps it before auth and parsing)."""
    frame: int | None = getattr(request.state, "media_frame", None)
    return context.calls.media_frame() if frame is None else frame


def arrival(request: Request, context: ApiContext) -> datetime:
    """When the request arrived (app.py stamps it with the media frame): the moment another node
    that owns the call cuts at (calls/bus.py)."""
    moment: datetime | None = getattr(request.state, "arrived_at", None)
    return context.clock.now() if moment is None else moment


async def recordings_page(
    context: ApiContext,
    account: Account,
    params: Params,
    filters: RecordingFilters,
    path: str,
    kept: tuple[str, ...],
    render: Callable[[Recording], dict[str, Any]],
) -> dict[str, Any]:
    paging = PageRequest.from_params(params)
    async with context.db.read() as session:
        page = await RecordingRepo(session).list_page(account.sid, filters, paging.spec)
    items = [render(recording) for recording in page.items]
    return render_page("recordings", items, page, paging, path, {name: params.get_str(name) for name in kept})


async def account_recording(
    context: ApiContext, account: Account, sid: str, path: str, *, include_deleted: bool = False
) -> Recording:
    async with context.db.read() as session:
        recording = await RecordingRepo(session).get_for_account(
            account.sid, sid, include_deleted=include_deleted
        )
    if recording is None:
        raise not_found(path)
    return recording


async def _call_recording(
    context: ApiContext, account: Account, call_sid: str, sid: str, path: str
) -> Recording:
    recording = await account_recording(context, account, sid, path)
    if recording.call_sid != call_sid:
        raise not_found(path)
    return recording


# --- a call's recordings ----------------------------------------------------------------------------


@router.post("/Calls/{call_sid}/Recordings.json")
async def start_recording(
    account_sid: str, call_sid: str, request: Request, principal: Authenticated, context: Context
) -> JSONResponse:
    account = await reach_account(context, principal, account_sid, request.url.path)
    # PlayBeep, Transcribe and TranscriptionConfiguration appear in the OpenAPI examples but not in
    # its schema: accepted and ignored, as every unknown parameter is (docs/compatibility.md).
    wanted = recording_request(await form_params(request))
    recording = await context.calls.start_recording(account, call_sid, wanted, media_frame(request, context))
    return JSONResponse(call_recording_json(recording), status_code=201)


@router.get("/Calls/{call_sid}/Recordings.json")
async def list_call_recordings(
    account_sid: str, call_sid: str, request: Request, principal: Authenticated, context: Context
) -> dict[str, Any]:
    account = await reach_account(context, principal, account_sid, request.url.path)
    params = query_params(request)
    filters = recording_filters(params, call_sid)
    async with context.db.read() as session:
        call = await CallRepo(session).get_for_account(account.sid, call_sid)
    if call is None:
        raise not_found(request.url.path)
    path = f"{account_path(account.sid)}/Calls/{call_sid}/Recordings.json"
    return await recordings_page(context, account, params, filters, path, DATE_FILTERS, call_recording_json)


@router.get("/Calls/{call_sid}/Recordings/{sid}.json")
async def fetch_call_recording(
    account_sid: str, call_sid: str, sid: str, request: Request, principal: Authenticated, context: Context
) -> dict[str, Any]:
    account = await reach_account(context, principal, account_sid, request.url.path)
    return call_recording_json(await _call_recording(context, account, call_sid, sid, request.url.path))


@router.post("/Calls/{call_sid}/Recordings/{sid}.json")
async def control_recording(
    account_sid: str, call_sid: str, sid: str, request: Request, principal: Authenticated, context: Context
) -> dict[str, Any]:
    """Pause, resume or stop; ``sid`` may be ``Twilio.CURRENT`` (twilio.com/docs/voice/api/recording).
    ``PlayBeep`` (in the OpenAPI example) is accepted and ignored."""
    at_frame, arrived_at = media_frame(request, context), arrival(request, context)
    account = await reach_account(context, principal, account_sid, request.url.path)
    params = await form_params(request)
    status = control_status(params)
    behavior = params.get_enum("PauseBehavior", PauseBehavior) or PauseBehavior.SILENCE
    control = ControlRecordingCommand(account.sid, call_sid, None, sid, status, behavior, arrived_at)
    recording = await context.calls.control_recording(account, control, at_frame)
    return call_recording_json(recording)


@router.delete("/Calls/{call_sid}/Recordings/{sid}.json", status_code=204)
async def delete_call_recording(
    account_sid: str, call_sid: str, sid: str, request: Request, principal: Authenticated, context: Context
) -> Response:
    account = await reach_account(context, principal, account_sid, request.url.path)
    recording = await _call_recording(context, account, call_sid, sid, request.url.path)
    await context.calls.recordings.delete(recording)
    return Response(status_code=204)


# --- the account's recordings -----------------------------------------------------------------------


@router.get("/Recordings.json")
async def list_recordings(
    account_sid: str, request: Request, principal: Authenticated, context: Context
) -> dict[str, Any]:
    account = await reach_account(context, principal, account_sid, request.url.path)
    params = query_params(request)
    filters = recording_filters(params)
    path = f"{account_path(account.sid)}/Recordings.json"
    service = context.calls.recordings

    def render(recording: Recording) -> dict[str, Any]:
        return recording_json(recording, service.url(recording))

    return await recordings_page(context, account, params, filters, path, ACCOUNT_FILTERS, render)


@router.get("/Recordings/{sid}.json")
async def fetch_recording(
    account_sid: str, sid: str, request: Request, principal: Authenticated, context: Context
) -> dict[str, Any]:
    account = await reach_account(context, principal, account_sid, request.url.path)
    include_deleted = bool(query_params(request).get_bool("IncludeSoftDeleted"))
    recording = await account_recording(
        context, account, sid, request.url.path, include_deleted=include_deleted
    )
    return recording_json(recording, context.calls.recordings.url(recording))


@router.delete("/Recordings/{sid}.json", status_code=204)
async def delete_recording(
    account_sid: str, sid: str, request: Request, principal: Authenticated, context: Context
) -> Response:
    """Only a ``completed`` recording can be deleted; its media goes for good and its metadata
    stays, ``deleted`` (twilio.com/docs/voice/api/recording)."""
    account = await reach_account(context, principal, account_sid, request.url.path)
    recording = await account_recording(context, account, sid, request.url.path)
    await context.calls.recordings.delete(recording)
    return Response(status_code=204)
