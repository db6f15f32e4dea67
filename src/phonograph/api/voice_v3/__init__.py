"""voice.twilio.com ``/v3`` resources: Batch Transcriptions."""

from fastapi import APIRouter

from phonograph.api.voice_v3 import transcriptions

router = APIRouter(prefix="/v3")
router.include_router(transcriptions.router)

__all__ = ["router"]
