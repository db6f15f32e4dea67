"""The list half of SIP credential lists (``CL…``) and IP access control lists (``AL…``): both are
an account's named lists, made, read, renamed and deleted the same way; their entries (credentials,
IP addresses) have modules of their own (sip_credentials.py, sip_ip_addresses.py).

https://www.twilio.com/docs/voice/sip/api/sip-credentiallist-resource and
https://www.twilio.com/docs/voice/sip/api/sip-ipaccesscontrollist-resource.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from phonograph.api.auth import Authenticated, not_found, reach_account
from phonograph.api.context import ApiContext, Context
from phonograph.api.paging import PageRequest, render_page
from phonograph.api.params import Params
from phonograph.api.v2010.common import account_path, form_params, query_params
from phonograph.core import InvalidParameter, PhonographError, new_sid, rfc2822
from phonograph.store import (
    CREDENTIAL_LISTS,
    IP_ACCESS_CONTROL_LISTS,
    Account,
    SipList,
    SipListKind,
    SipListRepo,
    credential_list_invalid,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ListResource:
    """How one kind of list looks on the wire."""

    kind: SipListKind
    segment: str
    """The path segment under ``/SIP``: ``CredentialLists`` or ``IpAccessControlLists``."""
    sid_prefix: str
    page_key: str
    entries_key: str
    entries_segment: str
    name_max_chars: int
    invalid: Callable[[str], PhonographError]
    """What a broken rule raises (Twilio's 21240 for credential lists)."""

    def path(self, account_sid: str, sid: str) -> str:
        return f"{account_path(account_sid)}/SIP/{self.segment}/{sid}"

    def json(self, sip_list: SipList) -> dict[str, Any]:
        path = self.path(sip_list.account_sid, sip_list.sid)
        return {
            "account_sid": sip_list.account_sid,
            "date_created": rfc2822(sip_list.date_created),
            "date_updated": rfc2822(sip_list.date_updated),
            "friendly_name": sip_list.friendly_name,
            "sid": sip_list.sid,
            "subresource_uris": {self.entries_key: f"{path}/{self.entries_segment}.json"},
            "uri": f"{path}.json",
        }

    def friendly_name(self, params: Params) -> str:
        name = params.get_str("FriendlyName")
        if not name:
            raise self.invalid("FriendlyName is required")
        if len(name) > self.name_max_chars:
            raise self.invalid(f"FriendlyName must be at most {self.name_max_chars} characters")
        return name

    async def account_list(
        self, context: ApiContext, account: Account, sid: str, request: Request
    ) -> SipList:
        async with context.db.read() as session:
            sip_list = await SipListRepo(session, self.kind).get_for_account(account.sid, sid)
        if sip_list is None:
            raise not_found(request.url.path)
        return sip_list


CREDENTIAL_LIST_RESOURCE = ListResource(
    kind=CREDENTIAL_LISTS,
    segment="CredentialLists",
    sid_prefix="CL",
    page_key="credential_lists",
    entries_key="credentials",
    entries_segment="Credentials",
    name_max_chars=64,
    invalid=credential_list_invalid,
)
IP_ACCESS_CONTROL_LIST_RESOURCE = ListResource(
    kind=IP_ACCESS_CONTROL_LISTS,
    segment="IpAccessControlLists",
    sid_prefix="AL",
    page_key="ip_access_control_lists",
    entries_key="ip_addresses",
    entries_segment="IpAddresses",
    name_max_chars=255,
    invalid=InvalidParameter,
)


def list_router(resource: ListResource) -> APIRouter:
    """Create, list, fetch, rename and delete for ``resource``'s lists."""
    router = APIRouter(prefix=f"/Accounts/{{account_sid}}/SIP/{resource.segment}")

    @router.post(".json")
    async def create(
        account_sid: str, request: Request, principal: Authenticated, context: Context
    ) -> JSONResponse:
        account = await reach_account(context, principal, account_sid, request.url.path)
        friendly_name = resource.friendly_name(await form_params(request))
        async with context.db.transaction() as session:
            sip_list = await SipListRepo(session, resource.kind).create(
                sid=new_sid(resource.sid_prefix),
                account_sid=account.sid,
                friendly_name=friendly_name,
                now=context.clock.now(),
            )
        log.info("sip list created sid=%s account=%s", sip_list.sid, account.sid)
        return JSONResponse(resource.json(sip_list), status_code=201)

    @router.get(".json")
    async def read(
        account_sid: str, request: Request, principal: Authenticated, context: Context
    ) -> dict[str, Any]:
        account = await reach_account(context, principal, account_sid, request.url.path)
        paging = PageRequest.from_params(query_params(request))
        async with context.db.read() as session:
            page = await SipListRepo(session, resource.kind).list_page(account.sid, paging.spec)
        path = f"{account_path(account.sid)}/SIP/{resource.segment}.json"
        return render_page(
            resource.page_key, [resource.json(item) for item in page.items], page, paging, path, {}
        )

    @router.get("/{sid}.json")
    async def fetch(
        account_sid: str, sid: str, request: Request, principal: Authenticated, context: Context
    ) -> dict[str, Any]:
        account = await reach_account(context, principal, account_sid, request.url.path)
        return resource.json(await resource.account_list(context, account, sid, request))

    @router.post("/{sid}.json")
    async def update(
        account_sid: str, sid: str, request: Request, principal: Authenticated, context: Context
    ) -> dict[str, Any]:
        account = await reach_account(context, principal, account_sid, request.url.path)
        sip_list = await resource.account_list(context, account, sid, request)
        friendly_name = resource.friendly_name(await form_params(request))
        async with context.db.transaction() as session:
            sip_list = await SipListRepo(session, resource.kind).rename(
                sip_list.sid, friendly_name, context.clock.now()
            )
        return resource.json(sip_list)

    @router.delete("/{sid}.json", status_code=204)
    async def remove(
        account_sid: str, sid: str, request: Request, principal: Authenticated, context: Context
    ) -> Response:
        account = await reach_account(context, principal, account_sid, request.url.path)
        sip_list = await resource.account_list(context, account, sid, request)
        async with context.db.transaction() as session:
            await SipListRepo(session, resource.kind).delete(sip_list.sid)
        log.info("sip list deleted sid=%s account=%s", sip_list.sid, account.sid)
        return Response(status_code=204)

    return router
