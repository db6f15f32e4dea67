"""SIP credential lists and credentials (OpenAPI ``api.v2010.account.sip.sip_credential_list`` and
``…sip_credential_list.sip_credential``).

https://www.twilio.com/docs/voice/sip/api/sip-credentiallist-resource and
https://www.twilio.com/docs/voice/sip/api/sip-credential-resource. A password is checked against
Twilio's rules, turned into its digest hashes in phonograph's realm (core/sip_terms.py) and
forgotten: no answer, log or row holds it. Every rule broken is Twilio's 21240.
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
from phonograph.api.v2010.common import account_path, form_params, query_params
from phonograph.core import DIGEST_REALM, DigestAlgorithm, ha1, new_sid, rfc2822
from phonograph.store import (
    FRIENDLY_NAME_MAX_CHARS,
    Account,
    DigestHashes,
    SipCredential,
    SipCredentialList,
    SipCredentialListRepo,
    SipCredentialRepo,
    credential_list_invalid,
)

log = logging.getLogger(__name__)
router = APIRouter(prefix="/Accounts/{account_sid}/SIP/CredentialLists")

USERNAME_MAX_CHARS = 32
PASSWORD_MIN_CHARS = 12
PASSWORD_MAX_CHARS = 255
# RFC 3261 §25.1 ``user``: unreserved characters, escapes and a few marks; no ``@``, ``:`` or space.
_USERNAME = re.compile(r"(?:[A-Za-z0-9\-_.!~*'()&=+$,;?/]|%[0-9A-Fa-f]{2})+")


def list_path(account_sid: str, sid: str) -> str:
    return f"{account_path(account_sid)}/SIP/CredentialLists/{sid}"


def list_json(credential_list: SipCredentialList) -> dict[str, Any]:
    path = list_path(credential_list.account_sid, credential_list.sid)
    return {
        "account_sid": credential_list.account_sid,
        "date_created": rfc2822(credential_list.date_created),
        "date_updated": rfc2822(credential_list.date_updated),
        "friendly_name": credential_list.friendly_name,
        "sid": credential_list.sid,
        "subresource_uris": {"credentials": f"{path}/Credentials.json"},
        "uri": f"{path}.json",
    }


def credential_json(credential: SipCredential) -> dict[str, Any]:
    path = f"{list_path(credential.account_sid, credential.credential_list_sid)}/Credentials/{credential.sid}"
    return {
        "account_sid": credential.account_sid,
        "credential_list_sid": credential.credential_list_sid,
        "date_created": rfc2822(credential.date_created),
        "date_updated": rfc2822(credential.date_updated),
        "sid": credential.sid,
        "uri": f"{path}.json",
        "username": credential.username,
    }


def _friendly_name(params: Params) -> str:
    name = params.get_str("FriendlyName")
    if not name:
        raise credential_list_invalid("FriendlyName is required")
    if len(name) > FRIENDLY_NAME_MAX_CHARS:
        raise credential_list_invalid(f"FriendlyName must be at most {FRIENDLY_NAME_MAX_CHARS} characters")
    return name


def _username(params: Params) -> str:
    username = params.get_str("Username")
    if not username:
        raise credential_list_invalid("Username is required")
    if len(username) > USERNAME_MAX_CHARS or not _USERNAME.fullmatch(username):
        raise credential_list_invalid(
            f"Username must be 1 to {USERNAME_MAX_CHARS} characters a SIP URI allows in its user part"
        )
    return username


def _hashes(params: Params, username: str) -> DigestHashes:
    """The password's digest hashes, once it meets Twilio's rules: at least 12 characters, a digit,
    an upper- and a lower-case letter."""
    password = params.get_str("Password")
    if password is None:
        raise credential_list_invalid("Password is required")
    if not (
        PASSWORD_MIN_CHARS <= len(password) <= PASSWORD_MAX_CHARS
        and any(char.isdigit() for char in password)
        and any(char.isupper() for char in password)
        and any(char.islower() for char in password)
    ):
        raise credential_list_invalid(
            f"Password must be {PASSWORD_MIN_CHARS} to {PASSWORD_MAX_CHARS} characters with a digit, "
            "an upper-case and a lower-case letter"
        )
    return DigestHashes(
        ha1_md5=ha1(username, DIGEST_REALM, password, DigestAlgorithm.MD5),
        ha1_sha256=ha1(username, DIGEST_REALM, password, DigestAlgorithm.SHA256),
    )


async def account_list(
    context: ApiContext, account: Account, sid: str, request: Request
) -> SipCredentialList:
    async with context.db.read() as session:
        credential_list = await SipCredentialListRepo(session).get_for_account(account.sid, sid)
    if credential_list is None:
        raise not_found(request.url.path)
    return credential_list


async def _credential(
    context: ApiContext, credential_list: SipCredentialList, sid: str, request: Request
) -> SipCredential:
    async with context.db.read() as session:
        credential = await SipCredentialRepo(session).get_in_list(credential_list.sid, sid)
    if credential is None:
        raise not_found(request.url.path)
    return credential


@router.post(".json")
async def create_list(
    account_sid: str, request: Request, principal: Authenticated, context: Context
) -> JSONResponse:
    account = await reach_account(context, principal, account_sid, request.url.path)
    friendly_name = _friendly_name(await form_params(request))
    async with context.db.transaction() as session:
        credential_list = await SipCredentialListRepo(session).create(
            sid=new_sid("CL"), account_sid=account.sid, friendly_name=friendly_name, now=context.clock.now()
        )
    log.info("sip credential list created sid=%s account=%s", credential_list.sid, account.sid)
    return JSONResponse(list_json(credential_list), status_code=201)


@router.get(".json")
async def list_lists(
    account_sid: str, request: Request, principal: Authenticated, context: Context
) -> dict[str, Any]:
    account = await reach_account(context, principal, account_sid, request.url.path)
    paging = PageRequest.from_params(query_params(request))
    async with context.db.read() as session:
        page = await SipCredentialListRepo(session).list_page(account.sid, paging.spec)
    path = f"{account_path(account.sid)}/SIP/CredentialLists.json"
    return render_page("credential_lists", [list_json(item) for item in page.items], page, paging, path, {})


@router.get("/{sid}.json")
async def fetch_list(
    account_sid: str, sid: str, request: Request, principal: Authenticated, context: Context
) -> dict[str, Any]:
    account = await reach_account(context, principal, account_sid, request.url.path)
    return list_json(await account_list(context, account, sid, request))


@router.post("/{sid}.json")
async def update_list(
    account_sid: str, sid: str, request: Request, principal: Authenticated, context: Context
) -> dict[str, Any]:
    account = await reach_account(context, principal, account_sid, request.url.path)
    credential_list = await account_list(context, account, sid, request)
    friendly_name = _friendly_name(await form_params(request))
    async with context.db.transaction() as session:
        credential_list = await SipCredentialListRepo(session).rename(
            credential_list.sid, friendly_name, context.clock.now()
        )
    return list_json(credential_list)


@router.delete("/{sid}.json", status_code=204)
async def delete_list(
    account_sid: str, sid: str, request: Request, principal: Authenticated, context: Context
) -> Response:
    account = await reach_account(context, principal, account_sid, request.url.path)
    credential_list = await account_list(context, account, sid, request)
    async with context.db.transaction() as session:
        await SipCredentialListRepo(session).delete(credential_list.sid)
    log.info("sip credential list deleted sid=%s account=%s", credential_list.sid, account.sid)
    return Response(status_code=204)


@router.post("/{list_sid}/Credentials.json")
async def create_credential(
    account_sid: str, list_sid: str, request: Request, principal: Authenticated, context: Context
) -> JSONResponse:
    account = await reach_account(context, principal, account_sid, request.url.path)
    credential_list = await account_list(context, account, list_sid, request)
    params = await form_params(request)
    username = _username(params)
    hashes = _hashes(params, username)
    async with context.db.transaction() as session:
        credential = await SipCredentialRepo(session).create(
            sid=new_sid("CR"),
            account_sid=account.sid,
            credential_list_sid=credential_list.sid,
            username=username,
            hashes=hashes,
            now=context.clock.now(),
        )
    log.info("sip credential created sid=%s list=%s", credential.sid, credential_list.sid)
    return JSONResponse(credential_json(credential), status_code=201)


@router.get("/{list_sid}/Credentials.json")
async def list_credentials(
    account_sid: str, list_sid: str, request: Request, principal: Authenticated, context: Context
) -> dict[str, Any]:
    account = await reach_account(context, principal, account_sid, request.url.path)
    credential_list = await account_list(context, account, list_sid, request)
    paging = PageRequest.from_params(query_params(request))
    async with context.db.read() as session:
        page = await SipCredentialRepo(session).list_page(credential_list.sid, paging.spec)
    path = f"{list_path(account.sid, credential_list.sid)}/Credentials.json"
    return render_page("credentials", [credential_json(item) for item in page.items], page, paging, path, {})


@router.get("/{list_sid}/Credentials/{sid}.json")
async def fetch_credential(
    account_sid: str, list_sid: str, sid: str, request: Request, principal: Authenticated, context: Context
) -> dict[str, Any]:
    account = await reach_account(context, principal, account_sid, request.url.path)
    credential_list = await account_list(context, account, list_sid, request)
    return credential_json(await _credential(context, credential_list, sid, request))


@router.post("/{list_sid}/Credentials/{sid}.json")
async def update_credential(
    account_sid: str, list_sid: str, sid: str, request: Request, principal: Authenticated, context: Context
) -> dict[str, Any]:
    """Only the password changes (a credential's Username is fixed once made)."""
    account = await reach_account(context, principal, account_sid, request.url.path)
    credential_list = await account_list(context, account, list_sid, request)
    credential = await _credential(context, credential_list, sid, request)
    params = await form_params(request)
    if "Password" not in params:
        return credential_json(credential)
    hashes = _hashes(params, credential.username)
    async with context.db.transaction() as session:
        credential = await SipCredentialRepo(session).set_hashes(credential.sid, hashes, context.clock.now())
    log.info("sip credential password changed sid=%s list=%s", credential.sid, credential_list.sid)
    return credential_json(credential)


@router.delete("/{list_sid}/Credentials/{sid}.json", status_code=204)
async def delete_credential(
    account_sid: str, list_sid: str, sid: str, request: Request, principal: Authenticated, context: Context
) -> Response:
    account = await reach_account(context, principal, account_sid, request.url.path)
    credential_list = await account_list(context, account, list_sid, request)
    credential = await _credential(context, credential_list, sid, request)
    async with context.db.transaction() as session:
        await SipCredentialRepo(session).delete(credential.sid)
    return Response(status_code=204)
