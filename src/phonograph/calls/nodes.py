"""This process's node: its lease on the live calls, recordings and conferences it owns, renewed by
a heartbeat, and the takeover of nodes whose lease lapsed (store/repos/nodes.py says how a claim
stays exclusive; docs/architecture.md, "Several nodes", says why).

A node whose lease lapsed is taken over by the first node whose heartbeat sees it: that node claims
its live rows and settles them as a crash would have left them. A node that finds at its next
renewal that it was taken over (it stalled for longer than its lease) or replaced (another process
registered its id) owns nothing any more: ``on_lost`` must stop it before it writes again.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from phonograph.core import Clock, TaskOwner
from phonograph.store import Claimed, Database, LiveStatuses, NodeRepo

log = logging.getLogger(__name__)

DEFAULT_LEASE_S = 15.0
# Renewed three times per lease: two heartbeats may fail or come late before it lapses.
BEATS_PER_LEASE = 3


def owner_elsewhere(owner: str | None, node_id: str, *, live: bool) -> str | None:
    """``owner``, when a live row's owner is a node other than ``node_id`` (its controls go
    there, calls/bus.py); None when this node runs it, or it has ended, or it predates nodes."""
    return owner if live and owner is not None and owner != node_id else None


@dataclass(frozen=True)
class NodeLoad:
    calls: int
    recordings: int


class NodeLease:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        node_id: str,
        address: str,
        *,
        lease_s: float,
        live: LiveStatuses,
        settle: Callable[[Claimed], Coroutine[Any, Any, None]],
        load: Callable[[], NodeLoad],
        on_lost: Callable[[], None],
        on_peers: Callable[[int], None],
    ) -> None:
        """``settle`` ends the rows a takeover claimed; ``load`` is what the heartbeat reports;
        ``on_lost`` is called once when the lease turns out to be lost; ``on_peers`` with how many
        other nodes hold a lease, at every heartbeat."""
        self.node_id = node_id
        self._db = db
        self._clock = clock
        self._address = address
        self._lease = timedelta(seconds=lease_s)
        self._live = live
        self._settle = settle
        self._load = load
        self._on_lost = on_lost
        self._on_peers = on_peers
        self._incarnation = secrets.token_hex(16)
        self._held_until: datetime | None = None
        self._lost = False
        self.draining = False
        self._heartbeat: asyncio.Task[None] | None = None
        self._tasks = TaskOwner()

    @property
    def lease_s(self) -> float:
        return self._lease.total_seconds()

    def holds(self) -> bool:
        """Whether this process holds its lease now, as far as it knows (its last renewal)."""
        return not self._lost and self._held_until is not None and self._clock.now() < self._held_until

    async def register(self) -> Claimed:
        """Take the lease; what this node owned before (a previous process of it crashed) is
        returned, claimed, for the caller to settle."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            claimed = await NodeRepo(session).register(
                self.node_id, self._incarnation, self._address, now, self._lease, self._live
            )
        self._held_until = now + self._lease
        await self._count_peers(now)
        log.info("node registered node=%s lease_s=%s", self.node_id, self.lease_s)
        return claimed

    async def beat(self) -> None:
        """Renew the lease, then take over every node whose lease lapsed."""
        if self._lost:
            return
        now, load = self._clock.now(), self._load()
        async with self._db.transaction() as session:
            renewed = await NodeRepo(session).renew(
                self.node_id,
                self._incarnation,
                now,
                self._lease,
                draining=self.draining,
                live_calls=load.calls,
                live_recordings=load.recordings,
            )
        if not renewed:
            self._lost = True
            log.critical(
                "node lease lost node=%s: another node took it over or registered its id", self.node_id
            )
            self._on_lost()
            return
        self._held_until = now + self._lease
        await self._count_peers(now)
        if self.draining:
            # A node on its way out takes nothing more on.
            return
        async with self._db.transaction() as session:
            lapsed = [node for node in await NodeRepo(session).lapsed(now) if node != self.node_id]
        for node in lapsed:
            async with self._db.transaction() as session:
                claimed = await NodeRepo(session).take_over(node, self.node_id, now, self._live)
            if claimed is None:
                continue
            # A node that stopped gracefully left nothing; one that died left its live rows.
            level = (
                logging.WARNING
                if claimed.calls or claimed.recordings or claimed.conferences
                else logging.INFO
            )
            log.log(
                level,
                "node taken over node=%s by=%s calls=%d recordings=%d conferences=%d",
                node,
                self.node_id,
                len(claimed.calls),
                len(claimed.recordings),
                len(claimed.conferences),
            )
            # Settled beside the heartbeat, which must go on renewing this node's own lease.
            self._tasks.spawn(self._settle(claimed), name=f"settle node {node}")

    def start(self) -> None:
        self._heartbeat = self._tasks.spawn(self._run(), name=f"lease {self.node_id}")

    async def stop(self) -> None:
        """Stop the heartbeat; takeovers under way finish (the rows are this node's already)."""
        if self._heartbeat is not None:
            self._heartbeat.cancel()
        await self._tasks.wait()

    async def release(self) -> None:
        """Give the lease up (a graceful stop, once nothing runs): whatever this node still owns
        goes to the next heartbeat of another node, not to the end of the lease."""
        if self._lost:
            return
        async with self._db.transaction() as session:
            await NodeRepo(session).release(self.node_id, self._incarnation, self._clock.now())
        self._held_until = None

    async def _count_peers(self, now: datetime) -> None:
        async with self._db.read() as session:
            self._on_peers(await NodeRepo(session).peers(self.node_id, now))

    async def _run(self) -> None:
        interval_s = self.lease_s / BEATS_PER_LEASE
        while not self._lost:
            await asyncio.sleep(interval_s)
            try:
                await self.beat()
            except Exception:
                # A database that does not answer: the lease runs on until the next beat renews it.
                log.exception("node heartbeat failed node=%s", self.node_id)
