"""IP access control lists and their addresses (OpenAPI
``api.v2010.account.sip.sip_ip_access_control_list`` and ``….sip_ip_address``): the list half is
sip_lists.py's (https://www.twilio.com/docs/voice/sip/api/sip-ipaccesscontrollist-resource,
https://www.twilio.com/docs/voice/sip/api/sip-ipaddress-resource).

An entry is an IPv4 address with a CIDR prefix length (32, the address alone, unless given), as
Twilio takes them ("IPv4 only supported today"); a list holds at most 100 entries.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from phonograph.api.auth import Authenticated, not_found, reach_account
from phonograph.api.context import ApiContext, Context
from phonograph.api.paging import PageRequest, render_page
from phonograph.api.params import Params
from phonograph.api.v2010.common import form_params, ipv4_param, query_params
from phonograph.api.v2010.sip_lists import IP_ACCESS_CONTROL_LIST_RESOURCE, list_router
from phonograph.core import InvalidParameter, new_sid, rfc2822
from phonograph.store import SipIpAddress, SipIpAddressRepo, SipList

log = logging.getLogger(__name__)
router = APIRouter(prefix="/Accounts/{account_sid}/SIP/IpAccessControlLists")
lists_router = list_router(IP_ACCESS_CONTROL_LIST_RESOURCE)

MAX_ENTRIES = 100
"""Twilio's bound on the entries of one list."""
NAME_MAX_CHARS = 255


def address_json(entry: SipIpAddress) -> dict[str, Any]:
    list_path = IP_ACCESS_CONTROL_LIST_RESOURCE.path(entry.account_sid, entry.ip_access_control_list_sid)
    return {
        "account_sid": entry.account_sid,
        "cidr_prefix_length": entry.cidr_prefix_length,
        "date_created": rfc2822(entry.date_created),
        "date_updated": rfc2822(entry.date_updated),
        "friendly_name": entry.friendly_name,
        "ip_access_control_list_sid": entry.ip_access_control_list_sid,
        "ip_address": entry.ip_address,
        "sid": entry.sid,
        "uri": f"{list_path}/IpAddresses/{entry.sid}.json",
    }


def _friendly_name(params: Params, current: str | None) -> str:
    name = params.get_str("FriendlyName", max_length=NAME_MAX_CHARS)
    if name is None and current is not None:
        return current
    if not name:
        raise InvalidParameter("FriendlyName is required")
    return name


def _address(params: Params, current: str | None) -> str:
    value = ipv4_param(params, "IpAddress") or current
    if value is None:
        raise InvalidParameter("IpAddress is required")
    return value


def _prefix_length(params: Params, current: int) -> int:
    length = params.get_int("CidrPrefixLength", minimum=0, maximum=32)
    return current if length is None else length


async def _entry(context: ApiContext, sip_list: SipList, sid: str, request: Request) -> SipIpAddress:
    async with context.db.read() as session:
        entry = await SipIpAddressRepo(session).get_in_list(sip_list.sid, sid)
    if entry is None:
        raise not_found(request.url.path)
    return entry


@router.post("/{list_sid}/IpAddresses.json")
async def create_address(
    account_sid: str, list_sid: str, request: Request, principal: Authenticated, context: Context
) -> JSONResponse:
    account = await reach_account(context, principal, account_sid, request.url.path)
    sip_list = await IP_ACCESS_CONTROL_LIST_RESOURCE.account_list(context, account, list_sid, request)
    params = await form_params(request)
    friendly_name, address, length = (
        _friendly_name(params, None),
        _address(params, None),
        _prefix_length(params, 32),
    )
    async with context.db.transaction() as session:
        repo = SipIpAddressRepo(session)
        if await repo.count_in_list(sip_list.sid) >= MAX_ENTRIES:
            raise InvalidParameter(f"An IP access control list holds at most {MAX_ENTRIES} addresses")
        entry = await repo.create(
            sid=new_sid("IP"),
            account_sid=account.sid,
            ip_access_control_list_sid=sip_list.sid,
            friendly_name=friendly_name,
            ip_address=address,
            cidr_prefix_length=length,
            now=context.clock.now(),
        )
    log.info("sip ip address created sid=%s list=%s", entry.sid, sip_list.sid)
    return JSONResponse(address_json(entry), status_code=201)


@router.get("/{list_sid}/IpAddresses.json")
async def list_addresses(
    account_sid: str, list_sid: str, request: Request, principal: Authenticated, context: Context
) -> dict[str, Any]:
    account = await reach_account(context, principal, account_sid, request.url.path)
    sip_list = await IP_ACCESS_CONTROL_LIST_RESOURCE.account_list(context, account, list_sid, request)
    paging = PageRequest.from_params(query_params(request))
    async with context.db.read() as session:
        page = await SipIpAddressRepo(session).list_page(sip_list.sid, paging.spec)
    path = f"{IP_ACCESS_CONTROL_LIST_RESOURCE.path(account.sid, sip_list.sid)}/IpAddresses.json"
    return render_page("ip_addresses", [address_json(item) for item in page.items], page, paging, path, {})


@router.get("/{list_sid}/IpAddresses/{sid}.json")
async def fetch_address(
    account_sid: str, list_sid: str, sid: str, request: Request, principal: Authenticated, context: Context
) -> dict[str, Any]:
    account = await reach_account(context, principal, account_sid, request.url.path)
    sip_list = await IP_ACCESS_CONTROL_LIST_RESOURCE.account_list(context, account, list_sid, request)
    return address_json(await _entry(context, sip_list, sid, request))


@router.post("/{list_sid}/IpAddresses/{sid}.json")
async def update_address(
    account_sid: str, list_sid: str, sid: str, request: Request, principal: Authenticated, context: Context
) -> dict[str, Any]:
    account = await reach_account(context, principal, account_sid, request.url.path)
    sip_list = await IP_ACCESS_CONTROL_LIST_RESOURCE.account_list(context, account, list_sid, request)
    entry = await _entry(context, sip_list, sid, request)
    params = await form_params(request)
    async with context.db.transaction() as session:
        entry = await SipIpAddressRepo(session).update(
            entry.sid,
            friendly_name=_friendly_name(params, entry.friendly_name),
            ip_address=_address(params, entry.ip_address),
            cidr_prefix_length=_prefix_length(params, entry.cidr_prefix_length),
            now=context.clock.now(),
        )
    return address_json(entry)


@router.delete("/{list_sid}/IpAddresses/{sid}.json", status_code=204)
async def delete_address(
    account_sid: str, list_sid: str, sid: str, request: Request, principal: Authenticated, context: Context
) -> Response:
    account = await reach_account(context, principal, account_sid, request.url.path)
    sip_list = await IP_ACCESS_CONTROL_LIST_RESOURCE.account_list(context, account, list_sid, request)
    entry = await _entry(context, sip_list, sid, request)
    async with context.db.transaction() as session:
        await SipIpAddressRepo(session).delete(entry.sid)
    return Response(status_code=204)
