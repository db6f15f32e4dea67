"""Console sessions ended by logging out before they expired (store/models/console_logout.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from phonograph.store.models import ConsoleLogoutRow


class ConsoleLogoutRepo:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, session_digest: str, expires_at: datetime, now: datetime) -> None:
        """Refuse this session from now on; forget the ones that have expired anyway."""
        await self._session.execute(delete(ConsoleLogoutRow).where(ConsoleLogoutRow.expires_at <= now))
        if await self._session.get(ConsoleLogoutRow, session_digest) is None:
            self._session.add(ConsoleLogoutRow(session_digest=session_digest, expires_at=expires_at))

    async def logged_out(self, session_digest: str) -> bool:
        found = await self._session.scalar(
            select(ConsoleLogoutRow.session_digest).where(ConsoleLogoutRow.session_digest == session_digest)
        )
        return found is not None
