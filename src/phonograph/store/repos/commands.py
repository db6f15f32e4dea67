"""Commands for the node that owns a live call (calls/bus.py says how they travel)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from phonograph.store.models import CommandRow

COMMANDS_CHANNEL = "phonograph_commands"
REPLIES_CHANNEL = "phonograph_replies"


@dataclass(frozen=True)
class PendingCommand:
    id: int
    origin_node: str
    kind: str
    body: dict[str, Any]
    created_at: datetime


class CommandRepo:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def send(self, target: str, origin: str, kind: str, body: dict[str, Any], now: datetime) -> int:
        """Queue a command for ``target``; PostgreSQL wakes it when this transaction commits."""
        row = CommandRow(target_node=target, origin_node=origin, kind=kind, body=body, created_at=now)
        self._session.add(row)
        await self._session.flush()
        await self._notify(COMMANDS_CHANNEL, f"{target}\n{row.id}")
        return row.id

    async def claim(self, target: str, now: datetime, limit: int) -> list[PendingCommand]:
        """The oldest unclaimed commands for ``target``, claimed; another transaction claiming at
        the same time skips them (``FOR UPDATE SKIP LOCKED`` on PostgreSQL)."""
        stmt = (
            select(CommandRow)
            .where(CommandRow.target_node == target, CommandRow.claimed_at.is_(None))
            .order_by(CommandRow.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        rows = list((await self._session.scalars(stmt)).all())
        for row in rows:
            row.claimed_at = now
        await self._session.flush()
        return [
            PendingCommand(row.id, row.origin_node, row.kind, dict(row.body), row.created_at) for row in rows
        ]

    async def answer(self, command: PendingCommand, reply: dict[str, Any], now: datetime) -> None:
        stmt = update(CommandRow).where(CommandRow.id == command.id).values(reply=reply, done_at=now)
        await self._session.execute(stmt)
        await self._notify(REPLIES_CHANNEL, f"{command.origin_node}\n{command.id}")

    async def reply(self, command_id: int) -> dict[str, Any] | None:
        row = await self._session.get(CommandRow, command_id)
        return None if row is None or row.reply is None else dict(row.reply)

    async def cancel(self, command_id: int, now: datetime) -> bool:
        """Withdraw a command its target has not claimed (the sender stopped waiting)."""
        stmt = (
            update(CommandRow)
            .where(CommandRow.id == command_id, CommandRow.claimed_at.is_(None))
            .values(claimed_at=now, done_at=now, reply={"canceled": True})
        )
        result = await self._session.execute(stmt)
        return bool(getattr(result, "rowcount", 0))

    async def delete_done(self, before: datetime) -> None:
        """Forget commands answered before ``before``."""
        await self._session.execute(delete(CommandRow).where(CommandRow.done_at < before))

    async def _notify(self, channel: str, payload: str) -> None:
        if self._session.get_bind().dialect.name == "postgresql":
            # Delivered when the transaction commits (postgresql.org/docs/current/sql-notify.html).
            await self._session.execute(
                text("SELECT pg_notify(:channel, :payload)"), {"channel": channel, "payload": payload}
            )
