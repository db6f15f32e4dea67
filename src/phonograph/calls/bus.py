"""The command path to the node that owns a live call (docs/architecture.md, "Several nodes").

A REST control names a call; its row names the owner node (store/repos/nodes.py). On the owner the
engine runs it at once, in-process, without the bus. For another node it becomes a ``commands``
row: the owner is woken by a NOTIFY carrying the command id and claims it (``FOR UPDATE SKIP
LOCKED``), runs it and writes the reply, and the sender is woken the same way. Each side also
polls every ``POLL_S``, so a NOTIFY lost with a connection delays a command, never loses it.

The interface is ``send(node, kind, body)`` and one ``execute`` callback: NATS (a subject per node,
request/reply) or direct HTTP between nodes (each node's ``address``) could carry the same calls
without the table, at the price of a delivery that is no longer in the database when a node dies.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from phonograph.core import Clock, PhonographError, ServiceUnavailable, TaskOwner
from phonograph.store import COMMANDS_CHANNEL, REPLIES_CHANNEL, CommandRepo, Database, PendingCommand

log = logging.getLogger(__name__)

POLL_S = 1.0
"""How often each side looks for what a lost NOTIFY did not tell it."""
REPLY_TIMEOUT_S = 10.0
"""How long a sender waits for the owner to take its command up; one it has taken up is waited
for until it answers."""
CLAIM_BATCH = 20
COMMANDS_KEPT = timedelta(hours=1)

Execute = Callable[[str, dict[str, Any]], Awaitable[str | None]]


class CommandBus:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        node_id: str,
        *,
        delay_s: float = 0.0,
        reply_timeout_s: float = REPLY_TIMEOUT_S,
    ) -> None:
        """``delay_s`` holds back every command from another node that long before it runs: an
        artificial routing delay, for tests (``PHONOGRAPH_BUS_DELAY_MS``)."""
        self.node_id = node_id
        self._reply_timeout_s = reply_timeout_s
        self._db = db
        self._clock = clock
        self._delay_s = delay_s
        self._execute: Execute | None = None
        self._wake = asyncio.Event()
        self._replies: dict[int, asyncio.Event] = {}
        self._tasks = TaskOwner()

    def start(self, execute: Execute) -> None:
        """Run the commands sent to this node with ``execute(kind, body)`` (its reply: a SID or None)."""
        self._execute = execute
        self._tasks.spawn(self._serve(), name="command bus")

    async def stop(self) -> None:
        await self._tasks.close()

    async def send(self, node_id: str, kind: str, body: dict[str, Any]) -> str | None:
        """Run ``kind`` on ``node_id`` (another node: the engine runs its own calls' controls
        in-process) and return its reply; the owner's error is raised here."""
        async with self._db.transaction() as session:
            command_id = await CommandRepo(session).send(node_id, self.node_id, kind, body, self._clock.now())
        answered = self._replies[command_id] = asyncio.Event()
        try:
            reply = await self._wait_reply(command_id, answered, self._reply_timeout_s)
            if reply is None:
                async with self._db.transaction() as session:
                    canceled = await CommandRepo(session).cancel(command_id, self._clock.now())
                if canceled:
                    raise ServiceUnavailable(
                        f"the node that runs this call ({node_id}) did not take the request up",
                        retry_after_s=int(POLL_S) + 1,
                    )
                # Taken up meanwhile: it runs, and its answer is on its way.
                reply = await self._wait_reply(command_id, answered, None)
        finally:
            del self._replies[command_id]
        assert reply is not None
        if "error" in reply:
            error = reply["error"]
            raise PhonographError(error["message"], code=error["code"], status=error["status"])
        sid: str | None = reply.get("sid")
        return sid

    async def _wait_reply(
        self, command_id: int, answered: asyncio.Event, timeout_s: float | None
    ) -> dict[str, Any] | None:
        loop = asyncio.get_running_loop()
        deadline = None if timeout_s is None else loop.time() + timeout_s
        while True:
            async with self._db.read() as session:
                reply = await CommandRepo(session).reply(command_id)
            if reply is not None:
                return reply
            wait_s = POLL_S if deadline is None else min(POLL_S, deadline - loop.time())
            if wait_s <= 0:
                return None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(answered.wait(), wait_s)
            answered.clear()

    async def _serve(self) -> None:
        channels = {COMMANDS_CHANNEL: self._heard_command, REPLIES_CHANNEL: self._heard_reply}
        loop = asyncio.get_running_loop()
        next_cleanup = loop.time()
        while True:
            try:
                async with self._db.listening(channels):
                    while True:
                        await self._run_claimed()
                        if loop.time() >= next_cleanup:
                            next_cleanup = loop.time() + COMMANDS_KEPT.total_seconds() / 4
                            async with self._db.transaction() as session:
                                await CommandRepo(session).delete_done(self._clock.now() - COMMANDS_KEPT)
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(self._wake.wait(), POLL_S)
                        self._wake.clear()
            except Exception:
                # The database went away: polling starts again with a new listening connection.
                log.exception("command bus failed node=%s", self.node_id)
                await asyncio.sleep(POLL_S)

    async def _run_claimed(self) -> None:
        while True:
            async with self._db.transaction() as session:
                claimed = await CommandRepo(session).claim(self.node_id, self._clock.now(), CLAIM_BATCH)
            for command in claimed:
                await self._run(command)
            if len(claimed) < CLAIM_BATCH:
                return

    async def _run(self, command: PendingCommand) -> None:
        assert self._execute is not None
        if self._delay_s:
            late_s = (self._clock.now() - command.created_at).total_seconds()
            await asyncio.sleep(max(0.0, self._delay_s - late_s))
        reply: dict[str, Any]
        try:
            reply = {"sid": await self._execute(command.kind, command.body)}
        except PhonographError as error:
            reply = {"error": {"code": error.code, "status": error.status, "message": error.message}}
        except Exception:
            log.exception("command failed id=%s kind=%s", command.id, command.kind)
            reply = {"error": {"code": 20500, "status": 500, "message": "the command failed on its node"}}
        async with self._db.transaction() as session:
            await CommandRepo(session).answer(command, reply, self._clock.now())
        log.info("command done id=%s kind=%s from=%s", command.id, command.kind, command.origin_node)

    def _heard_command(self, payload: str) -> None:
        target, _, _id = payload.partition("\n")
        if target == self.node_id:
            self._wake.set()

    def _heard_reply(self, payload: str) -> None:
        origin, _, command_id = payload.partition("\n")
        if origin == self.node_id and (answered := self._replies.get(int(command_id))) is not None:
            answered.set()
