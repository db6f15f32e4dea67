"""Accounts: the caller's account and its subaccounts (OpenAPI ``api.v2010.account``)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from phonograph.api.auth import Authenticated, reach_account
from phonograph.api.context import Context
from phonograph.api.paging import PageRequest, render_page
from phonograph.api.v2010.common import API_VERSION, account_path, form_params, query_params
from phonograph.core import AuthenticationFailed, new_secret, new_sid, rfc2822
from phonograph.store import FRIENDLY_NAME_MAX_CHARS, Account, AccountRepo, AccountStatus

log = logging.getLogger(__name__)
router = APIRouter()

# The subresources a client can follow from an account: those phonograph serves or will serve.
SUBRESOURCES = ("calls", "conferences", "incoming_phone_numbers", "keys", "recordings", "transcriptions")
_SUBRESOURCE_PATHS = {"incoming_phone_numbers": "IncomingPhoneNumbers"}


def account_json(account: Account) -> dict[str, Any]:
    base = account_path(account.sid)
    return {
        "sid": account.sid,
        "owner_account_sid": account.owner_account_sid or account.sid,
        "friendly_name": account.friendly_name,
        "auth_token": account.auth_token,
        "status": account.status.value,
        "type": account.type,
        "date_created": rfc2822(account.date_created),
        "date_updated": rfc2822(account.date_updated),
        "uri": f"{base}.json",
        "subresource_uris": {
            name: f"{base}/{_SUBRESOURCE_PATHS.get(name, name.capitalize())}.json" for name in SUBRESOURCES
        },
    }


@router.post("/Accounts.json")
async def create_account(
    request: Request,
    principal: Authenticated,
    context: Context,
) -> JSONResponse:
    principal.require_auth_token("Accounts")
    if not principal.account.is_main:
        raise AuthenticationFailed("Subaccounts cannot create subaccounts; use the main account")
    params = await form_params(request)
    now = context.clock.now()
    friendly_name = params.get_str("FriendlyName", max_length=FRIENDLY_NAME_MAX_CHARS)
    async with context.db.transaction() as session:
        account = await AccountRepo(session).create(
            sid=new_sid("AC"),
            auth_token=new_secret(),
            friendly_name=friendly_name or f"SubAccount Created at {rfc2822(now)}",
            owner_account_sid=principal.account.sid,
            now=now,
        )
    log.info("account created sid=%s owner=%s", account.sid, account.owner_account_sid)
    return JSONResponse(account_json(account), status_code=201)


@router.get("/Accounts.json")
async def list_accounts(
    request: Request,
    principal: Authenticated,
    context: Context,
) -> dict[str, Any]:
    principal.require_auth_token("Accounts")
    params = query_params(request)
    paging = PageRequest.from_params(params)
    friendly_name = params.get_str("FriendlyName")
    status = params.get_enum("Status", AccountStatus)
    async with context.db.read() as session:
        page = await AccountRepo(session).list_page(
            principal.account.sid, friendly_name=friendly_name, status=status, spec=paging.spec
        )
    filters = {"FriendlyName": friendly_name, "Status": status.value if status else None}
    items = [account_json(account) for account in page.items]
    return render_page("accounts", items, page, paging, f"/{API_VERSION}/Accounts.json", filters)


@router.get("/Accounts/{account_sid}.json")
async def fetch_account(
    account_sid: str,
    request: Request,
    principal: Authenticated,
    context: Context,
) -> dict[str, Any]:
    principal.require_auth_token("Accounts")
    return account_json(await reach_account(context, principal, account_sid, request.url.path))


@router.post("/Accounts/{account_sid}.json")
async def update_account(
    account_sid: str,
    request: Request,
    principal: Authenticated,
    context: Context,
) -> dict[str, Any]:
    principal.require_auth_token("Accounts")
    target = await reach_account(context, principal, account_sid, request.url.path)
    params = await form_params(request)
    friendly_name = params.get_str("FriendlyName", max_length=FRIENDLY_NAME_MAX_CHARS)
    status = params.get_enum("Status", AccountStatus)
    if status is not None and target.owner_account_sid != principal.account.sid:
        raise AuthenticationFailed("Only the owner account can change an account's Status")
    async with context.db.transaction() as session:
        account = await AccountRepo(session).update(
            target.sid, friendly_name=friendly_name, status=status, now=context.clock.now()
        )
    context.principals.forget_all()
    log.info("account updated sid=%s status=%s", account.sid, account.status)
    return account_json(account)
