"""Named configurations: ``/v2/Configurations/{Type}[/{IdOrUniqueName}|/Default]``
(twilio.com/docs/configurations/recording-configuration-resource)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from phonograph.api.auth import Authenticated, not_found
from phonograph.api.body import read_json_object
from phonograph.api.context import Context
from phonograph.api.voice_v2.bodies import (
    check_features,
    configuration_body,
    configuration_wire,
    referencing,
)
from phonograph.api.voice_v2.types import (
    TRANSCRIPTION,
    ConfigurationRequest,
    ConfigurationType,
    DefaultPointerRequest,
    configuration_type,
)
from phonograph.api.voice_v2.validation import validate
from phonograph.core import Conflict, InvalidParameter, iso8601, new_typeid, typeid_uuid
from phonograph.store import UNIQUE_NAME_MAX_CHARS, Configuration, ConfigurationRepo

log = logging.getLogger(__name__)
router = APIRouter(prefix="/Configurations/{type_name}")

# "Default" would be shadowed by the /Default route; ids would make IdOrUniqueName ambiguous.
RESERVED_UNIQUE_NAMES = ("Default",)
PATH_DELIMITERS = "/?#"


def configuration_json(configuration: Configuration) -> dict[str, Any]:
    kind = configuration_type(configuration.type)
    return {
        "id": configuration.id,
        "account_sid": configuration.account_sid,
        "unique_name": configuration.unique_name,
        "description": configuration.description,
        "date_created": iso8601(configuration.date_created),
        "date_updated": iso8601(configuration.date_updated),
        "configuration": configuration_wire(kind, configuration.body),
    }


def _check_unique_name(kind: ConfigurationType, unique_name: str | None) -> None:
    if unique_name is None:
        return
    if not unique_name or len(unique_name) > UNIQUE_NAME_MAX_CHARS:
        raise InvalidParameter(f"Invalid 'unique_name': must be 1 to {UNIQUE_NAME_MAX_CHARS} characters")
    if any(char.isspace() for char in unique_name):
        raise InvalidParameter("Invalid 'unique_name': must not contain spaces")
    if any(char in PATH_DELIMITERS for char in unique_name):
        # {IdOrUniqueName} is one path segment: these would split or end it.
        raise InvalidParameter("Invalid 'unique_name': must not contain '/', '?' or '#'")
    if unique_name in RESERVED_UNIQUE_NAMES or typeid_uuid(unique_name, kind.id_prefix) is not None:
        raise InvalidParameter(f"Invalid 'unique_name': {unique_name!r} is reserved")


async def _parse(
    request: Request, session: AsyncSession, account_sid: str, kind: ConfigurationType
) -> tuple[ConfigurationRequest, dict[str, Any]]:
    envelope = validate(ConfigurationRequest, await read_json_object(request))
    _check_unique_name(kind, envelope.unique_name)
    body = configuration_body(kind, envelope.configuration)
    await check_features(session, account_sid, kind, body)
    return envelope, body


async def _find(
    session: AsyncSession, account_sid: str, kind: ConfigurationType, key: str, path: str
) -> Configuration:
    configuration = await ConfigurationRepo(session).find(account_sid, kind.name, key)
    if configuration is None:
        raise not_found(path)
    return configuration


@router.post("")
async def create_configuration(
    type_name: str,
    request: Request,
    principal: Authenticated,
    context: Context,
) -> JSONResponse:
    kind = configuration_type(type_name)
    account_sid = principal.account.sid
    async with context.db.transaction() as session:
        envelope, body = await _parse(request, session, account_sid, kind)
        configuration = await ConfigurationRepo(session).create(
            id=new_typeid(kind.id_prefix),
            account_sid=account_sid,
            type=kind.name,
            unique_name=envelope.unique_name,
            description=envelope.description,
            body=body,
            now=context.clock.now(),
        )
    log.info("configuration created id=%s account=%s", configuration.id, account_sid)
    return JSONResponse(configuration_json(configuration), status_code=201)


@router.get("/Default")
async def fetch_default(
    type_name: str,
    request: Request,
    principal: Authenticated,
    context: Context,
) -> dict[str, Any]:
    kind = configuration_type(type_name)
    async with context.db.read() as session:
        configuration = await ConfigurationRepo(session).get_default(principal.account.sid, kind.name)
    if configuration is None:
        raise not_found(request.url.path)
    return configuration_json(configuration)


@router.post("/Default", status_code=204)
async def set_default(
    type_name: str,
    request: Request,
    principal: Authenticated,
    context: Context,
) -> Response:
    kind = configuration_type(type_name)
    pointer = validate(DefaultPointerRequest, await read_json_object(request))
    account_sid = principal.account.sid
    async with context.db.transaction() as session:
        repo = ConfigurationRepo(session)
        configuration = await repo.find(account_sid, kind.name, pointer.configuration_id)
        if configuration is None:
            raise InvalidParameter(
                f"Invalid 'configuration_id': no {kind.name} configuration {pointer.configuration_id!r}"
            )
        await repo.set_default(account_sid, kind.name, configuration.id)
    log.info("default configuration set id=%s account=%s", configuration.id, account_sid)
    return Response(status_code=204)


@router.get("/{key}")
async def fetch_configuration(
    type_name: str,
    key: str,
    request: Request,
    principal: Authenticated,
    context: Context,
) -> dict[str, Any]:
    kind = configuration_type(type_name)
    async with context.db.read() as session:
        configuration = await _find(session, principal.account.sid, kind, key, request.url.path)
    return configuration_json(configuration)


@router.put("/{key}")
async def replace_configuration(
    type_name: str,
    key: str,
    request: Request,
    principal: Authenticated,
    context: Context,
) -> dict[str, Any]:
    kind = configuration_type(type_name)
    account_sid = principal.account.sid
    async with context.db.transaction() as session:
        current = await _find(session, account_sid, kind, key, request.url.path)
        envelope, body = await _parse(request, session, account_sid, kind)
        configuration = await ConfigurationRepo(session).replace(
            current.id,
            unique_name=envelope.unique_name,
            description=envelope.description,
            body=body,
            now=context.clock.now(),
        )
    log.info("configuration replaced id=%s account=%s", configuration.id, account_sid)
    return configuration_json(configuration)


@router.delete("/{key}", status_code=204)
async def delete_configuration(
    type_name: str,
    key: str,
    request: Request,
    principal: Authenticated,
    context: Context,
) -> Response:
    kind = configuration_type(type_name)
    account_sid = principal.account.sid
    async with context.db.transaction() as session:
        configuration = await _find(session, account_sid, kind, key, request.url.path)
        if kind is TRANSCRIPTION:
            users = await referencing(session, account_sid, configuration.id)
            if users:
                raise Conflict(
                    f"Transcription configuration {configuration.id} is a feature of {', '.join(users)};"
                    " remove it from them first"
                )
        await ConfigurationRepo(session).delete(configuration.id)
    log.info("configuration deleted id=%s account=%s", configuration.id, account_sid)
    return Response(status_code=204)
