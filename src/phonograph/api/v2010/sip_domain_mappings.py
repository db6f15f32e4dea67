"""The lists mapped to a SIP Domain (https://www.twilio.com/docs/voice/sip/api/sip-domain-resource):
credential lists and IP access control lists that admit calls (``/Auth/Calls/…``, and the older
``/CredentialListMappings`` and ``/IpAccessControlListMappings``, which are the same mappings), and
credential lists that admit registrations (``/Auth/Registrations/CredentialListMappings``).

A mapping is named by its list's SID. A domain with no list mapped for calls lets no call in
(Twilio: "If auth_type is not defined, the domain will not be able to receive any traffic").
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from phonograph.api.auth import Authenticated, not_found, reach_account
from phonograph.api.context import ApiContext, Context
from phonograph.api.paging import PageRequest, render_page
from phonograph.api.v2010.common import form_params, query_params
from phonograph.api.v2010.sip_domains import account_domain, domain_path
from phonograph.api.v2010.sip_lists import (
    CREDENTIAL_LIST_RESOURCE,
    IP_ACCESS_CONTROL_LIST_RESOURCE,
    ListResource,
)
from phonograph.core import InvalidParameter, is_sid, rfc2822
from phonograph.store import (
    MappingPurpose,
    SipDomain,
    SipDomainMapping,
    SipDomainMappingRepo,
    SipList,
    SipListRepo,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MappingResource:
    """One of the five mapping paths under a domain."""

    segment: str
    """The path under ``/SIP/Domains/{DomainSid}``."""
    purpose: MappingPurpose
    lists: ListResource
    parameter: str
    page_key: str
    legacy: bool
    """The older paths, whose mappings also say their domain and their own URI."""

    def json(self, domain: SipDomain, mapping: SipDomainMapping, sip_list: SipList) -> dict[str, Any]:
        body: dict[str, Any] = {
            "account_sid": domain.account_sid,
            "date_created": rfc2822(mapping.date_created),
            "date_updated": rfc2822(mapping.date_updated),
            "friendly_name": sip_list.friendly_name,
            "sid": mapping.list_sid,
        }
        if self.legacy:
            path = f"{domain_path(domain.account_sid, domain.sid)}/{self.segment}/{mapping.list_sid}.json"
            body |= {"domain_sid": domain.sid, "uri": path}
        return body


MAPPINGS = (
    MappingResource(
        "Auth/Calls/CredentialListMappings",
        MappingPurpose.CALLS,
        CREDENTIAL_LIST_RESOURCE,
        "CredentialListSid",
        "contents",
        legacy=False,
    ),
    MappingResource(
        "Auth/Calls/IpAccessControlListMappings",
        MappingPurpose.CALLS,
        IP_ACCESS_CONTROL_LIST_RESOURCE,
        "IpAccessControlListSid",
        "contents",
        legacy=False,
    ),
    MappingResource(
        "Auth/Registrations/CredentialListMappings",
        MappingPurpose.REGISTRATIONS,
        CREDENTIAL_LIST_RESOURCE,
        "CredentialListSid",
        "contents",
        legacy=False,
    ),
    MappingResource(
        "CredentialListMappings",
        MappingPurpose.CALLS,
        CREDENTIAL_LIST_RESOURCE,
        "CredentialListSid",
        "credential_list_mappings",
        legacy=True,
    ),
    MappingResource(
        "IpAccessControlListMappings",
        MappingPurpose.CALLS,
        IP_ACCESS_CONTROL_LIST_RESOURCE,
        "IpAccessControlListSid",
        "ip_access_control_list_mappings",
        legacy=True,
    ),
)


async def _mapped(
    context: ApiContext, resource: MappingResource, domain: SipDomain, list_sid: str, request: Request
) -> tuple[SipDomainMapping, SipList]:
    async with context.db.read() as session:
        mapping = await SipDomainMappingRepo(session).get(domain.sid, resource.purpose, list_sid)
        sip_list = await SipListRepo(session, resource.lists.kind).get_for_account(
            domain.account_sid, list_sid
        )
    if mapping is None or sip_list is None:
        raise not_found(request.url.path)
    return mapping, sip_list


def mapping_router(resource: MappingResource) -> APIRouter:
    router = APIRouter(prefix=f"/Accounts/{{account_sid}}/SIP/Domains/{{domain_sid}}/{resource.segment}")

    @router.post(".json")
    async def create(
        account_sid: str, domain_sid: str, request: Request, principal: Authenticated, context: Context
    ) -> JSONResponse:
        account = await reach_account(context, principal, account_sid, request.url.path)
        domain = await account_domain(context, account, domain_sid, request)
        list_sid = (await form_params(request)).get_str(resource.parameter)
        if list_sid is None:
            raise InvalidParameter(f"{resource.parameter} is required")
        if not is_sid(list_sid, resource.lists.sid_prefix):
            raise InvalidParameter(
                f"{resource.parameter} must be a {resource.lists.sid_prefix} SID; got {list_sid!r}"
            )
        async with context.db.transaction() as session:
            sip_list = await SipListRepo(session, resource.lists.kind).get_for_account(account.sid, list_sid)
            if sip_list is None:
                raise InvalidParameter(f"{resource.parameter} {list_sid} is not a list of this account")
            mapping = await SipDomainMappingRepo(session).add(
                domain.sid, resource.purpose, list_sid, context.clock.now()
            )
        log.info(
            "sip domain mapping added domain=%s list=%s purpose=%s", domain.sid, list_sid, resource.purpose
        )
        return JSONResponse(resource.json(domain, mapping, sip_list), status_code=201)

    @router.get(".json")
    async def read(
        account_sid: str, domain_sid: str, request: Request, principal: Authenticated, context: Context
    ) -> dict[str, Any]:
        account = await reach_account(context, principal, account_sid, request.url.path)
        domain = await account_domain(context, account, domain_sid, request)
        paging = PageRequest.from_params(query_params(request))
        async with context.db.read() as session:
            page = await SipDomainMappingRepo(session).list_page(
                domain.sid, resource.purpose, resource.lists.sid_prefix, paging.spec
            )
            named = await SipListRepo(session, resource.lists.kind).named(
                account.sid, [mapping.list_sid for mapping in page.items]
            )
        # Deleting a list deletes its mappings: every mapping names a list.
        items = [resource.json(domain, mapping, named[mapping.list_sid]) for mapping in page.items]
        path = f"{domain_path(account.sid, domain.sid)}/{resource.segment}.json"
        return render_page(resource.page_key, items, page, paging, path, {})

    @router.get("/{sid}.json")
    async def fetch(
        account_sid: str,
        domain_sid: str,
        sid: str,
        request: Request,
        principal: Authenticated,
        context: Context,
    ) -> dict[str, Any]:
        account = await reach_account(context, principal, account_sid, request.url.path)
        domain = await account_domain(context, account, domain_sid, request)
        mapping, sip_list = await _mapped(context, resource, domain, sid, request)
        return resource.json(domain, mapping, sip_list)

    @router.delete("/{sid}.json", status_code=204)
    async def remove(
        account_sid: str,
        domain_sid: str,
        sid: str,
        request: Request,
        principal: Authenticated,
        context: Context,
    ) -> Response:
        account = await reach_account(context, principal, account_sid, request.url.path)
        domain = await account_domain(context, account, domain_sid, request)
        await _mapped(context, resource, domain, sid, request)
        async with context.db.transaction() as session:
            await SipDomainMappingRepo(session).remove(domain.sid, resource.purpose, sid)
        return Response(status_code=204)

    return router


routers = [mapping_router(resource) for resource in MAPPINGS]
