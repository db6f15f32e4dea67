"""Conferences: the list (Twilio's filters) and a conference's page with its participants and
recordings, through the API's own handlers."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from phonograph.api.v2010 import conferences, participants
from phonograph.console.web import PREFIX, ConsoleRoute, Viewing, next_link, page

router = APIRouter(prefix=PREFIX, route_class=ConsoleRoute)


@router.get("/conferences")
async def list_conferences(request: Request, viewer: Viewing) -> Response:
    listed = await conferences.list_conferences(viewer.account.sid, request, viewer.principal, viewer.context)
    return page(
        request,
        "conferences.html",
        viewer=viewer,
        conferences=listed["conferences"],
        next=next_link(listed, f"{PREFIX}/conferences"),
    )


@router.get("/conferences/{sid}")
async def show_conference(request: Request, viewer: Viewing, sid: str) -> Response:
    account, principal, context = viewer.account.sid, viewer.principal, viewer.context
    conference = await conferences.fetch_conference(account, sid, request, principal, context)
    joined = await participants.list_participants(account, sid, request, principal, context)
    recorded = await conferences.list_conference_recordings(account, sid, request, principal, context)
    return page(
        request,
        "conference.html",
        viewer=viewer,
        conference=conference,
        participants=joined["participants"],
        recordings=recorded["recordings"],
    )
