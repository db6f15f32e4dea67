"""``GET /healthz``: 200 once the server is ready (the database answers)."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from phonograph.api.context import Context

router = APIRouter()


@router.get("/healthz")
async def healthz(context: Context) -> dict[str, str]:
    async with context.db.read() as session:
        await session.execute(text("SELECT 1"))
    return {"status": "ok"}
