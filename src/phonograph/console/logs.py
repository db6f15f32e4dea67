"""The callback log (with replay) and the notifications (the debugger), for the viewed account."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response

from phonograph.api.admin.callbacks import callback_page, replay_callback
from phonograph.api.paging import MAX_PAGE_SIZE
from phonograph.api.v2010 import notifications
from phonograph.api.v2010.common import query_params
from phonograph.console.web import (
    PREFIX,
    ConsoleRoute,
    Viewing,
    checked_form,
    console_path,
    next_link,
    page,
    redirect,
)

router = APIRouter(prefix=PREFIX, route_class=ConsoleRoute)
PAGE_SIZE = 50


@router.get("/callbacks")
async def list_callbacks(request: Request, viewer: Viewing) -> Response:
    params = query_params(request)
    before = params.get_int("Before", minimum=1)
    call_sid = params.get_str("CallSid", max_length=34)
    recording_sid = params.get_str("RecordingSid", max_length=34)
    page_size = params.get_int("PageSize", minimum=1, maximum=MAX_PAGE_SIZE) or PAGE_SIZE
    callbacks, next_id = await callback_page(
        viewer.context,
        viewer.account,
        page_size=page_size,
        before_id=before,
        call_sid=call_sid,
        recording_sid=recording_sid,
    )
    kept = {name: value for name, value in (("CallSid", call_sid), ("RecordingSid", recording_sid)) if value}
    more = None if next_id is None else f"{PREFIX}/callbacks?{urlencode({'Before': next_id, **kept})}"
    return page(
        request,
        "callbacks.html",
        viewer=viewer,
        callbacks=callbacks,
        next=more,
        call_sid=call_sid,
        recording_sid=recording_sid,
    )


@router.post("/callbacks/{callback_id}/replay")
async def replay(request: Request, viewer: Viewing, callback_id: str) -> Response:
    form = (await checked_form(request, viewer)).state.form
    await replay_callback(viewer.context, viewer.principal, callback_id, request.url.path)
    return redirect(console_path(form.get("back"), f"{PREFIX}/callbacks"))


@router.get("/notifications")
async def list_notifications(request: Request, viewer: Viewing) -> Response:
    listed = await notifications.list_notifications(
        viewer.account.sid, request, viewer.principal, viewer.context
    )
    return page(
        request,
        "notifications.html",
        viewer=viewer,
        notifications=listed["notifications"],
        next=next_link(listed, f"{PREFIX}/notifications"),
    )
