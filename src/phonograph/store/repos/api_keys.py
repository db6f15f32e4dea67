"""API keys (``SK…``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from phonograph.store.models import ApiKeyRow
from phonograph.store.paging import Page, PageSpec, fetch_page
from phonograph.store.records import ApiKey, from_row


def _record(row: ApiKeyRow) -> ApiKey:
    return from_row(ApiKey, row)


class ApiKeyRepo:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def create(
        self, *, sid: str, account_sid: str, friendly_name: str, secret_sha256: str, now: datetime
    ) -> ApiKey:
        row = ApiKeyRow(
            sid=sid,
            account_sid=account_sid,
            friendly_name=friendly_name,
            secret_sha256=secret_sha256,
            date_created=now,
            date_updated=now,
        )
        self._session.add(row)
        await self._session.flush()
        return _record(row)

    async def get(self, sid: str) -> ApiKey | None:
        row = await self._session.get(ApiKeyRow, sid)
        return None if row is None else _record(row)

    async def get_for_account(self, account_sid: str, sid: str) -> ApiKey | None:
        key = await self.get(sid)
        return key if key is not None and key.account_sid == account_sid else None

    async def list_page(self, account_sid: str, spec: PageSpec) -> Page[ApiKey]:
        stmt = select(ApiKeyRow).where(ApiKeyRow.account_sid == account_sid)
        return await fetch_page(self._session, stmt, ApiKeyRow.date_created, ApiKeyRow.sid, spec, _record)

    async def rename(self, sid: str, friendly_name: str, now: datetime) -> ApiKey:
        row = await self._session.get(ApiKeyRow, sid)
        assert row is not None, "callers fetch the key first"
        row.friendly_name = friendly_name
        row.date_updated = now
        await self._session.flush()
        return _record(row)

    async def delete(self, sid: str) -> None:
        await self._session.execute(delete(ApiKeyRow).where(ApiKeyRow.sid == sid))
