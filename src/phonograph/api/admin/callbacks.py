"""The callback log (JSON): every status callback phonograph promised an app, with each attempt's
outcome, and a way to send one again.

- ``GET /phonograph/v1/Callbacks``: the caller's account's callbacks, newest first; ``CallSid`` and
  ``RecordingSid`` filter, ``AccountSid`` names a subaccount the caller may reach (api/auth.py),
  ``PageSize`` (at most 1000) and ``PageToken`` (from ``next_page_uri``) page by keyset.
- ``POST /phonograph/v1/Callbacks/{id}/Replay``: send callback ``id`` again (201): a new message,
  signed with the account's Auth Token when it is sent, with a new ``I-Twilio-Idempotency-Token``
  (docs/compatibility.md, "Callback log and replay"); its ``replay_of`` names the original.

Each callback has ``id``, ``url``, ``method``, ``parameters``, ``status`` (``pending``,
``delivered``, ``failed``), ``attempts`` (oldest first: ``date``, ``duration_ms``,
``status_code``, ``response_body`` cut to 1024 characters, ``error_code``, ``error``),
``signature`` (the ``X-Twilio-Signature`` it is sent with under the account's current Auth Token)
and ``idempotency_token``. Delivered and failed callbacks are kept for
``PHONOGRAPH_CALLBACK_RETENTION_DAYS`` (docs/deployment.md).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from phonograph.api.auth import Authenticated, not_found, reach_account
from phonograph.api.context import ApiContext, Context
from phonograph.api.openapi import described, query_parameter
from phonograph.api.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from phonograph.api.principals import Principal
from phonograph.api.v2010.common import query_params
from phonograph.core import InvalidParameter
from phonograph.store import Account, OutboxMessage, OutboxRepo
from phonograph.webhooks import callback_request, request_signature

router = APIRouter()
PATH = "/phonograph/v1/Callbacks"
_TOKEN_PREFIX = "PC"


def callback_json(message: OutboxMessage, account: Account) -> dict[str, Any]:
    request = callback_request(message)
    return {
        "id": message.id,
        "account_sid": message.account_sid,
        "call_sid": message.call_sid,
        "recording_sid": message.recording_sid,
        "url": message.url,
        "method": message.method,
        "parameters": dict(message.params),
        "status": message.state.value,
        "attempts": list(message.attempt_log),
        "signature": request_signature(request, account.auth_token),
        "idempotency_token": request.idempotency_token,
        "replay_of": message.replay_of,
        "date_created": message.date_created.isoformat(),
        "date_finished": None if message.finished_at is None else message.finished_at.isoformat(),
        "uri": f"{PATH}/{message.id}",
    }


def _page_token(token: str | None) -> int | None:
    if token is None:
        return None
    if not token.startswith(_TOKEN_PREFIX) or not token[len(_TOKEN_PREFIX) :].isdigit():
        raise InvalidParameter(f"PageToken {token!r} is not a token this server issued")
    return int(token[len(_TOKEN_PREFIX) :])


async def callback_page(
    context: ApiContext,
    account: Account,
    *,
    page_size: int = DEFAULT_PAGE_SIZE,
    before_id: int | None = None,
    call_sid: str | None = None,
    recording_sid: str | None = None,
) -> tuple[list[dict[str, Any]], int | None]:
    """One page of ``account``'s callbacks, newest first, and the id the next page starts below
    (None on the last): what the API's list and the console show."""
    async with context.db.read() as session:
        messages = await OutboxRepo(session).list_for_account(
            account.sid, page_size + 1, before_id=before_id, call_sid=call_sid, recording_sid=recording_sid
        )
    more = len(messages) > page_size
    shown = messages[:page_size]
    return [callback_json(message, account) for message in shown], shown[-1].id if more else None


async def _account(context: ApiContext, principal: Principal, account_sid: str | None, path: str) -> Account:
    return (
        principal.account
        if account_sid is None
        else await reach_account(context, principal, account_sid, path)
    )


@router.get(
    "/Callbacks",
    openapi_extra=described(
        query=[
            query_parameter("CallSid", {"type": "string", "maxLength": 34}, "Only this call's callbacks."),
            query_parameter("RecordingSid", {"type": "string", "maxLength": 34}, "Only this recording's."),
            query_parameter("AccountSid", {"type": "string", "maxLength": 34}, "A subaccount's log."),
            query_parameter(
                "PageSize", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE}, "Items a page."
            ),
            query_parameter("PageToken", {"type": "string"}, "The token of a page's next_page_uri."),
        ]
    ),
)
async def list_callbacks(request: Request, principal: Authenticated, context: Context) -> dict[str, Any]:
    params = query_params(request)
    account = await _account(
        context, principal, params.get_str("AccountSid", max_length=34), request.url.path
    )
    page_size = params.get_int("PageSize", minimum=1, maximum=MAX_PAGE_SIZE) or DEFAULT_PAGE_SIZE
    filters = {
        "CallSid": params.get_str("CallSid", max_length=34),
        "RecordingSid": params.get_str("RecordingSid", max_length=34),
        "AccountSid": None if account is principal.account else account.sid,
    }
    items, next_id = await callback_page(
        context,
        account,
        page_size=page_size,
        before_id=_page_token(params.get_str("PageToken")),
        call_sid=filters["CallSid"],
        recording_sid=filters["RecordingSid"],
    )
    kept = {name: value for name, value in filters.items() if value is not None}
    next_uri = None
    if next_id is not None:
        next_uri = (
            f"{PATH}?{urlencode({**kept, 'PageSize': page_size, 'PageToken': f'{_TOKEN_PREFIX}{next_id}'})}"
        )
    return {
        "callbacks": items,
        "meta": {"key": "callbacks", "page_size": page_size, "next_page_uri": next_uri},
    }


async def replay_callback(
    context: ApiContext, principal: Principal, callback_id: str, path: str
) -> dict[str, Any]:
    """Send callback ``callback_id`` again, if the caller may reach its account; the new message."""
    if not callback_id.isdigit():
        raise not_found(path)
    async with context.db.transaction() as session:
        repo = OutboxRepo(session)
        message = await repo.get(int(callback_id))
        if message is None:
            raise not_found(path)
        account = await reach_account(context, principal, message.account_sid, path)
        replay = await repo.replay(message, context.clock.now())
    context.outbox.notify()
    return callback_json(replay, account)


@router.post("/Callbacks/{callback_id}/Replay", status_code=201)
async def replay(
    callback_id: str, request: Request, principal: Authenticated, context: Context
) -> JSONResponse:
    return JSONResponse(
        await replay_callback(context, principal, callback_id, request.url.path), status_code=201
    )
