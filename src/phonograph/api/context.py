"""What every route needs, built once in app.py and handed to routes through ``request.app.state``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from phonograph.api.metrics import Metrics
from phonograph.api.principals import Principals
from phonograph.calls import CallEngine
from phonograph.core import Clock
from phonograph.store import Database
from phonograph.transcription import TranscriptionService
from phonograph.webhooks import OutboxWorker


@dataclass(frozen=True)
class ApiContext:
    db: Database
    clock: Clock
    calls: CallEngine
    transcriptions: TranscriptionService
    principals: Principals
    metrics: Metrics
    outbox: OutboxWorker


async def get_context(request: Request) -> ApiContext:
    # async: FastAPI runs a plain ``def`` dependency on a worker thread, a hop on every request.
    context: ApiContext = request.app.state.context
    return context


Context = Annotated[ApiContext, Depends(get_context)]
