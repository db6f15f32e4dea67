"""Recordings: the list, and a recording's page with its waveform player (channels labelled by
who is on them, the pause ledger drawn on it), its media, transcripts and callbacks; delete."""

from __future__ import annotations

import json
from dataclasses import replace

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from phonograph.api.admin.callbacks import callback_page
from phonograph.api.admin.transcriptions import job_json
from phonograph.api.auth import not_found
from phonograph.api.v2010 import recordings as api
from phonograph.api.v2010.common import query_params
from phonograph.api.v2010.recording_media import serve_media
from phonograph.console.peaks import peaks
from phonograph.console.web import PREFIX, ConsoleRoute, Viewing, checked_form, next_link, page, redirect
from phonograph.recording import RecordingStatus, Source
from phonograph.store import Call, CallRepo, PageSpec, Recording, TranscriptionFilters, TranscriptionRepo

router = APIRouter(prefix=PREFIX, route_class=ConsoleRoute)
TRANSCRIPTIONS_SHOWN = 20
STATUSES = tuple(status.value for status in RecordingStatus)
SOURCES = tuple(source.value for source in Source)


@router.get("/recordings")
async def list_recordings(request: Request, viewer: Viewing) -> Response:
    """The API's account list and its filters (CallSid, ConferenceSid, DateCreated…), and two of
    the console's own: Status and Source."""
    params = query_params(request)
    status, source = params.get_enum("Status", RecordingStatus), params.get_enum("Source", Source)
    filters = replace(
        api.recording_filters(params),
        statuses=() if status is None else (status.value,),
        source=None if source is None else source.value,
    )
    path = f"{PREFIX}/recordings"
    listed = await api.recordings_page(
        viewer.context,
        viewer.account,
        params,
        filters,
        path,
        (*api.ACCOUNT_FILTERS, "Status", "Source"),
        api.call_recording_json,
    )
    return page(
        request,
        "recordings.html",
        viewer=viewer,
        recordings=listed["recordings"],
        next=next_link(listed, path),
        statuses=STATUSES,
        sources=SOURCES,
        params=dict(request.query_params),
    )


def channel_labels(recording: Recording, call: Call | None) -> list[str]:
    """Who is on each channel, from how the recording was composed (recording/compose.py;
    docs/compatibility.md, Recordings: Channels)."""
    if recording.conference_sid is not None and recording.call_sid is None:
        if recording.channels == 2:
            return ["Channel 1: the first participant to join", "Channel 2: everyone else, mixed"]
        return ["Mono: the conference's mix"]
    far = "the far end"
    if call is not None:
        far = call.from_ if call.direction == "inbound" else call.to
    if recording.track == "inbound":
        return [f"Mono: inbound, what {far} says"]
    if recording.track == "outbound":
        return [f"Mono: outbound, what {far} hears"]
    if recording.channels == 1:
        return [f"Mono: {far} and what {far} hears, mixed"]
    if recording.source == Source.DIAL_VERB.value:
        return [f"Channel 1: the caller ({far})", "Channel 2: the dialled party"]
    return [f"Channel 1: inbound, what {far} says", f"Channel 2: outbound, what {far} hears"]


async def _recording(request: Request, viewer: Viewing, sid: str) -> Recording:
    return await api.account_recording(
        viewer.context, viewer.account, sid, request.url.path, include_deleted=True
    )


@router.get("/recordings/{name}.{extension}")
async def recording_media(request: Request, viewer: Viewing, name: str, extension: str) -> Response:
    """The media through the session (the API's media handler, for the viewed account); before
    the recording's page, which would take ``RE….wav`` for a SID."""
    return await serve_media(request, viewer.context, viewer.account, f"{name}.{extension}")


@router.get("/recordings/{sid}")
async def show_recording(request: Request, viewer: Viewing, sid: str) -> Response:
    context = viewer.context
    recording = await _recording(request, viewer, sid)
    async with context.db.read() as db:
        call = (
            None
            if recording.call_sid is None
            else await CallRepo(db).get_for_account(viewer.account.sid, recording.call_sid)
        )
        jobs = await TranscriptionRepo(db).page(
            TranscriptionFilters(viewer.account.sid, recording_sid=sid), PageSpec(TRANSCRIPTIONS_SHOWN)
        )
    callbacks, _ = await callback_page(context, viewer.account, recording_sid=sid)
    labels = channel_labels(recording, call)
    player = {
        "media": f"{PREFIX}/recordings/{sid}.wav",
        "peaks": f"{PREFIX}/recordings/{sid}/peaks.json",
        "labels": labels,
        "pauses": recording.pauses,
    }
    return page(
        request,
        "recording.html",
        viewer=viewer,
        recording=api.recording_json(recording, context.calls.recordings.url(recording)),
        completed=recording.status == RecordingStatus.COMPLETED.value,
        labels=labels,
        pauses=recording.pauses,
        player=json.dumps(player),
        transcriptions=[job_json(job) for job in jobs.items],
        callbacks=callbacks,
    )


@router.get("/recordings/{sid}/peaks.json")
async def recording_peaks(request: Request, viewer: Viewing, sid: str) -> Response:
    recording = await _recording(request, viewer, sid)
    service = viewer.context.calls.recordings
    if recording.status != RecordingStatus.COMPLETED.value:
        raise not_found(request.url.path)
    key = await service.media(recording, "wav", None)
    size = await service.blobs.size(key)
    if size is None:
        raise not_found(request.url.path)

    async def read(start: int, stop: int) -> bytes:
        return await service.blobs.read(key, start, stop)

    return JSONResponse(await peaks(read, size), headers={"Cache-Control": "private, max-age=3600"})


@router.get("/recordings/{sid}/delete")
async def confirm_delete(request: Request, viewer: Viewing, sid: str) -> Response:
    recording = await _recording(request, viewer, sid)
    return page(request, "delete.html", viewer=viewer, recording=recording)


@router.post("/recordings/{sid}/delete")
async def delete_recording(request: Request, viewer: Viewing, sid: str) -> Response:
    form = await checked_form(request, viewer)
    await api.delete_recording(viewer.account.sid, sid, form, viewer.principal, viewer.context)
    return redirect(f"{PREFIX}/recordings/{sid}")
