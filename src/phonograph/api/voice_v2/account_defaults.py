"""The account default configuration: ``/v2/AccountDefaultConfiguration/{Type}``
(twilio.com/docs/configurations/recording-configuration-resource).

One per account and type: a second create is a 409. ``ETag`` carries the version; a PUT with
``If-Match`` that does not match it is refused with 412, as the OpenAPI file lists.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from phonograph.api.auth import Authenticated, not_found
from phonograph.api.body import read_json_object
from phonograph.api.context import Context
from phonograph.api.voice_v2.bodies import check_features, configuration_body, configuration_wire
from phonograph.api.voice_v2.types import AccountDefaultRequest, ConfigurationType, configuration_type
from phonograph.api.voice_v2.validation import validate
from phonograph.core import NotFound, iso8601
from phonograph.store import AccountDefaultConfiguration, AccountDefaultRepo

log = logging.getLogger(__name__)
router = APIRouter(prefix="/AccountDefaultConfiguration/{type_name}")


def _kind(type_name: str) -> ConfigurationType:
    kind = configuration_type(type_name)
    if not kind.has_account_default:
        raise NotFound(f"There is no account default configuration of type {kind.name}")
    return kind


def _respond(default: AccountDefaultConfiguration, status_code: int = 200) -> JSONResponse:
    body: dict[str, Any] = {
        "account_sid": default.account_sid,
        "description": default.description,
        "date_created": iso8601(default.date_created),
        "date_updated": iso8601(default.date_updated),
        "configuration": configuration_wire(configuration_type(default.type), default.body),
    }
    return JSONResponse(body, status_code=status_code, headers={"ETag": f'"{default.version}"'})


def _if_match_versions(request: Request) -> frozenset[int] | None:
    """The versions ``If-Match`` accepts (RFC 9110 §13.1.1: a list of tags), or None for any."""
    header = request.headers.get("if-match")
    if header is None or header.strip() == "*":
        return None
    tags = (tag.strip().removeprefix("W/").strip('"') for tag in header.split(","))
    return frozenset(int(tag) for tag in tags if tag.isdigit())


async def _parse(
    request: Request, account_sid: str, kind: ConfigurationType, session: Any
) -> tuple[AccountDefaultRequest, dict[str, Any]]:
    envelope = validate(AccountDefaultRequest, await read_json_object(request))
    body = configuration_body(kind, envelope.configuration)
    await check_features(session, account_sid, kind, body)
    return envelope, body


@router.post("")
async def create_account_default(
    type_name: str,
    request: Request,
    principal: Authenticated,
    context: Context,
) -> JSONResponse:
    kind = _kind(type_name)
    account_sid = principal.account.sid
    async with context.db.transaction() as session:
        envelope, body = await _parse(request, account_sid, kind, session)
        default = await AccountDefaultRepo(session).create(
            account_sid=account_sid,
            type=kind.name,
            description=envelope.description,
            body=body,
            now=context.clock.now(),
        )
    log.info("account default configuration created type=%s account=%s", kind.name, account_sid)
    return _respond(default, 201)


@router.get("")
async def fetch_account_default(
    type_name: str,
    request: Request,
    principal: Authenticated,
    context: Context,
) -> JSONResponse:
    kind = _kind(type_name)
    async with context.db.read() as session:
        default = await AccountDefaultRepo(session).get(principal.account.sid, kind.name)
    if default is None:
        raise not_found(request.url.path)
    return _respond(default)


@router.put("")
async def replace_account_default(
    type_name: str,
    request: Request,
    principal: Authenticated,
    context: Context,
) -> JSONResponse:
    kind = _kind(type_name)
    account_sid = principal.account.sid
    if_versions = _if_match_versions(request)
    async with context.db.transaction() as session:
        repo = AccountDefaultRepo(session)
        if await repo.get(account_sid, kind.name) is None:
            raise not_found(request.url.path)
        envelope, body = await _parse(request, account_sid, kind, session)
        default = await repo.replace(
            account_sid,
            kind.name,
            description=envelope.description,
            body=body,
            if_versions=if_versions,
            now=context.clock.now(),
        )
    log.info("account default configuration replaced type=%s account=%s", kind.name, account_sid)
    return _respond(default)


@router.delete("", status_code=204)
async def delete_account_default(
    type_name: str,
    request: Request,
    principal: Authenticated,
    context: Context,
) -> Response:
    kind = _kind(type_name)
    account_sid = principal.account.sid
    async with context.db.transaction() as session:
        repo = AccountDefaultRepo(session)
        if await repo.get(account_sid, kind.name) is None:
            raise not_found(request.url.path)
        await repo.delete(account_sid, kind.name)
    log.info("account default configuration deleted type=%s account=%s", kind.name, account_sid)
    return Response(status_code=204)
