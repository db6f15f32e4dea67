"""Load shedding for writes: while the database's write queue is long, a request that may write is
answered 429 (20429, ``Retry-After: 1``) before it does any work, rather than join the queue.

The queue is SQLite's write gate (store/db.py): past ``WRITE_BACKLOG_MAX`` waiting transactions the
server is saturated, and a new call or recording would only make every live call's transitions
wait longer. Live calls themselves never get a 429: their transitions always queue. Reads are
always admitted (they take no gate). Twilio answers 429 with 20429 when a client goes too fast
(https://www.twilio.com/docs/errors/20429); its SDKs surface it and callers retry.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from phonograph.api.context import ApiContext
from phonograph.api.errors import render_error
from phonograph.core import TooManyRequests

WRITE_BACKLOG_MAX = 256
"""Transactions waiting for the write gate beyond which writes are shed (at a few ms each, about
a second of queue)."""
RETRY_AFTER_S = 1
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class AdmitWrites:
    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in READ_METHODS:
            request = Request(scope)
            context: ApiContext = request.app.state.context
            if context.db.write_backlog >= WRITE_BACKLOG_MAX:
                busy = TooManyRequests(
                    "The server is busy writing; try again later", retry_after_s=RETRY_AFTER_S
                )
                await render_error(request, busy)(scope, receive, send)
                return
        await self._app(scope, receive, send)
