"""Numbers an account owns (OpenAPI ``api.v2010.account.incoming_phone_number``).

https://www.twilio.com/docs/phone-numbers/api/incomingphonenumber-resource. phonograph models the
voice settings; every other field of the schema is answered with a fixed value (see
``_FIXED_FIELDS``). A number is unique on the server: no two accounts can own it.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from phonograph.api.auth import Authenticated, not_found, reach_account
from phonograph.api.context import ApiContext, Context
from phonograph.api.paging import PageRequest, render_page
from phonograph.api.params import Params
from phonograph.api.principals import Principal
from phonograph.api.v2010.common import (
    API_VERSION,
    account_path,
    form_params,
    method_param,
    query_params,
    url_param,
)
from phonograph.core import InvalidParameter, NotFound, new_sid, rfc2822
from phonograph.recording import CallbackMethod
from phonograph.store import (
    FRIENDLY_NAME_MAX_CHARS,
    Account,
    IncomingPhoneNumber,
    IncomingPhoneNumberRepo,
    NumberSettings,
)

log = logging.getLogger(__name__)
router = APIRouter(prefix="/Accounts/{account_sid}")

# E.164: "+", a country code that does not start with 0, at most 15 digits in all.
E164_RE = re.compile(r"\+[1-9][0-9]{1,14}")
# A North American area code: three digits, the first 2–9 (NANP).
AREA_CODE_RE = re.compile(r"[2-9][0-9]{2}")
_NANP_RE = re.compile(r"\+1([0-9]{3})([0-9]{3})([0-9]{4})")

# Twilio's codes for the number parameters (https://www.twilio.com/docs/errors/<code>).
INVALID_PHONE_NUMBER = 21421
INVALID_AREA_CODE = 21451
NO_NUMBERS_IN_AREA_CODE = 21452

# Fields of the schema that phonograph does not model, with the value every number reports.
_FIXED_FIELDS: dict[str, Any] = {
    "address_requirements": "none",
    "address_sid": None,
    "api_version": API_VERSION,
    "beta": False,
    "bundle_sid": None,
    "capabilities": {"voice": True, "sms": False, "mms": False, "fax": False},
    "emergency_address_sid": None,
    "emergency_address_status": "unregistered",
    "emergency_status": "Inactive",
    "identity_sid": None,
    "origin": "phonograph",
    "sms_application_sid": None,
    "sms_fallback_method": "POST",
    "sms_fallback_url": None,
    "sms_method": "POST",
    "sms_url": None,
    "status": "in-use",
    "trunk_sid": None,
    "type": "local",
    "voice_application_sid": None,
    "voice_caller_id_lookup": False,
    "voice_receive_mode": "voice",
}


def is_e164(value: str) -> bool:
    """Whether ``value`` is an E.164 number: ``+`` and 2 to 15 digits, the first not 0."""
    return E164_RE.fullmatch(value) is not None


def formatted(phone_number: str) -> str:
    """Twilio's default FriendlyName: ``(415) 555-0100`` for a +1 number, else the number itself."""
    nanp = _NANP_RE.fullmatch(phone_number)
    return f"({nanp[1]}) {nanp[2]}-{nanp[3]}" if nanp else phone_number


def number_path(account_sid: str, sid: str) -> str:
    return f"{account_path(account_sid)}/IncomingPhoneNumbers/{sid}"


def number_json(number: IncomingPhoneNumber) -> dict[str, Any]:
    path = number_path(number.account_sid, number.sid)
    fields = {
        **_FIXED_FIELDS,
        "sid": number.sid,
        "account_sid": number.account_sid,
        "phone_number": number.phone_number,
        "friendly_name": number.friendly_name,
        "voice_url": number.voice_url,
        "voice_method": number.voice_method,
        "voice_fallback_url": number.voice_fallback_url,
        "voice_fallback_method": number.voice_fallback_method,
        "status_callback": number.status_callback,
        "status_callback_method": number.status_callback_method,
        "date_created": rfc2822(number.date_created),
        "date_updated": rfc2822(number.date_updated),
        "uri": f"{path}.json",
        "subresource_uris": {"assigned_add_ons": f"{path}/AssignedAddOns.json"},
    }
    # In name order, as Twilio's own answers are.
    return dict(sorted(fields.items()))


def _defaults(phone_number: str) -> NumberSettings:
    # Twilio's defaults: every method POST, no URLs, the FriendlyName a formatted number.
    return NumberSettings(
        friendly_name=formatted(phone_number),
        voice_url=None,
        voice_method=CallbackMethod.POST.value,
        voice_fallback_url=None,
        voice_fallback_method=CallbackMethod.POST.value,
        status_callback=None,
        status_callback_method=CallbackMethod.POST.value,
    )


def _settings(params: Params, base: NumberSettings, phone_number: str) -> NumberSettings:
    """``base`` with the parameters given; an empty FriendlyName is the formatted number again."""
    friendly_name = params.get_str("FriendlyName", max_length=FRIENDLY_NAME_MAX_CHARS)
    if friendly_name is None:
        friendly_name = base.friendly_name
    return NumberSettings(
        friendly_name=friendly_name or formatted(phone_number),
        voice_url=url_param(params, "VoiceUrl", base.voice_url),
        voice_method=method_param(params, "VoiceMethod", base.voice_method),
        voice_fallback_url=url_param(params, "VoiceFallbackUrl", base.voice_fallback_url),
        voice_fallback_method=method_param(params, "VoiceFallbackMethod", base.voice_fallback_method),
        status_callback=url_param(params, "StatusCallback", base.status_callback),
        status_callback_method=method_param(params, "StatusCallbackMethod", base.status_callback_method),
    )


def _wanted_number(params: Params) -> tuple[str | None, str | None]:
    """``(PhoneNumber, AreaCode)``, exactly one of them set and well formed."""
    phone_number = params.get_str("PhoneNumber")
    area_code = params.get_str("AreaCode")
    if phone_number is None and area_code is None:
        raise InvalidParameter("PhoneNumber or AreaCode is required")
    if phone_number is not None and area_code is not None:
        raise InvalidParameter("Give PhoneNumber or AreaCode, not both")
    if phone_number is not None and not is_e164(phone_number):
        # A "+" left unencoded in a form body arrives as a space.
        hint = " (send '+' as %2B)" if phone_number.startswith(" ") else ""
        raise InvalidParameter(
            f"PhoneNumber {phone_number!r} is invalid: use E.164, '+' and 2 to 15 digits{hint}",
            code=INVALID_PHONE_NUMBER,
        )
    if area_code is not None and AREA_CODE_RE.fullmatch(area_code) is None:
        raise InvalidParameter(
            f"AreaCode {area_code!r} is not a North American area code (3 digits, the first 2-9)",
            code=INVALID_AREA_CODE,
        )
    return phone_number, area_code


async def account_number(
    context: ApiContext, account: Account, sid: str, request: Request
) -> IncomingPhoneNumber:
    async with context.db.read() as session:
        number = await IncomingPhoneNumberRepo(session).get_for_account(account.sid, sid)
    if number is None:
        raise not_found(request.url.path)
    return number


async def _new_owner(context: ApiContext, principal: Principal, current: Account, params: Params) -> Account:
    """The account named by ``AccountSid`` on update: Twilio moves the number to it."""
    account_sid = params.get_str("AccountSid")
    if account_sid is None or account_sid == current.sid:
        return current
    try:
        return await reach_account(context, principal, account_sid, "")
    except NotFound:
        raise InvalidParameter(f"AccountSid {account_sid!r} is not an account you can reach") from None


@router.post("/IncomingPhoneNumbers.json")
async def create_number(
    account_sid: str,
    request: Request,
    principal: Authenticated,
    context: Context,
) -> JSONResponse:
    account = await reach_account(context, principal, account_sid, request.url.path)
    params = await form_params(request)
    phone_number, area_code = _wanted_number(params)
    async with context.db.transaction() as session:
        repo = IncomingPhoneNumberRepo(session)
        if area_code is not None:
            phone_number = await repo.free_555_number(area_code)
            if phone_number is None:
                raise InvalidParameter(
                    f"No phone numbers are free in area code {area_code}", code=NO_NUMBERS_IN_AREA_CODE
                )
        assert phone_number is not None
        number = await repo.create(
            sid=new_sid("PN"),
            account_sid=account.sid,
            phone_number=phone_number,
            settings=_settings(params, _defaults(phone_number), phone_number),
            now=context.clock.now(),
        )
    log.info("incoming phone number created sid=%s account=%s", number.sid, account.sid)
    return JSONResponse(number_json(number), status_code=201)


@router.get("/IncomingPhoneNumbers.json")
async def list_numbers(
    account_sid: str,
    request: Request,
    principal: Authenticated,
    context: Context,
) -> dict[str, Any]:
    account = await reach_account(context, principal, account_sid, request.url.path)
    params = query_params(request)
    paging = PageRequest.from_params(params)
    # A "+" left unencoded in a query string arrives as a space: the digits still match.
    phone_number = params.get_str("PhoneNumber")
    pattern = phone_number.strip() if phone_number is not None else None
    friendly_name = params.get_str("FriendlyName")
    async with context.db.read() as session:
        page = await IncomingPhoneNumberRepo(session).list_page(
            account.sid, phone_number=pattern or None, friendly_name=friendly_name, spec=paging.spec
        )
    filters = {"PhoneNumber": phone_number, "FriendlyName": friendly_name}
    items = [number_json(number) for number in page.items]
    path = f"{account_path(account.sid)}/IncomingPhoneNumbers.json"
    return render_page("incoming_phone_numbers", items, page, paging, path, filters)


@router.get("/IncomingPhoneNumbers/{sid}.json")
async def fetch_number(
    account_sid: str,
    sid: str,
    request: Request,
    principal: Authenticated,
    context: Context,
) -> dict[str, Any]:
    account = await reach_account(context, principal, account_sid, request.url.path)
    return number_json(await account_number(context, account, sid, request))


@router.post("/IncomingPhoneNumbers/{sid}.json")
async def update_number(
    account_sid: str,
    sid: str,
    request: Request,
    principal: Authenticated,
    context: Context,
) -> dict[str, Any]:
    account = await reach_account(context, principal, account_sid, request.url.path)
    number = await account_number(context, account, sid, request)
    params = await form_params(request)
    settings = _settings(params, number.settings, number.phone_number)
    owner = await _new_owner(context, principal, account, params)
    async with context.db.transaction() as session:
        number = await IncomingPhoneNumberRepo(session).update(
            number.sid, account_sid=owner.sid, settings=settings, now=context.clock.now()
        )
    if owner.sid != account.sid:
        log.info("incoming phone number moved sid=%s from=%s to=%s", number.sid, account.sid, owner.sid)
    return number_json(number)


@router.delete("/IncomingPhoneNumbers/{sid}.json", status_code=204)
async def delete_number(
    account_sid: str,
    sid: str,
    request: Request,
    principal: Authenticated,
    context: Context,
) -> Response:
    account = await reach_account(context, principal, account_sid, request.url.path)
    number = await account_number(context, account, sid, request)
    async with context.db.transaction() as session:
        await IncomingPhoneNumberRepo(session).delete(number.sid)
    log.info("incoming phone number deleted sid=%s account=%s", number.sid, account.sid)
    return Response(status_code=204)
