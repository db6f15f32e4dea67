"""Virtual phones: scripted far ends that calls to their number reach (``/phonograph/v1/Phones``).

A phone belongs to the authenticated account, is named by its E.164 number (one phone per
number and account) and says how it treats a call: answer it after ``answer_after_s`` and run
``twiml`` (or stay silent without one), or end it as ``busy``, ``no-answer`` or ``failed``.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from phonograph.api.auth import Authenticated, not_found
from phonograph.api.body import read_json_object
from phonograph.api.context import Context
from phonograph.api.openapi import described
from phonograph.api.v2010.incoming_phone_numbers import E164_RE, is_e164
from phonograph.api.voice_v2.validation import validate
from phonograph.calls import check_twiml
from phonograph.core import InvalidParameter, iso8601, new_sid
from phonograph.store import PhoneAnswer, VirtualPhone, VirtualPhoneRepo

log = logging.getLogger(__name__)
router = APIRouter(prefix="/Phones")

PHONES_PATH = "/phonograph/v1/Phones"
MAX_ANSWER_AFTER_S = 600.0
DEFAULT_ANSWER_AFTER_S = 1.0


def _e164(value: str) -> str:
    if not is_e164(value):
        raise ValueError("must be an E.164 number: '+' and 2 to 15 digits, the first not 0")
    return value


class PhoneRequest(BaseModel):
    """The create body. Strict: ``"1"`` is not a number and ``true`` is not one either."""

    model_config = ConfigDict(extra="forbid", strict=True)

    # The pattern is for the OpenAPI document; _e164 checks it and says why in Twilio's words.
    phone_number: Annotated[
        str, AfterValidator(_e164), Field(json_schema_extra={"pattern": f"^{E164_RE.pattern}$"})
    ]
    # JSON has no enums: the answer arrives as a string and is matched by value.
    answer: Annotated[PhoneAnswer, Field(strict=False)] = PhoneAnswer.ANSWER
    answer_after_s: float = Field(
        default=DEFAULT_ANSWER_AFTER_S, ge=0, le=MAX_ANSWER_AFTER_S, allow_inf_nan=False
    )
    twiml: str | None = None


def phone_path(phone_number: str) -> str:
    """The phone's path, with its ``+`` percent-encoded so that no client reads it as a space."""
    return f"{PHONES_PATH}/{quote(phone_number, safe='')}"


def phone_json(phone: VirtualPhone) -> dict[str, Any]:
    return {
        "sid": phone.sid,
        "account_sid": phone.account_sid,
        "phone_number": phone.phone_number,
        "answer": phone.answer.value,
        "answer_after_s": phone.answer_after_s,
        "twiml": phone.twiml,
        "date_created": iso8601(phone.date_created),
        "date_updated": iso8601(phone.date_updated),
        "url": phone_path(phone.phone_number),
    }


def _checked_twiml(document: str | None) -> str | None:
    if document is None:
        return None
    try:
        check_twiml(document)
    except InvalidParameter as exc:
        raise InvalidParameter(f"Invalid 'twiml': {exc.message}") from None
    return document


@router.post("", openapi_extra=described(body=PhoneRequest))
async def create_phone(request: Request, principal: Authenticated, context: Context) -> JSONResponse:
    body = validate(PhoneRequest, await read_json_object(request))
    twiml = _checked_twiml(body.twiml)
    async with context.db.transaction() as session:
        phone = await VirtualPhoneRepo(session).create(
            sid=new_sid("PV"),
            account_sid=principal.account.sid,
            phone_number=body.phone_number,
            answer=body.answer,
            answer_after_s=body.answer_after_s,
            twiml=twiml,
            now=context.clock.now(),
        )
    log.info("virtual phone created sid=%s account=%s", phone.sid, phone.account_sid)
    return JSONResponse(phone_json(phone), status_code=201)


@router.get("")
async def list_phones(principal: Authenticated, context: Context) -> dict[str, Any]:
    async with context.db.read() as session:
        phones = await VirtualPhoneRepo(session).list(principal.account.sid)
    return {"phones": [phone_json(phone) for phone in phones]}


async def _phone(request: Request, context: Context, account_sid: str, phone_number: str) -> VirtualPhone:
    async with context.db.read() as session:
        phone = await VirtualPhoneRepo(session).get_by_number(account_sid, phone_number)
    if phone is None:
        raise not_found(request.url.path)
    return phone


@router.get("/{phone_number}")
async def fetch_phone(
    phone_number: str, request: Request, principal: Authenticated, context: Context
) -> dict[str, Any]:
    return phone_json(await _phone(request, context, principal.account.sid, phone_number))


@router.delete("/{phone_number}", status_code=204)
async def delete_phone(
    phone_number: str, request: Request, principal: Authenticated, context: Context
) -> Response:
    phone = await _phone(request, context, principal.account.sid, phone_number)
    async with context.db.transaction() as session:
        await VirtualPhoneRepo(session).delete(phone.sid)
    log.info("virtual phone deleted sid=%s account=%s", phone.sid, phone.account_sid)
    return Response(status_code=204)
