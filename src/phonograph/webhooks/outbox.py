"""The outbox worker: delivers the messages that state changes wrote, with retries, in order.

A message is a row (``OutboxRepo``), so a crash delays a callback but never loses it: a new
worker on the same database delivers what an old one left. Delivery is at least once; a message
sent again carries the same ``I-Twilio-Idempotency-Token``, so the app can tell.

Only the oldest message of an ordering key (one call) is ever due, so a call's callbacks go out
in order while other calls' proceed. Each message is claimed for a lease before it is sent (safe
with several workers); each is signed with the account's Auth Token as it is at delivery time.
A message that fails every retry is marked ``failed`` and a warning Notification is written in the
same transaction, so no callback fails silently. Delivered and failed messages stay as the callback
log, each attempt's status code, duration and (truncated) answer with them, until ``retention``.
The worker's transactions are ``urgent`` (store/db.py): a burst of other writes does not hold
callbacks up.

Retries follow Twilio unless the account asks for more. Each delivery is one ``AppClient.send``,
which already retries at once as the URL's connection overrides say (by default once, and only
when it could not connect: https://www.twilio.com/docs/usage/webhooks/webhooks-connection-overrides).
An account with ``durable_callbacks`` also retries a failed delivery later, with backoff
(``retry_delays_s``). A failure no retry can mend (an invalid URL or redirect, an address the
outbound policy refuses) is never retried.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Coroutine, Sequence
from datetime import datetime, timedelta
from typing import Any

from phonograph.core import Clock, is_sid, storable_text
from phonograph.store import (
    Account,
    AccountRepo,
    Attempt,
    Database,
    NotificationLog,
    NotificationRepo,
    OutboxMessage,
    OutboxRepo,
    OutboxState,
)
from phonograph.webhooks.app_client import AppClient
from phonograph.webhooks.types import AppRequest, AppResponse, Method, WebhookError

log = logging.getLogger(__name__)

DEFAULT_RETRY_DELAYS_S: tuple[float, ...] = (1, 2, 4, 8, 16, 32, 60, 120, 300, 600)
# How long a graceful stop waits for the deliveries in flight (an app that answers at all does).
STOP_GRACE_S = 5.0
# A claim outlives the longest delivery (the client's whole timeout) by this much.
LEASE_MARGIN_S = 30.0
DEFAULT_RETENTION = timedelta(days=30)
PRUNE_INTERVAL = timedelta(hours=1)
LOGGED_BODY_MAX_CHARS = 1024
"""How much of an app's answer the callback log keeps per attempt."""
_TOKEN_NAMESPACE = uuid.UUID("0b6c3f49-5d0e-4d47-9a7e-6f1f4c1f8a51")


def _idempotency_token(message: OutboxMessage) -> str:
    """One token per message, the same on every attempt and in every process (a replay is a new
    message: a new token, so an app that drops repeats still takes it)."""
    name = f"{message.account_sid}/{message.id}/{message.date_created.isoformat()}"
    return str(uuid.uuid5(_TOKEN_NAMESPACE, name))


def callback_request(message: OutboxMessage) -> AppRequest:
    """The request that delivers ``message``, the same on every attempt (what the callback log
    shows of it too)."""
    method: Method = "GET" if message.method.upper() == "GET" else "POST"
    return AppRequest(message.url, method, message.params, _idempotency_token(message), kind="callback")


def _attempt(
    started: datetime, ended: datetime, response: AppResponse | None, error: WebhookError | None
) -> Attempt:
    # Exactly one of the two is given: the answer, or the error (with the answer it had, if any).
    answer = response if error is None else error.response
    body = None if answer is None else storable_text(answer.text[:LOGGED_BODY_MAX_CHARS])
    return Attempt(
        date=started,
        duration_ms=max(0, round((ended - started).total_seconds() * 1000)),
        status_code=None if answer is None else answer.status_code,
        response_body=body,
        error_code=None if error is None else error.code,
        error=None if error is None else error.message,
    )


async def _to_the_end(work: Coroutine[Any, Any, None]) -> None:
    """Run ``work`` to its end even if the caller is cancelled meanwhile (then re-raise): a
    delivery's outcome is recorded once the app has answered, so it is not sent twice."""
    task = asyncio.ensure_future(work)
    try:
        await asyncio.shield(task)
    except asyncio.CancelledError:
        await task
        raise


def _call_sid(message: OutboxMessage) -> str | None:
    return next((value for name, value in message.params if name == "CallSid" and is_sid(value, "CA")), None)


class OutboxWorker:
    """Owns one asyncio task (the loop) and, through it, the deliveries in flight."""

    def __init__(
        self,
        db: Database,
        client: AppClient,
        clock: Clock,
        *,
        retry_delays_s: Sequence[float] = DEFAULT_RETRY_DELAYS_S,
        concurrency: int = 32,
        poll_interval_s: float = 1.0,
        retention: timedelta = DEFAULT_RETENTION,
    ) -> None:
        """``retention``: how long a finished message stays in the callback log."""
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self._db = db
        self._client = client
        self._clock = clock
        self._retry_delays_s = tuple(retry_delays_s)
        self._concurrency = concurrency
        self._poll_interval_s = poll_interval_s
        self._retention = retention
        self._pruned_at: datetime | None = None
        self._lease = timedelta(seconds=client.timeout_s + LEASE_MARGIN_S)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._in_flight: set[int] = set()
        self._abandoned: set[int] = set()
        self._draining = False
        self._idle = asyncio.Event()  # set while nothing is in flight
        self._idle.set()

    @property
    def in_flight(self) -> int:
        return len(self._in_flight)

    def start(self) -> None:
        if self._task is not None:
            raise RuntimeError("the outbox worker is already running")
        self._task = asyncio.create_task(self._run(), name="outbox-worker")

    def notify(self) -> None:
        """Look for due messages now (call it after committing new ones)."""
        self._wake.set()

    async def stop(self, grace_s: float = STOP_GRACE_S) -> None:
        """Let the deliveries in flight finish (``grace_s`` at most), starting no more, then cancel
        the loop and what is left; what did not finish stays queued."""
        task, self._task = self._task, None
        if task is None:
            return
        # A delivery cancelled mid-request may have reached the app: the next start would send it
        # again. Finishing it now keeps a graceful stop from doubling callbacks.
        self._draining = True
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(grace_s):
                await self._idle.wait()
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise
        abandoned, self._abandoned = sorted(self._abandoned), set()
        if abandoned:
            # Due again at once for the next worker, instead of when the lease would end.
            async with self._db.transaction(urgent=True) as session:
                await OutboxRepo(session).release(abandoned, self._clock.now())

    async def _run(self) -> None:
        async with asyncio.TaskGroup() as deliveries:
            while True:
                self._wake.clear()
                try:
                    await self._dispatch(deliveries)
                    await self._prune()
                except Exception:
                    log.exception("outbox poll failed")
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self._poll_interval_s):
                        await self._wake.wait()

    async def _dispatch(self, deliveries: asyncio.TaskGroup) -> None:
        free = self._concurrency - len(self._in_flight)
        if free <= 0 or self._draining:
            return
        now = self._clock.now()
        async with self._db.transaction(urgent=True) as session:
            outbox = OutboxRepo(session)
            due = [m for m in await outbox.due(now, free) if m.id not in self._in_flight]
            claimed = set(await outbox.claim([m.id for m in due], now, now + self._lease))
            accounts = AccountRepo(session)
            senders: dict[str, Account | None] = {}
            for message in due:
                if message.id in claimed and message.account_sid not in senders:
                    senders[message.account_sid] = await accounts.get(message.account_sid)
        for message in due:
            if message.id in claimed:
                self._in_flight.add(message.id)
                self._idle.clear()
                deliveries.create_task(self._deliver(message, senders[message.account_sid]))

    async def _prune(self) -> None:
        now = self._clock.now()
        if self._pruned_at is not None and now - self._pruned_at < PRUNE_INTERVAL:
            return
        self._pruned_at = now
        async with self._db.transaction() as session:
            pruned = await OutboxRepo(session).prune(now - self._retention)
        if pruned:
            log.info("callback log pruned messages=%s", pruned)

    async def _deliver(self, message: OutboxMessage, sender: Account | None) -> None:
        recording = False
        try:
            error: WebhookError | None = None
            attempt: Attempt | None = None
            if sender is not None:
                started = self._clock.now()
                response: AppResponse | None = None
                try:
                    response = await self._client.send(callback_request(message), sender.auth_token)
                except WebhookError as exc:
                    error = exc
                attempt = _attempt(started, self._clock.now(), response, error)
            recording = True
            durable = sender is not None and sender.durable_callbacks
            await _to_the_end(self._finish(message, error, attempt, durable=durable))
        except asyncio.CancelledError:
            if not recording:
                self._abandoned.add(message.id)
            raise
        except Exception:
            # The claim expires and the message is tried again; the loop carries on.
            log.exception("outbox delivery crashed id=%s", message.id)
        finally:
            self._in_flight.discard(message.id)
            if not self._in_flight:
                self._idle.set()
            self._wake.set()

    async def _finish(
        self, message: OutboxMessage, error: WebhookError | None, attempt: Attempt | None, *, durable: bool
    ) -> None:
        """``attempt`` is None when the message was not sent: its account is gone."""
        now = self._clock.now()
        async with self._db.transaction(urgent=True) as session:
            outbox = OutboxRepo(session)
            if attempt is None:
                log.warning(
                    "outbox message dropped, account gone id=%s account=%s", message.id, message.account_sid
                )
                await outbox.finish(message, OutboxState.FAILED, None, now)
            elif error is None:
                await outbox.finish(message, OutboxState.DELIVERED, attempt, now)
            elif durable and error.failure is not None and message.attempts < len(self._retry_delays_s):
                delay_s = self._retry_delays_s[message.attempts]
                log.info(
                    "outbox delivery failed id=%s attempt=%s code=%s error=%s retry_in_s=%s",
                    message.id,
                    message.attempts + 1,
                    error.code,
                    error.message,
                    delay_s,
                )
                retry_at = now + timedelta(seconds=delay_s)
                await outbox.retry_later(message, attempt, retry_at)
            else:
                await _give_up(outbox, NotificationRepo(session), message, error, attempt, now)


async def _give_up(
    outbox: OutboxRepo,
    notifications: NotificationRepo,
    message: OutboxMessage,
    error: WebhookError,
    attempt: Attempt,
    now: datetime,
) -> None:
    """Mark ``failed`` a message that failed every attempt, and say so where the account can see it."""
    attempts = message.attempts + 1
    log.warning(
        "outbox message given up id=%s account=%s attempts=%s code=%s error=%s",
        message.id,
        message.account_sid,
        attempts,
        error.code,
        error.message,
    )
    await outbox.finish(message, OutboxState.FAILED, attempt, now)
    await notifications.create(
        account_sid=message.account_sid,
        call_sid=_call_sid(message),
        error_code=error.code,
        log=NotificationLog.WARNING,
        message_text=f"{error.message} (gave up after {attempts} attempt{'' if attempts == 1 else 's'})",
        request_url=error.url,
        request_method=error.method,
        request_variables=error.request_variables,
        response_body=error.response_body,
        response_headers=error.response_headers,
        now=now,
    )
