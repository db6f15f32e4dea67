"""voice.twilio.com ``/v1`` resources: BYOC trunking."""

from fastapi import APIRouter

from phonograph.api.voice_v1.byoc import RESOURCES
from phonograph.api.voice_v1.resources import resource_router

router = APIRouter(prefix="/v1")
for resource in RESOURCES:
    router.include_router(resource_router(resource))

__all__ = ["router"]
