"""SIP credentials (OpenAPI ``api.v2010.account.sip.sip_credential_list.sip_credential``); their
lists are sip_lists.py's (https://www.twilio.com/docs/voice/sip/api/sip-credential-resource).

A password is checked against Twilio's rules, turned into its digest hashes in phonograph's realm
(core/sip_terms.py) and forgotten: no answer, log or row holds it. Every rule broken is Twilio's
21240.
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
from phonograph.api.v2010.common import form_params, query_params
from phonograph.api.v2010.sip_lists import CREDENTIAL_LIST_RESOURCE, list_router
from phonograph.core import DIGEST_REALM, DigestAlgorithm, ha1, new_sid, rfc2822
from phonograph.store import (
    DigestHashes,
    SipCredential,
    SipCredentialRepo,
    SipList,
    credential_list_invalid,
)

log = logging.getLogger(__name__)
router = APIRouter(prefix="/Accounts/{account_sid}/SIP/CredentialLists")
lists_router = list_router(CREDENTIAL_LIST_RESOURCE)

USERNAME_MAX_CHARS = 32
PASSWORD_MIN_CHARS = 12
PASSWORD_MAX_CHARS = 255
# RFC 3261 §25.1 ``user``: unreserved characters, escapes and a few marks; no ``@``, ``:`` or space.
_USERNAME = re.compile(r"(?:[A-Za-z0-9\-_.!~*'()&=+$,;?/]|%[0-9A-Fa-f]{2})+")


def credential_json(credential: SipCredential) -> dict[str, Any]:
    list_path = CREDENTIAL_LIST_RESOURCE.path(credential.account_sid, credential.credential_list_sid)
    path = f"{list_path}/Credentials/{credential.sid}"
    return {
        "account_sid": credential.account_sid,
        "credential_list_sid": credential.credential_list_sid,
        "date_created": rfc2822(credential.date_created),
        "date_updated": rfc2822(credential.date_updated),
        "sid": credential.sid,
        "uri": f"{path}.json",
        "username": credential.username,
    }


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


async def _credential(
    context: ApiContext, credential_list: SipList, sid: str, request: Request
) -> SipCredential:
    async with context.db.read() as session:
        credential = await SipCredentialRepo(session).get_in_list(credential_list.sid, sid)
    if credential is None:
        raise not_found(request.url.path)
    return credential


@router.post("/{list_sid}/Credentials.json")
async def create_credential(
    account_sid: str, list_sid: str, request: Request, principal: Authenticated, context: Context
) -> JSONResponse:
    account = await reach_account(context, principal, account_sid, request.url.path)
    credential_list = await CREDENTIAL_LIST_RESOURCE.account_list(context, account, list_sid, request)
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
    credential_list = await CREDENTIAL_LIST_RESOURCE.account_list(context, account, list_sid, request)
    paging = PageRequest.from_params(query_params(request))
    async with context.db.read() as session:
        page = await SipCredentialRepo(session).list_page(credential_list.sid, paging.spec)
    path = f"{CREDENTIAL_LIST_RESOURCE.path(account.sid, credential_list.sid)}/Credentials.json"
    return render_page("credentials", [credential_json(item) for item in page.items], page, paging, path, {})


@router.get("/{list_sid}/Credentials/{sid}.json")
async def fetch_credential(
    account_sid: str, list_sid: str, sid: str, request: Request, principal: Authenticated, context: Context
) -> dict[str, Any]:
    account = await reach_account(context, principal, account_sid, request.url.path)
    credential_list = await CREDENTIAL_LIST_RESOURCE.account_list(context, account, list_sid, request)
    return credential_json(await _credential(context, credential_list, sid, request))


@router.post("/{list_sid}/Credentials/{sid}.json")
async def update_credential(
    account_sid: str, list_sid: str, sid: str, request: Request, principal: Authenticated, context: Context
) -> dict[str, Any]:
    """Only the password changes (a credential's Username is fixed once made)."""
    account = await reach_account(context, principal, account_sid, request.url.path)
    credential_list = await CREDENTIAL_LIST_RESOURCE.account_list(context, account, list_sid, request)
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
    credential_list = await CREDENTIAL_LIST_RESOURCE.account_list(context, account, list_sid, request)
    credential = await _credential(context, credential_list, sid, request)
    async with context.db.transaction() as session:
        await SipCredentialRepo(session).delete(credential.sid)
    return Response(status_code=204)
