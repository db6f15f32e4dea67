"""``GET /phonograph/v1/Calls/{CallSid}/Tracks.wav``: a call leg's captured tracks, for tests.

Channel 1 is the inbound track (what the far end sent), channel 2 the outbound track (what the
platform sent it). Captured only while ``PHONOGRAPH_CAPTURE_S`` > 0 (calls/capture.py).
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from phonograph.api.auth import Authenticated
from phonograph.api.context import Context

router = APIRouter()


@router.get("/Calls/{call_sid}/Tracks.wav")
async def call_tracks(call_sid: str, principal: Authenticated, context: Context) -> Response:
    wav = await context.calls.captured_tracks_wav(principal.account, call_sid)
    return Response(wav, media_type="audio/wav")
