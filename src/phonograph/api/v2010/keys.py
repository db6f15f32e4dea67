"""API keys of an account (OpenAPI ``api.v2010.account.key`` and ``…new_key``)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from phonograph.api.auth import Authenticated, not_found, reach_account, secret_digest
from phonograph.api.context import ApiContext, Context
from phonograph.api.paging import PageRequest, render_page
from phonograph.api.principals import Principal
from phonograph.api.v2010.common import account_path, form_params, query_params
from phonograph.core import new_secret, new_sid, rfc2822
from phonograph.store import FRIENDLY_NAME_MAX_CHARS, Account, ApiKey, ApiKeyRepo

log = logging.getLogger(__name__)
router = APIRouter(prefix="/Accounts/{account_sid}")


def key_json(key: ApiKey) -> dict[str, Any]:
    return {
        "sid": key.sid,
        "friendly_name": key.friendly_name,
        "date_created": rfc2822(key.date_created),
        "date_updated": rfc2822(key.date_updated),
    }


async def _owner(context: ApiContext, principal: Principal, account_sid: str, request: Request) -> Account:
    principal.require_auth_token("Keys")
    return await reach_account(context, principal, account_sid, request.url.path)


async def _key(context: ApiContext, account: Account, key_sid: str, request: Request) -> ApiKey:
    async with context.db.read() as session:
        key = await ApiKeyRepo(session).get_for_account(account.sid, key_sid)
    if key is None:
        raise not_found(request.url.path)
    return key


@router.post("/Keys.json")
async def create_key(
    account_sid: str,
    request: Request,
    principal: Authenticated,
    context: Context,
) -> JSONResponse:
    account = await _owner(context, principal, account_sid, request)
    params = await form_params(request)
    friendly_name = params.get_str("FriendlyName", max_length=FRIENDLY_NAME_MAX_CHARS) or ""
    secret = new_secret()
    async with context.db.transaction() as session:
        key = await ApiKeyRepo(session).create(
            sid=new_sid("SK"),
            account_sid=account.sid,
            friendly_name=friendly_name,
            secret_sha256=secret_digest(secret),
            now=context.clock.now(),
        )
    log.info("api key created sid=%s account=%s", key.sid, account.sid)
    # The secret is shown once, here; only its digest is stored.
    return JSONResponse({**key_json(key), "secret": secret}, status_code=201)


@router.get("/Keys.json")
async def list_keys(
    account_sid: str,
    request: Request,
    principal: Authenticated,
    context: Context,
) -> dict[str, Any]:
    account = await _owner(context, principal, account_sid, request)
    paging = PageRequest.from_params(query_params(request))
    async with context.db.read() as session:
        page = await ApiKeyRepo(session).list_page(account.sid, paging.spec)
    items = [key_json(key) for key in page.items]
    return render_page("keys", items, page, paging, f"{account_path(account.sid)}/Keys.json", {})


@router.get("/Keys/{key_sid}.json")
async def fetch_key(
    account_sid: str,
    key_sid: str,
    request: Request,
    principal: Authenticated,
    context: Context,
) -> dict[str, Any]:
    account = await _owner(context, principal, account_sid, request)
    return key_json(await _key(context, account, key_sid, request))


@router.post("/Keys/{key_sid}.json")
async def update_key(
    account_sid: str,
    key_sid: str,
    request: Request,
    principal: Authenticated,
    context: Context,
) -> dict[str, Any]:
    account = await _owner(context, principal, account_sid, request)
    key = await _key(context, account, key_sid, request)
    params = await form_params(request)
    friendly_name = params.get_str("FriendlyName", max_length=FRIENDLY_NAME_MAX_CHARS)
    if friendly_name is None:
        return key_json(key)
    async with context.db.transaction() as session:
        key = await ApiKeyRepo(session).rename(key.sid, friendly_name, context.clock.now())
    return key_json(key)


@router.delete("/Keys/{key_sid}.json", status_code=204)
async def delete_key(
    account_sid: str,
    key_sid: str,
    request: Request,
    principal: Authenticated,
    context: Context,
) -> Response:
    account = await _owner(context, principal, account_sid, request)
    key = await _key(context, account, key_sid, request)
    async with context.db.transaction() as session:
        await ApiKeyRepo(session).delete(key.sid)
    context.principals.forget_all()
    log.info("api key deleted sid=%s account=%s", key.sid, account.sid)
    return Response(status_code=204)
