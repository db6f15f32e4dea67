"""Logging in and out, and switching into a subaccount."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from phonograph.api.auth import reach_account, verify_credentials
from phonograph.console.sessions import COOKIE, LOGIN_COOKIE
from phonograph.console.web import (
    PREFIX,
    ConsoleRoute,
    Viewing,
    checked_form,
    console_path,
    page,
    redirect,
    secure_cookie,
    set_session,
    state,
)
from phonograph.core import AuthenticationFailed
from phonograph.store import AccountRepo, AccountStatus, ApiKeyRepo, ConsoleLogoutRepo, PageSpec

router = APIRouter(prefix=PREFIX, route_class=ConsoleRoute)
SWITCHER_ACCOUNTS = 100
HOME = f"{PREFIX}/calls"


def _login_form(
    request: Request, next_path: str, error: str | None = None, status_code: int = 200
) -> Response:
    token = secrets.token_urlsafe(24)
    response = page(request, "login.html", status_code, csrf=token, next=next_path, error=error)
    response.set_cookie(
        LOGIN_COOKIE, token, path=PREFIX, secure=secure_cookie(request), httponly=True, samesite="strict"
    )
    return response


@router.get("/login")
async def login_form(request: Request, next: Annotated[str | None, Query()] = None) -> Response:
    return _login_form(request, console_path(next, HOME))


@router.post("/login")
async def login(request: Request) -> Response:
    form = (await checked_form(request, csrf=request.cookies.get(LOGIN_COOKIE))).state.form
    console = state(request)
    username, password = form.get("account_sid", "").strip(), form.get("auth_token", "")
    next_path = console_path(form.get("next"), HOME)
    try:
        principal = await verify_credentials(console.api, username, password)
    except AuthenticationFailed:
        return _login_form(request, next_path, "Wrong Account SID or Auth Token.", 401)
    if principal.key_sid is None:
        credential = principal.account.auth_token
    else:
        async with console.api.db.read() as db:
            key = await ApiKeyRepo(db).get(principal.key_sid)
        assert key is not None, "the key was just verified"
        credential = key.secret_sha256
    now_s = int(console.api.clock.now().timestamp())
    session = console.signer.new_session(principal.account.sid, principal.key_sid, credential, now_s)
    response = redirect(next_path)
    set_session(request, response, session)
    response.delete_cookie(LOGIN_COOKIE, path=PREFIX)
    return response


@router.post("/logout")
async def logout(request: Request, viewer: Viewing) -> Response:
    await checked_form(request, viewer)
    context = viewer.context
    expires_at = datetime.fromtimestamp(viewer.session.expires_at, UTC)
    async with context.db.transaction() as db:
        await ConsoleLogoutRepo(db).add(viewer.session.digest, expires_at, context.clock.now())
    response = redirect(f"{PREFIX}/login")
    response.delete_cookie(COOKIE, path=PREFIX)
    return response


@router.post("/account")
async def switch_account(request: Request, viewer: Viewing) -> Response:
    """Look at another account the credentials reach: the main account's subaccounts, or back."""
    form = (await checked_form(request, viewer)).state.form
    account = await reach_account(
        viewer.context, viewer.principal, form.get("account_sid", ""), request.url.path
    )
    response = redirect(HOME)
    set_session(request, response, viewer.session.viewing_account(account.sid))
    return response


@router.get("/accounts")
async def accounts(request: Request, viewer: Viewing) -> Response:
    """The accounts the credentials reach: the principal's own and, for an Auth Token, its active
    subaccounts (the first ``SWITCHER_ACCOUNTS``)."""
    own = viewer.principal.account
    reached = [own]
    if viewer.principal.key_sid is None:
        async with viewer.context.db.read() as db:
            listed = await AccountRepo(db).list_page(
                own.sid,
                friendly_name=None,
                status=AccountStatus.ACTIVE,
                spec=PageSpec(limit=SWITCHER_ACCOUNTS),
            )
        reached = sorted(listed.items, key=lambda account: account.sid != own.sid)
    choices = [(account.sid, account.friendly_name) for account in reached]
    return page(request, "accounts.html", viewer=viewer, accounts=choices)
