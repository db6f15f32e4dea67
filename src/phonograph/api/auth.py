"""HTTP Basic authentication with an Account SID + Auth Token or an API key (``SK…``) + secret.

Who may reach what (docs/compatibility.md, "Accounts and auth"):
- an account's Auth Token reaches the account and its subaccounts;
- an API key reaches only its own account, and not the Accounts or Keys resources (Twilio's
  Standard keys, error 20003);
- anything else is a 404, so that a SID of another account is never confirmed to exist.

A verified credential is remembered for a second (api/principals.py).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from typing import Annotated

from fastapi import Depends, Request

from phonograph.api.context import ApiContext, Context
from phonograph.api.openapi import BASIC_AUTH
from phonograph.api.principals import Principal
from phonograph.core import AuthenticationFailed, NotFound, is_sid
from phonograph.store import Account, AccountRepo, AccountStatus, ApiKeyRepo

_BAD_CREDENTIALS = "Authentication Error - invalid username or password"


def secret_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _basic_credentials(request: Request) -> tuple[str, str]:
    header = request.headers.get("authorization", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        raise AuthenticationFailed("Authentication Error - No credentials provided")
    try:
        username, sep, password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise AuthenticationFailed(_BAD_CREDENTIALS) from None
    if not sep:
        raise AuthenticationFailed(_BAD_CREDENTIALS)
    return username, password


def _same(expected: str, given: str) -> bool:
    """A constant-time comparison over UTF-8 bytes (``compare_digest`` refuses non-ASCII str)."""
    return hmac.compare_digest(expected.encode(), given.encode())


async def authenticate(
    request: Request, context: Context, _documented: Annotated[None, Depends(BASIC_AUTH)] = None
) -> Principal:
    """The caller, or ``AuthenticationFailed`` (401, 20003) for missing or wrong credentials.
    ``BASIC_AUTH`` only puts the scheme in the OpenAPI document of every route that needs it."""
    header = request.headers.get("authorization", "").encode()
    remembered = context.principals.get(header)
    if remembered is not None:
        return remembered
    username, password = _basic_credentials(request)
    principal = await verify_credentials(context, username, password)
    context.principals.put(header, principal)
    return principal


async def verify_credentials(context: ApiContext, username: str, password: str) -> Principal:
    """The principal of an Account SID + Auth Token or an API key SID + secret, or
    ``AuthenticationFailed`` (the API's HTTP Basic auth and the console's login form)."""
    # Only an Account SID or an API key SID can match; anything else never reaches the database.
    if not (is_sid(username, "AC") or is_sid(username, "SK")):
        raise AuthenticationFailed(_BAD_CREDENTIALS)
    async with context.db.read() as session:
        key_sid: str | None = None
        if username.startswith("SK"):
            key = await ApiKeyRepo(session).get(username)
            if key is None or not _same(key.secret_sha256, secret_digest(password)):
                raise AuthenticationFailed(_BAD_CREDENTIALS)
            key_sid, username = key.sid, key.account_sid
        account = await AccountRepo(session).get(username)
    if account is None:
        raise AuthenticationFailed(_BAD_CREDENTIALS)
    if key_sid is None and not _same(account.auth_token, password):
        raise AuthenticationFailed(_BAD_CREDENTIALS)
    if account.status is not AccountStatus.ACTIVE:
        raise AuthenticationFailed(f"Authentication Error - the account is {account.status}")
    return Principal(account, key_sid)


Authenticated = Annotated[Principal, Depends(authenticate)]


async def reach_account(context: ApiContext, principal: Principal, account_sid: str, path: str) -> Account:
    """The account named in a path, or a 404 when it does not exist or the caller may not reach it."""
    if account_sid == principal.account.sid:
        return principal.account
    async with context.db.read() as session:
        account = await AccountRepo(session).get(account_sid)
    if account is None or not principal.may_reach(account):
        raise not_found(path)
    return account


def not_found(path: str) -> NotFound:
    return NotFound(f"The requested resource {path} was not found")
