"""Notifications: the errors and warnings recorded about an account's calls (Twilio's debugger).

OpenAPI ``api.v2010.account.notification`` (account-wide) and ``api.v2010.account.call.call_notification``
(one call's). Both lists leave out ``request_variables``, ``response_body`` and ``response_headers``;
a fetch includes them. ``error_code`` and ``log`` are strings, as in the OpenAPI examples
(``"11200"``, ``"0"``), and ``request_method`` is null when no request was involved.
https://www.twilio.com/docs/usage/api/notifications
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Request

from phonograph.api.auth import Authenticated, not_found, reach_account
from phonograph.api.context import ApiContext, Context
from phonograph.api.paging import PageRequest, render_page
from phonograph.api.params import Params
from phonograph.api.v2010.common import API_VERSION, account_path, query_params
from phonograph.core import InvalidParameter, rfc2822
from phonograph.core.errors import MORE_INFO_BASE
from phonograph.store import Account, CallRepo, Notification, NotificationLog, NotificationRepo

router = APIRouter(prefix="/Accounts/{account_sid}")

FILTERS = ("Log", "MessageDate", "MessageDate<", "MessageDate>")
DETAIL_FIELDS = ("request_variables", "response_body", "response_headers")


def notification_json(notification: Notification, uri: str, *, detail: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "sid": notification.sid,
        "account_sid": notification.account_sid,
        "call_sid": notification.call_sid,
        "api_version": API_VERSION,
        "date_created": rfc2822(notification.date_created),
        "date_updated": rfc2822(notification.date_created),
        "error_code": str(notification.error_code),
        "log": str(notification.log),
        "message_date": rfc2822(notification.message_date),
        "message_text": notification.message_text,
        "more_info": f"{MORE_INFO_BASE}{notification.error_code}",
        "request_method": notification.request_method or None,
        "request_url": notification.request_url,
        "uri": uri,
    }
    if detail:
        body.update({name: getattr(notification, name) for name in DETAIL_FIELDS})
    return body


def _account_uri(notification: Notification) -> str:
    return f"{account_path(notification.account_sid)}/Notifications/{notification.sid}.json"


def _call_uri(notification: Notification) -> str:
    return (
        f"{account_path(notification.account_sid)}/Calls/{notification.call_sid}"
        f"/Notifications/{notification.sid}.json"
    )


def _day(params: Params, name: str) -> date | None:
    value = params.get_str(name)
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise InvalidParameter(f"{name} must be a date YYYY-MM-DD; got {value!r}") from None


def _log(params: Params) -> NotificationLog | None:
    value = params.get_int("Log", minimum=0, maximum=1)
    return None if value is None else NotificationLog(value)


async def require_call(context: ApiContext, account: Account, call_sid: str, path: str) -> None:
    async with context.db.read() as session:
        call = await CallRepo(session).get_for_account(account.sid, call_sid)
    if call is None:
        raise not_found(path)


async def _list(
    context: ApiContext, account: Account, request: Request, path: str, call_sid: str | None
) -> dict[str, Any]:
    params = query_params(request)
    paging = PageRequest.from_params(params)
    log_level = _log(params)
    message_date = _day(params, "MessageDate")
    before, after = _day(params, "MessageDate<"), _day(params, "MessageDate>")
    async with context.db.read() as session:
        page = await NotificationRepo(session).list_page(
            account.sid,
            paging.spec,
            call_sid=call_sid,
            log=log_level,
            message_date=message_date,
            message_date_before=before,
            message_date_after=after,
        )
    uri_of = _account_uri if call_sid is None else _call_uri
    items = [notification_json(item, uri_of(item), detail=False) for item in page.items]
    kept = {name: params.get_str(name) for name in FILTERS}
    return render_page("notifications", items, page, paging, path, kept)


async def _fetch(
    context: ApiContext, account: Account, sid: str, path: str, call_sid: str | None
) -> Notification:
    async with context.db.read() as session:
        notification = await NotificationRepo(session).get_for_account(account.sid, sid)
    if notification is None or (call_sid is not None and notification.call_sid != call_sid):
        raise not_found(path)
    return notification


@router.get("/Notifications.json")
async def list_notifications(
    account_sid: str, request: Request, principal: Authenticated, context: Context
) -> dict[str, Any]:
    account = await reach_account(context, principal, account_sid, request.url.path)
    path = f"{account_path(account.sid)}/Notifications.json"
    return await _list(context, account, request, path, None)


@router.get("/Notifications/{sid}.json")
async def fetch_notification(
    account_sid: str, sid: str, request: Request, principal: Authenticated, context: Context
) -> dict[str, Any]:
    account = await reach_account(context, principal, account_sid, request.url.path)
    notification = await _fetch(context, account, sid, request.url.path, None)
    return notification_json(notification, _account_uri(notification), detail=True)


@router.get("/Calls/{call_sid}/Notifications.json")
async def list_call_notifications(
    account_sid: str, call_sid: str, request: Request, principal: Authenticated, context: Context
) -> dict[str, Any]:
    account = await reach_account(context, principal, account_sid, request.url.path)
    await require_call(context, account, call_sid, request.url.path)
    path = f"{account_path(account.sid)}/Calls/{call_sid}/Notifications.json"
    return await _list(context, account, request, path, call_sid)


@router.get("/Calls/{call_sid}/Notifications/{sid}.json")
async def fetch_call_notification(
    account_sid: str,
    call_sid: str,
    sid: str,
    request: Request,
    principal: Authenticated,
    context: Context,
) -> dict[str, Any]:
    account = await reach_account(context, principal, account_sid, request.url.path)
    notification = await _fetch(context, account, sid, request.url.path, call_sid)
    return notification_json(notification, _call_uri(notification), detail=True)
