"""Lists Twilio's API has no place for, which ``phonograph callbacks`` and ``phonograph
configurations`` show (JSON):

- ``GET /phonograph/v1/Accounts/{AccountSid}/Events``: the account's call events (api/v2010/
  call_events.py), each with its ``call_sid`` and ``kind`` (``twiml`` or ``callback``), newest
  first; ``Kind`` and ``CallSid`` filter, ``PageSize`` and the page tokens as in Twilio's lists.
- ``GET /phonograph/v1/Configurations/{Type}``: the account's named configurations of one type
  (``Recording`` or ``Transcription``) and the id of its default (twilio.com/docs/configurations
  defines create, fetch, update and delete, but no list).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from phonograph.api.auth import Authenticated, reach_account
from phonograph.api.context import Context
from phonograph.api.openapi import PAGE_PARAMETERS, described, query_parameter
from phonograph.api.paging import PageRequest, render_page
from phonograph.api.v2010.call_events import event_json
from phonograph.api.v2010.common import query_params
from phonograph.api.voice_v2.configurations import configuration_json
from phonograph.api.voice_v2.types import configuration_type
from phonograph.core import InvalidParameter
from phonograph.store import CallEventRepo, ConfigurationRepo

router = APIRouter()
EVENT_KINDS = ("twiml", "callback")


@router.get(
    "/Accounts/{account_sid}/Events",
    openapi_extra=described(
        query=[
            query_parameter("Kind", {"type": "string", "enum": list(EVENT_KINDS)}, "Only this kind."),
            query_parameter("CallSid", {"type": "string", "maxLength": 34}, "Only this call's events."),
            *PAGE_PARAMETERS,
        ]
    ),
)
async def list_account_events(
    account_sid: str, request: Request, principal: Authenticated, context: Context
) -> dict[str, Any]:
    account = await reach_account(context, principal, account_sid, request.url.path)
    params = query_params(request)
    kind = params.get_str("Kind")
    if kind is not None and kind not in EVENT_KINDS:
        raise InvalidParameter(f"Invalid 'Kind': use {' or '.join(EVENT_KINDS)}")
    call_sid = params.get_str("CallSid", max_length=34)
    paging = PageRequest.from_params(params)
    async with context.db.read() as session:
        page = await CallEventRepo(session).list_page(account.sid, paging.spec, call_sid=call_sid, kind=kind)
    items = [{"call_sid": event.call_sid, "kind": event.kind, **event_json(event)} for event in page.items]
    return render_page("events", items, page, paging, request.url.path, {"Kind": kind, "CallSid": call_sid})


@router.get("/Configurations/{type_name}")
async def list_configurations(type_name: str, principal: Authenticated, context: Context) -> dict[str, Any]:
    kind = configuration_type(type_name)
    async with context.db.read() as session:
        repo = ConfigurationRepo(session)
        configurations = await repo.list_of_type(principal.account.sid, kind.name)
        default = await repo.get_default(principal.account.sid, kind.name)
    return {
        "configurations": [configuration_json(configuration) for configuration in configurations],
        "default_id": None if default is None else default.id,
    }
