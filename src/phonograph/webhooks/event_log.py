"""The call event log: every request made to an app (TwiML fetches, actions, status callbacks) and
the app's answer, kept for the Call Event resource (twilio.com/docs/voice/api/call-event-resource)
and ``phonograph calls show`` / ``phonograph callbacks list``.

A request must not wait for a database write: :meth:`EventLog.record` puts the event in a bounded
buffer, and one owned task writes the buffer in a single transaction every ``flush_interval_s``
(and once more when the server stops). The log is a record of what happened, not a promise: when
the buffer is full, the newest events are dropped and counted (a warning says how many); a batch
the database refuses is lost with a warning; a killed process loses the last ``flush_interval_s``.
Callbacks themselves are never lost that way (the outbox holds them); only this record of them is.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from datetime import datetime, timedelta

from phonograph.core import Clock, TaskOwner, redact_userinfo, storable_text
from phonograph.store import (
    EVENT_RETENTION,
    RESPONSE_BODY_MAX_CHARS,
    CallEvent,
    CallEventRepo,
    Database,
    new_event_sid,
)
from phonograph.webhooks.types import AppRequest, AppResponse, WebhookError

log = logging.getLogger(__name__)

DEFAULT_MAX_PENDING = 10_000
DEFAULT_FLUSH_INTERVAL_S = 0.5
CONTENT_TYPE_MAX_CHARS = 255  # the column's size
PRUNE_INTERVAL = timedelta(hours=1)


def _kept(text: str | None, max_chars: int) -> str | None:
    """What the app sent, cut to ``max_chars`` and made storable (PostgreSQL refuses a NUL)."""
    return None if text is None else storable_text(text[:max_chars])


class EventLog:
    """Buffers events and writes them in batches; owns its one task (``start``/``stop``)."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        max_pending: int = DEFAULT_MAX_PENDING,
        flush_interval_s: float = DEFAULT_FLUSH_INTERVAL_S,
    ) -> None:
        self._db = db
        self.clock = clock
        self._pending: deque[CallEvent] = deque()
        self._max_pending = max_pending
        self._flush_interval_s = flush_interval_s
        self._dropped = 0
        self._pruned_at: datetime | None = None
        self._tasks = TaskOwner()

    @property
    def pending(self) -> int:
        return len(self._pending)

    def record(
        self,
        request: AppRequest,
        url: str,
        started: datetime,
        *,
        response: AppResponse | None = None,
        error: WebhookError | None = None,
    ) -> None:
        """Keep one exchange begun at ``started``, to ``url`` (where it ended, after redirects):
        the app's ``response``, or the ``error`` the request ended in."""
        now = self.clock.now()
        params = dict(request.params)
        account_sid = params.get("AccountSid")
        if account_sid is None:
            return  # not about an account's call (nothing phonograph sends is, but be safe)
        if len(self._pending) >= self._max_pending:
            self._dropped += 1
            return
        answer = response if response is not None else (error.response if error is not None else None)
        self._pending.append(
            CallEvent(
                sid=new_event_sid(),
                account_sid=account_sid,
                call_sid=params.get("CallSid"),
                kind=request.kind,
                request_url=storable_text(redact_userinfo(url)),
                request_method=request.method,
                request_params=[
                    [storable_text(name), storable_text(value)] for name, value in request.params
                ],
                response_code=None if answer is None else answer.status_code,
                response_content_type=None
                if answer is None
                else _kept(answer.header("content-type"), CONTENT_TYPE_MAX_CHARS),
                # As much as a Notification keeps of it (docs/security.md).
                response_body=None if answer is None else _kept(answer.text, RESPONSE_BODY_MAX_CHARS),
                error_code=None if error is None else error.code,
                request_duration_ms=round((now - started).total_seconds() * 1000),
                date_created=now,
            )
        )

    def start(self) -> None:
        if len(self._tasks):
            raise RuntimeError("the event log is already running")
        self._tasks.spawn(self._run(), "event-log")

    async def stop(self) -> None:
        """Stop the task, then write what is left."""
        await self._tasks.close()
        await self.flush()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._flush_interval_s)
            try:
                await self.flush()
            except Exception as exc:  # the database is down: those events are lost, the next go on
                log.warning("writing call events failed, a batch is lost: %s", exc)

    async def flush(self) -> None:
        """Write the buffered events in one transaction; once an hour also forget expired ones."""
        if self._dropped:
            log.warning("call event log full: %d events dropped", self._dropped)
            self._dropped = 0
        # Taken out before the write: a batch the database refuses is not retried for ever.
        batch = [self._pending.popleft() for _ in range(len(self._pending))]
        now = self.clock.now()
        prune = self._pruned_at is None or now - self._pruned_at >= PRUNE_INTERVAL
        if not batch and not prune:
            return
        async with self._db.transaction() as session:
            repo = CallEventRepo(session)
            repo.add_all(batch)
            if prune:
                await repo.forget_before(now - EVENT_RETENTION)
        if prune:
            self._pruned_at = now
