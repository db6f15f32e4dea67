"""voice.twilio.com ``/v2`` resources: recording and transcription configurations."""

from fastapi import APIRouter

from phonograph.api.voice_v2 import account_defaults, configurations

router = APIRouter(prefix="/v2")
router.include_router(configurations.router)
router.include_router(account_defaults.router)

__all__ = ["router"]
