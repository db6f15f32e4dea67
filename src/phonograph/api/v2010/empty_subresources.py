"""Subresources phonograph lists but has nothing to put in: a recording's ``AddOnResults`` and a
number's ``AssignedAddOns``.

Each is advertised in its parent's ``subresource_uris``, as Twilio's are, so each answers: a 404
when the parent is not the caller's, else an empty page of Twilio's list envelope (the shapes of
Twilio's OpenAPI ``ListRecordingAddOnResult``, ``ListIncomingPhoneNumberAssignedAddOn``).
phonograph runs no Add-ons, so empty is the honest answer.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from phonograph.api.auth import Authenticated, reach_account
from phonograph.api.context import Context
from phonograph.api.paging import PageRequest, render_page
from phonograph.api.v2010.common import query_params
from phonograph.api.v2010.incoming_phone_numbers import account_number
from phonograph.api.v2010.recordings import account_recording
from phonograph.store import Page

router = APIRouter(prefix="/Accounts/{account_sid}")


def _empty_page(request: Request, key: str) -> dict[str, Any]:
    paging = PageRequest.from_params(query_params(request))
    empty: Page[Any] = Page(items=[], has_next=False, first_key=None, last_key=None)
    return render_page(key, [], empty, paging, request.url.path, {})


@router.get("/Recordings/{sid}/AddOnResults.json")
async def list_recording_add_on_results(
    account_sid: str, sid: str, request: Request, principal: Authenticated, context: Context
) -> dict[str, Any]:
    account = await reach_account(context, principal, account_sid, request.url.path)
    await account_recording(context, account, sid, request.url.path)
    return _empty_page(request, "add_on_results")


@router.get("/IncomingPhoneNumbers/{sid}/AssignedAddOns.json")
async def list_number_assigned_add_ons(
    account_sid: str, sid: str, request: Request, principal: Authenticated, context: Context
) -> dict[str, Any]:
    account = await reach_account(context, principal, account_sid, request.url.path)
    await account_number(context, account, sid, request)
    return _empty_page(request, "assigned_add_ons")
