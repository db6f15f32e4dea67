"""The server's own state: ``GET /healthz``, 200 once the server is ready (the database answers),
and ``GET /metrics``, its load for Prometheus (metrics.py says what and for whom)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text

from phonograph.api.auth import authenticate, not_found
from phonograph.api.context import Context
from phonograph.api.metrics import MetricsAccess
from phonograph.core import Forbidden
from phonograph.store import OutboxRepo, TranscriptionRepo

router = APIRouter()


@router.get("/healthz")
async def healthz(context: Context) -> JSONResponse:
    """200 while this node answers and holds its lease; 503 once the lease ran out unrenewed (the
    database did not answer the heartbeat), so that a load balancer sends requests elsewhere."""
    async with context.db.read() as session:
        await session.execute(text("SELECT 1"))
    lease = context.calls.lease
    holds = lease.holds()
    body = {"status": "ok" if holds else "lease-lapsed", "node_id": lease.node_id, "holds_lease": holds}
    return JSONResponse(body, status_code=200 if holds else 503)


# Not in the OpenAPI document: who may read it depends on a setting, and it takes no input.
@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request, context: Context) -> Response:
    access = context.metrics.access
    if access is MetricsAccess.OFF:
        raise not_found(request.url.path)
    if access is MetricsAccess.AUTH:
        principal = await authenticate(request, context)
        if not principal.account.is_main:
            raise Forbidden("the server's metrics are the operator's: use a main account")
    async with context.db.read() as session:
        outbox_backlog = await OutboxRepo(session).pending_count()
        transcription_queue = await TranscriptionRepo(session).count_unfinished()
    body = context.metrics.render(context.calls.media_stats(), outbox_backlog, transcription_queue)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
