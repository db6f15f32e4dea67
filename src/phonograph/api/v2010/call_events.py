"""A call's Events: every request phonograph made to the app about the call (TwiML fetches,
actions, status callbacks) and the app's answer, newest first
(twilio.com/docs/voice/api/call-event-resource).

``request`` holds ``method``, ``url`` and ``parameters`` (names snake_cased, as Twilio shows them);
``response`` holds ``date_created``, ``request_duration`` (ms), ``response_code``, ``content_type``
and ``response_body`` (its first 4 KB). A request that got no answer (refused, timed out) has a
``response`` whose ``response_code`` is null (docs/compatibility.md). Events are written by the
webhooks room's event log within half a second and kept 30 days.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request

from phonograph.api.auth import Authenticated, reach_account
from phonograph.api.context import Context
from phonograph.api.paging import PageRequest, render_page
from phonograph.api.v2010.common import query_params
from phonograph.api.v2010.notifications import require_call
from phonograph.core import rfc2822
from phonograph.store import CallEvent, CallEventRepo

router = APIRouter(prefix="/Accounts/{account_sid}")
_WORD_START = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def snake_case(name: str) -> str:
    """``CallSid`` → ``call_sid``: how the Events list names request parameters."""
    return _WORD_START.sub("_", name).lower()


def event_json(event: CallEvent) -> dict[str, Any]:
    return {
        "request": {
            "method": event.request_method,
            "url": event.request_url,
            "parameters": {snake_case(name): value for name, value in event.request_params},
        },
        "response": {
            "date_created": rfc2822(event.date_created),
            "request_duration": event.request_duration_ms,
            "response_code": event.response_code,
            "content_type": event.response_content_type,
            "response_body": event.response_body,
        },
    }


@router.get("/Calls/{call_sid}/Events.json")
async def list_call_events(
    account_sid: str, call_sid: str, request: Request, principal: Authenticated, context: Context
) -> dict[str, Any]:
    account = await reach_account(context, principal, account_sid, request.url.path)
    await require_call(context, account, call_sid, request.url.path)
    paging = PageRequest.from_params(query_params(request))
    async with context.db.read() as session:
        page = await CallEventRepo(session).list_page(account.sid, paging.spec, call_sid=call_sid)
    items = [event_json(event) for event in page.items]
    return render_page("events", items, page, paging, request.url.path, {})
