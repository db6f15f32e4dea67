"""Calls: the list (Twilio's filters, keyset pages, live status), a call's page with its timeline,
and its actions (hang up, redirect, start/pause/resume/stop a recording), each through the API's
own handler."""

from __future__ import annotations

from email.utils import parsedate_to_datetime
from typing import Any

from fastapi import APIRouter, Request, Response

from phonograph.api.admin.callbacks import callback_page
from phonograph.api.v2010 import call_events, calls, notifications, recordings
from phonograph.console.web import PREFIX, ConsoleRoute, Viewing, checked_form, next_link, page, redirect
from phonograph.store import CallFilters, CallRepo, PageSpec, ParticipantRepo, RecordingFilters, RecordingRepo

router = APIRouter(prefix=PREFIX, route_class=ConsoleRoute)
LIVE = ("queued", "initiated", "ringing", "in-progress")
CHILD_LEGS = 50
RECORDINGS = 50


@router.get("")
async def home() -> Response:
    return redirect(f"{PREFIX}/calls")


async def _calls_page(request: Request, viewer: Viewing) -> dict[str, Any]:
    listed = await calls.list_calls(viewer.account.sid, request, viewer.principal, viewer.context)
    return {"calls": listed["calls"], "next": next_link(listed, f"{PREFIX}/calls"), "live": LIVE}


@router.get("/calls")
async def list_calls(request: Request, viewer: Viewing) -> Response:
    values = await _calls_page(request, viewer)
    return page(request, "calls.html", viewer=viewer, query=request.url.query, **values)


@router.get("/calls/rows")
async def call_rows(request: Request, viewer: Viewing) -> Response:
    """The list's rows alone: what the list page polls for live status (htmx)."""
    return page(request, "_call_rows.html", query=request.url.query, **await _calls_page(request, viewer))


async def _call(request: Request, viewer: Viewing, sid: str) -> dict[str, Any]:
    call: dict[str, Any] = await calls.fetch_call(
        viewer.account.sid, sid, request, viewer.principal, viewer.context
    )
    return call


@router.get("/calls/{sid}")
async def show_call(request: Request, viewer: Viewing, sid: str) -> Response:
    context, account = viewer.context, viewer.account
    call = await _call(request, viewer, sid)
    events = await call_events.list_call_events(account.sid, sid, request, viewer.principal, context)
    notes = await notifications.list_call_notifications(account.sid, sid, request, viewer.principal, context)
    async with context.db.read() as db:
        children = await CallRepo(db).list_page(
            account.sid, CallFilters(parent_call_sid=sid), PageSpec(CHILD_LEGS)
        )
        rows = await RecordingRepo(db).list_page(
            account.sid, RecordingFilters(call_sid=sid), PageSpec(RECORDINGS)
        )
        participant = await ParticipantRepo(db).of_call(sid)
    # The call's recordings as the API's call list shows them (the call was found above), and each
    # one's pause ledger, from one read.
    recorded = [recordings.call_recording_json(row) for row in rows.items]
    callbacks, _ = await callback_page(context, account, call_sid=sid)
    timeline = sorted(
        [
            *_status_changes(call),
            *(("request", event["response"]["date_created"], event) for event in events["events"]),
            *(("notification", note["date_created"], note) for note in notes["notifications"]),
            *(("recording", recording["date_created"], recording) for recording in recorded),
        ],
        key=lambda entry: _moment(entry[1]),
    )
    return page(
        request,
        "call.html",
        viewer=viewer,
        call=call,
        timeline=timeline,
        recordings=recorded,
        children=[calls.call_json(child) for child in children.items],
        pauses={row.sid: row.pauses for row in rows.items},
        conference_sid=None if participant is None else participant.conference_sid,
        callbacks=callbacks,
        live=LIVE,
    )


def _status_changes(call: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The call's status changes its row dates: made, answered, ended (each request a change made
    is in the timeline too, with the status it reported)."""
    changes = [("status", call["date_created"], "created")]
    if call["start_time"]:
        changes.append(("status", call["start_time"], "in-progress"))
    if call["end_time"]:
        changes.append(("status", call["end_time"], call["status"]))
    return changes


def _moment(rfc2822: str) -> float:
    return parsedate_to_datetime(rfc2822).timestamp()


@router.get("/calls/{sid}/status")
async def call_status(request: Request, viewer: Viewing, sid: str) -> Response:
    return page(request, "_call_status.html", call=await _call(request, viewer, sid), live=LIVE)


@router.post("/calls/{sid}")
async def update_call(request: Request, viewer: Viewing, sid: str) -> Response:
    """Hang up (``Status=completed``) or redirect (``Url``): the form is the API's request."""
    form = await checked_form(request, viewer)
    await calls.update_call(viewer.account.sid, sid, form, viewer.principal, viewer.context)
    return redirect(f"{PREFIX}/calls/{sid}")


@router.post("/calls/{sid}/recordings")
async def start_recording(request: Request, viewer: Viewing, sid: str) -> Response:
    form = await checked_form(request, viewer)
    await recordings.start_recording(viewer.account.sid, sid, form, viewer.principal, viewer.context)
    return redirect(f"{PREFIX}/calls/{sid}")


@router.post("/calls/{sid}/recordings/{recording_sid}")
async def control_recording(request: Request, viewer: Viewing, sid: str, recording_sid: str) -> Response:
    """Pause (skip or silence), resume or stop, as ``POST …/Recordings/{Sid}.json``."""
    form = await checked_form(request, viewer)
    await recordings.control_recording(
        viewer.account.sid, sid, recording_sid, form, viewer.principal, viewer.context
    )
    return redirect(f"{PREFIX}/calls/{sid}")
