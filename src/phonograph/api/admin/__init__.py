"""phonograph's own endpoints, under ``/phonograph/v1`` (docs/architecture.md): JSON in and out.

Errors have the v2010 shape ``{code, message, more_info, status}`` (api/errors.py).
"""

from fastapi import APIRouter

from phonograph.api.admin import callbacks, look, media, media_settings, nodes, phones, tracks, transcriptions

router = APIRouter(prefix="/phonograph/v1")
router.include_router(phones.router)
router.include_router(tracks.router)
router.include_router(media.router)
router.include_router(media_settings.router)
router.include_router(transcriptions.router)
router.include_router(look.router)
router.include_router(nodes.router)
router.include_router(callbacks.router)

__all__ = ["router"]
