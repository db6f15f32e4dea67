"""The dashboard: the viewed account's live calls, recordings in progress, callbacks waiting and
transcriptions queued; for a main account also the server's own load (the media clock's lateness,
the whole outbox and transcription queue, every node), as ``/metrics`` and ``/phonograph/v1/Nodes``
give it. Refreshed every few seconds (htmx)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from phonograph.api.admin.nodes import list_nodes
from phonograph.console.calls import LIVE
from phonograph.console.web import PREFIX, ConsoleRoute, Viewer, Viewing, page
from phonograph.recording import RecordingStatus
from phonograph.store import (
    CallFilters,
    CallRepo,
    OutboxRepo,
    RecordingFilters,
    RecordingRepo,
    TranscriptionRepo,
)

router = APIRouter(prefix=PREFIX, route_class=ConsoleRoute)
RECORDING_LIVE = (RecordingStatus.IN_PROGRESS.value, RecordingStatus.PAUSED.value)


async def _figures(viewer: Viewer) -> dict[str, Any]:
    context, sid = viewer.context, viewer.account.sid
    async with context.db.read() as db:
        figures: dict[str, Any] = {
            "live_calls": await CallRepo(db).count(sid, CallFilters(statuses=LIVE)),
            "live_recordings": await RecordingRepo(db).count(sid, RecordingFilters(statuses=RECORDING_LIVE)),
            "outbox_backlog": await OutboxRepo(db).pending_count(sid),
            "transcription_queue": await TranscriptionRepo(db).count_unfinished(sid),
        }
        if viewer.principal.account.is_main:
            figures["server"] = {
                "outbox_backlog": await OutboxRepo(db).pending_count(),
                "transcription_queue": await TranscriptionRepo(db).count_unfinished(),
                "media": context.calls.media_stats(),
            }
    if viewer.principal.account.is_main:
        figures["server"]["nodes"] = (await list_nodes(viewer.principal, context))["nodes"]
    return figures


@router.get("/dashboard")
async def dashboard(request: Request, viewer: Viewing) -> Response:
    return page(request, "dashboard.html", viewer=viewer, **await _figures(viewer))


@router.get("/dashboard/figures")
async def figures(request: Request, viewer: Viewing) -> Response:
    return page(request, "_dashboard.html", **await _figures(viewer))
