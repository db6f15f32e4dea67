"""The Call resource (OpenAPI ``api.v2010.account.call``;
https://www.twilio.com/docs/voice/api/call-resource)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from phonograph.api.auth import Authenticated, not_found, reach_account
from phonograph.api.context import Context
from phonograph.api.paging import PageRequest, render_page
from phonograph.api.params import Params
from phonograph.api.v2010.common import API_VERSION, account_path, form_params, query_params
from phonograph.api.v2010.incoming_phone_numbers import formatted as format_number
from phonograph.calls import (
    DEFAULT_TIME_LIMIT_S,
    DEFAULT_TIMEOUT_S,
    CallbackEvent,
    CallStatus,
    CallUpdate,
    NewCall,
)
from phonograph.core import InvalidParameter, end_of, parse_day_or_time, rfc2822
from phonograph.core.wire import is_absolute_http_url
from phonograph.recording import CallbackMethod, Channels, RecordingEvent, RecordingRequest, Track, Trim
from phonograph.store import Call, CallFilters, CallRepo

router = APIRouter(prefix="/Accounts/{account_sid}")

TWIML_MAX_CHARS = 4000
# twilio.com/docs/api/errors/32018: "Twiml size exceeded maximum allowed value of 4000 characters"
TWIML_TOO_LONG = 32018
SEND_DIGITS = re.compile(r"^[0-9*#wWABCD]{1,32}$")
# The keys of a Call's ``subresource_uris`` (twilio.com/docs/voice/api/call-resource; the OpenAPI example of a
# Call).
SUBRESOURCES = (
    "notifications",
    "recordings",
    "streams",
    "payments",
    "user_defined_message_subscriptions",
    "user_defined_messages",
    "events",
    "siprec",
    "transcriptions",
)
SUBRESOURCE_PATHS = {
    "user_defined_message_subscriptions": "UserDefinedMessageSubscriptions",
    "user_defined_messages": "UserDefinedMessages",
    "siprec": "Siprec",
}
_SUBRESOURCE_SUFFIXES = tuple(
    (name, f"/{SUBRESOURCE_PATHS.get(name, name.title())}.json") for name in SUBRESOURCES
)


def call_json(call: Call) -> dict[str, Any]:
    base = f"{account_path(call.account_sid)}/Calls/{call.sid}"
    return {
        "sid": call.sid,
        "date_created": rfc2822(call.date_created),
        "date_updated": rfc2822(call.date_updated),
        "parent_call_sid": call.parent_call_sid,
        "account_sid": call.account_sid,
        "to": call.to,
        "to_formatted": format_number(call.to),
        "from": call.from_,
        "from_formatted": format_number(call.from_),
        "phone_number_sid": call.phone_number_sid,
        "status": call.status,
        "start_time": rfc2822(call.start_time) if call.start_time else None,
        "end_time": rfc2822(call.end_time) if call.end_time else None,
        "duration": None if call.duration_s is None else str(call.duration_s),
        "price": None,
        "price_unit": "USD",
        "direction": call.direction,
        "answered_by": call.answered_by,
        "api_version": API_VERSION,
        "forwarded_from": call.forwarded_from,
        "group_sid": None,
        "caller_name": call.caller_name,
        "queue_time": "0",
        "trunk_sid": None,
        "uri": f"{base}.json",
        "subresource_uris": {name: base + suffix for name, suffix in _SUBRESOURCE_SUFFIXES},
    }


def url_param(params: Params, name: str) -> str | None:
    value = params.get_str(name)
    if value is None:
        return None
    if not is_absolute_http_url(value):
        raise InvalidParameter(f"{name} must be an absolute http or https URL; got {value!r}", code=21205)
    return value


def method_param(params: Params, name: str) -> str:
    return given_method(params, name) or CallbackMethod.POST.value


def given_method(params: Params, name: str) -> str | None:
    method = params.get_enum(name, CallbackMethod)
    return None if method is None else method.value


def time_limit_param(params: Params) -> int | None:
    # Twilio's default TimeLimit (4 hours) is also its maximum.
    return params.get_int("TimeLimit", minimum=1, maximum=DEFAULT_TIME_LIMIT_S)


def _twiml(params: Params) -> str | None:
    twiml = params.get_str("Twiml")
    if twiml is not None and len(twiml) > TWIML_MAX_CHARS:
        raise InvalidParameter(f"Twiml must be at most {TWIML_MAX_CHARS} characters", code=TWIML_TOO_LONG)
    return twiml


class RestRecordingEvent(StrEnum):
    """The recording callback events v2010 accepts (twilio.com/docs/voice/api/call-resource;
    twilio.com/docs/voice/api/recording); ``failed`` is v2's only."""

    IN_PROGRESS = RecordingEvent.IN_PROGRESS.value
    COMPLETED = RecordingEvent.COMPLETED.value
    ABSENT = RecordingEvent.ABSENT.value


def recording_request(params: Params) -> RecordingRequest:
    """The recording parameters of Calls create and ``POST /Calls/{CallSid}/Recordings`` (the
    R-params, twilio.com/docs/voice/api/call-resource; twilio.com/docs/voice/api/recording), checked; ``None``
    for each one not given."""
    events = params.get_enum_list("RecordingStatusCallbackEvent", RestRecordingEvent)
    return RecordingRequest(
        channels=params.get_enum("RecordingChannels", Channels),
        status_callback=url_param(params, "RecordingStatusCallback"),
        status_callback_method=params.get_enum("RecordingStatusCallbackMethod", CallbackMethod),
        status_callback_events=tuple(RecordingEvent(event.value) for event in events) or None,
        trim=params.get_enum("Trim", Trim),
        track=params.get_enum("RecordingTrack", Track),
        configuration_id=params.get_str("RecordingConfigurationId", max_length=64),
    )


def _recording(params: Params) -> RecordingRequest | None:
    """What ``Record=true`` asks for; None unless ``Record`` is true. The other recording
    parameters are checked either way."""
    record = params.get_bool("Record")
    request = recording_request(params)
    return request if record else None


def new_call(params: Params) -> NewCall:
    to = params.get_str("To")
    if not to:
        raise InvalidParameter("Required parameter To is missing", code=21201)
    from_ = params.get_str("From")
    if not from_:
        raise InvalidParameter("Required parameter From is missing", code=21603)
    url, twiml = url_param(params, "Url"), _twiml(params)
    if url is None and not twiml:
        raise InvalidParameter("One of Url, Twiml or ApplicationSid is required", code=21205)
    send_digits = params.get_str("SendDigits")
    if send_digits is not None and not SEND_DIGITS.match(send_digits):
        raise InvalidParameter("SendDigits may hold up to 32 of 0-9, *, #, w and A-D")
    return NewCall(
        to=to,
        from_=from_,
        url=url,
        method=method_param(params, "Method"),
        twiml=twiml,
        fallback_url=url_param(params, "FallbackUrl"),
        fallback_method=method_param(params, "FallbackMethod"),
        status_callback=url_param(params, "StatusCallback"),
        status_callback_method=method_param(params, "StatusCallbackMethod"),
        status_callback_events=tuple(params.get_enum_list("StatusCallbackEvent", CallbackEvent))
        or (CallbackEvent.COMPLETED,),
        timeout_s=params.get_int("Timeout", minimum=1, maximum=600) or DEFAULT_TIMEOUT_S,
        time_limit_s=time_limit_param(params) or DEFAULT_TIME_LIMIT_S,
        send_digits=send_digits,
        caller_name=params.get_str("CallerId", max_length=64),
        recording=_recording(params),
        sip_auth=_sip_auth(params),
        byoc=params.get_str("Byoc", max_length=34) or None,
    )


def _sip_auth(params: Params) -> tuple[str, str] | None:
    """``SipAuthUsername``/``SipAuthPassword`` (OpenAPI CreateCall): the credentials a ``sip:`` To
    answers a digest challenge with."""
    username = params.get_str("SipAuthUsername", max_length=255)
    if not username:
        return None
    return username, params.get_str("SipAuthPassword", max_length=255) or ""


def call_update(params: Params) -> CallUpdate:
    status = params.get_enum("Status", CallStatus)
    if status not in (None, CallStatus.COMPLETED, CallStatus.CANCELED):
        raise InvalidParameter(f"Status must be completed or canceled; got {status}")
    url, twiml = url_param(params, "Url"), _twiml(params)
    if url is not None and twiml is not None:
        raise InvalidParameter("Url and Twiml are mutually exclusive")
    return CallUpdate(
        status=status,
        url=url,
        method=given_method(params, "Method"),
        twiml=twiml,
        fallback_url=url_param(params, "FallbackUrl"),
        fallback_method=given_method(params, "FallbackMethod"),
        status_callback=url_param(params, "StatusCallback"),
        status_callback_method=given_method(params, "StatusCallbackMethod"),
        time_limit_s=time_limit_param(params),
    )


def time_range(params: Params, name: str) -> tuple[datetime | None, datetime | None]:
    """``Name`` (that day, or that instant), ``Name>`` (on or after) and ``Name<`` (before)."""

    def read(key: str) -> tuple[datetime, bool] | None:
        value = params.get_str(key)
        if value is None:
            return None
        try:
            return parse_day_or_time(value)
        except ValueError:
            raise InvalidParameter(
                f"{key} must be a date YYYY-MM-DD or an ISO-8601 time; got {value!r}"
            ) from None

    exact, after, before = read(name), read(f"{name}>"), read(f"{name}<")
    low = after[0] if after else None
    high = before[0] if before else None
    if exact is not None:
        moment, whole_day = exact
        low, high = moment, end_of(moment, timedelta(days=1) if whole_day else timedelta(seconds=1))
    return low, high


def call_filters(params: Params) -> CallFilters:
    status = params.get_enum("Status", CallStatus)
    start_low, start_high = time_range(params, "StartTime")
    end_low, end_high = time_range(params, "EndTime")
    return CallFilters(
        to=params.get_str("To"),
        from_=params.get_str("From"),
        parent_call_sid=params.get_str("ParentCallSid"),
        statuses=(status.value,) if status else (),
        start_time_on_or_after=start_low,
        start_time_before=start_high,
        end_time_on_or_after=end_low,
        end_time_before=end_high,
    )


@router.post("/Calls.json")
async def create_call(
    account_sid: str, request: Request, principal: Authenticated, context: Context
) -> JSONResponse:
    account = await reach_account(context, principal, account_sid, request.url.path)
    call = await context.calls.create_call(account, new_call(await form_params(request)))
    return JSONResponse(call_json(call), status_code=201)


@router.get("/Calls.json")
async def list_calls(
    account_sid: str, request: Request, principal: Authenticated, context: Context
) -> dict[str, Any]:
    account = await reach_account(context, principal, account_sid, request.url.path)
    params = query_params(request)
    paging = PageRequest.from_params(params)
    filters = call_filters(params)
    async with context.db.read() as session:
        page = await CallRepo(session).list_page(account.sid, filters, paging.spec)
    kept = {
        name: value
        for name, value in request.query_params.items()
        if name not in ("Page", "PageSize", "PageToken")
    }
    path = f"{account_path(account.sid)}/Calls.json"
    return render_page("calls", [call_json(call) for call in page.items], page, paging, path, kept)


@router.get("/Calls/{call_sid}.json")
async def fetch_call(
    account_sid: str, call_sid: str, request: Request, principal: Authenticated, context: Context
) -> dict[str, Any]:
    account = await reach_account(context, principal, account_sid, request.url.path)
    async with context.db.read() as session:
        call = await CallRepo(session).get_for_account(account.sid, call_sid)
    if call is None:
        raise not_found(request.url.path)
    return call_json(call)


@router.post("/Calls/{call_sid}.json")
async def update_call(
    account_sid: str, call_sid: str, request: Request, principal: Authenticated, context: Context
) -> dict[str, Any]:
    account = await reach_account(context, principal, account_sid, request.url.path)
    update = call_update(await form_params(request))
    return call_json(await context.calls.update_call(account, call_sid, update))


@router.delete("/Calls/{call_sid}.json", status_code=204)
async def delete_call(
    account_sid: str, call_sid: str, request: Request, principal: Authenticated, context: Context
) -> Response:
    account = await reach_account(context, principal, account_sid, request.url.path)
    await context.calls.delete_call(account, call_sid)
    return Response(status_code=204)
