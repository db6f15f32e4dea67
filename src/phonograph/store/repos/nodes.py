"""Nodes: the processes sharing the database, their leases, and the live rows they own.

A node registers at start-up and renews its lease with every heartbeat. Each live call, recording
and conference row names its owner (``owner_node``). A node settles only what it owns: at start-up
the rows it owned before it stopped, and, once another node's lease lapsed, that node's rows,
which it first claims. Each claim is one transaction that moves the rows to the claimer, so that
two nodes never settle the same row (docs/architecture.md, "Several nodes").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from phonograph.store.models import CallRow, ConferenceRow, NodeRow, RecordingRow
from phonograph.store.records import from_row
from phonograph.store.repos.conferences import COMPLETED as CONFERENCE_COMPLETED


@dataclass(frozen=True)
class Node:
    id: str
    address: str
    started_at: datetime
    heartbeat_at: datetime
    lease_expires_at: datetime
    draining: bool
    live_calls: int
    live_recordings: int
    taken_over_by: str | None
    taken_over_at: datetime | None


@dataclass(frozen=True)
class LiveStatuses:
    """Which statuses leave a row live; the rooms that own the state machines say (the store does
    not know them)."""

    call_terminal: Sequence[str]
    recording_unfinished: Sequence[str]


@dataclass(frozen=True)
class Claimed:
    """The live rows a node has just claimed, to settle."""

    calls: list[str]
    recordings: list[str]
    conferences: list[str]


class NodeRepo:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def register(
        self,
        node_id: str,
        incarnation: str,
        address: str,
        now: datetime,
        lease: timedelta,
        live: LiveStatuses,
    ) -> Claimed:
        """Start (or restart) the node with a fresh lease, and claim what it owned before: the
        live rows a previous process of this node left, and rows older than nodes (no owner).

        ``incarnation`` is this process's own token: a second process registering the same node
        id replaces it, and the first one's next renewal fails (``renew``)."""
        row = await self._session.get(NodeRow, node_id, with_for_update=True)
        if row is None:
            row = NodeRow(id=node_id)
            self._session.add(row)
        row.incarnation = incarnation
        row.address = address
        row.started_at = row.heartbeat_at = now
        row.lease_expires_at = now + lease
        row.draining = False
        row.live_calls = row.live_recordings = 0
        row.taken_over_by = row.taken_over_at = None
        await self._session.flush()
        return await self._claim(node_id, None, live)

    async def renew(
        self,
        node_id: str,
        incarnation: str,
        now: datetime,
        lease: timedelta,
        *,
        draining: bool,
        live_calls: int,
        live_recordings: int,
    ) -> bool:
        """Extend this process's lease; False when it has lost it: another node took its rows over,
        or another process registered the same node id."""
        stmt = (
            update(NodeRow)
            .where(NodeRow.id == node_id, NodeRow.incarnation == incarnation, NodeRow.taken_over_by.is_(None))
            .values(
                heartbeat_at=now,
                lease_expires_at=now + lease,
                draining=draining,
                live_calls=live_calls,
                live_recordings=live_recordings,
            )
        )
        return await self._rowcount(stmt) == 1

    async def release(self, node_id: str, incarnation: str, now: datetime) -> None:
        """End this process's lease now (a graceful stop)."""
        stmt = (
            update(NodeRow)
            .where(NodeRow.id == node_id, NodeRow.incarnation == incarnation, NodeRow.taken_over_by.is_(None))
            .values(lease_expires_at=now, live_calls=0, live_recordings=0)
        )
        await self._session.execute(stmt)

    async def peers(self, node_id: str, now: datetime) -> int:
        """How many other nodes hold a lease now."""
        stmt = select(func.count()).where(
            NodeRow.id != node_id, NodeRow.lease_expires_at >= now, NodeRow.taken_over_by.is_(None)
        )
        return int((await self._session.execute(stmt)).scalar_one())

    async def lapsed(self, now: datetime) -> list[str]:
        """Nodes whose lease ran out and whose rows nobody has taken over yet."""
        stmt = select(NodeRow.id).where(NodeRow.lease_expires_at < now, NodeRow.taken_over_by.is_(None))
        return list((await self._session.scalars(stmt.order_by(NodeRow.id))).all())

    async def take_over(
        self, lapsed_id: str, node_id: str, now: datetime, live: LiveStatuses
    ) -> Claimed | None:
        """Claim a lapsed node's live rows for ``node_id``; None when its lease is not lapsed (any
        more) or another node took it over first."""
        stmt = (
            update(NodeRow)
            .where(NodeRow.id == lapsed_id, NodeRow.lease_expires_at < now, NodeRow.taken_over_by.is_(None))
            .values(taken_over_by=node_id, taken_over_at=now)
        )
        if await self._rowcount(stmt) != 1:
            return None
        return await self._claim(node_id, lapsed_id, live)

    async def all(self) -> list[Node]:
        rows = await self._session.scalars(select(NodeRow).order_by(NodeRow.id))
        return [from_row(Node, row) for row in rows]

    async def _claim(self, node_id: str, owner: str | None, live: LiveStatuses) -> Claimed:
        """Move the live rows that ``owner`` holds to ``node_id``, one statement per table; ``owner``
        None claims the node's own rows and those without an owner."""
        mine = owner is None

        def whose(model: Any) -> ColumnElement[bool]:
            if mine:
                return or_(model.owner_node == node_id, model.owner_node.is_(None))
            clause: ColumnElement[bool] = model.owner_node == owner
            return clause

        return Claimed(
            calls=await self._move(
                CallRow, whose(CallRow), CallRow.status.not_in(live.call_terminal), node_id
            ),
            recordings=await self._move(
                RecordingRow,
                whose(RecordingRow),
                RecordingRow.status.in_(live.recording_unfinished),
                node_id,
            ),
            conferences=await self._move(
                ConferenceRow, whose(ConferenceRow), ConferenceRow.status != CONFERENCE_COMPLETED, node_id
            ),
        )

    async def _move(
        self, model: Any, whose: ColumnElement[bool], live: ColumnElement[bool], node_id: str
    ) -> list[str]:
        stmt = (
            update(model)
            .where(whose, live)
            .values(owner_node=node_id)
            .returning(model.sid, model.date_created)
        )
        rows = (await self._session.execute(stmt, execution_options={"synchronize_session": False})).all()
        # Settled oldest first, as they were made.
        return [sid for sid, _created in sorted(rows, key=lambda row: (row[1], row[0]))]

    async def _rowcount(self, stmt: Any) -> int:
        result: CursorResult[Any] = await self._session.execute(stmt)  # type: ignore[assignment]
        return result.rowcount
