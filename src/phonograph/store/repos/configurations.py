"""v2 configurations, the per-type default pointer, and the account default configurations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from phonograph.core import Conflict, PreconditionFailed
from phonograph.store.db import flush_unique
from phonograph.store.models import (
    AccountDefaultConfigurationRow,
    ConfigurationDefaultRow,
    ConfigurationRow,
)
from phonograph.store.records import AccountDefaultConfiguration, Configuration, from_row


def _record(row: ConfigurationRow) -> Configuration:
    return from_row(Configuration, row)


def _default_record(row: AccountDefaultConfigurationRow) -> AccountDefaultConfiguration:
    return from_row(AccountDefaultConfiguration, row)


class ConfigurationRepo:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _flush_unique(self, row: ConfigurationRow) -> None:
        # The message is made before flushing: after a failed flush the row cannot be read.
        taken = Conflict(
            f"unique_name {row.unique_name!r} is already used by another {row.type} configuration"
        )
        await flush_unique(self._session, taken)

    async def create(
        self,
        *,
        id: str,
        account_sid: str,
        type: str,
        unique_name: str | None,
        description: str | None,
        body: dict[str, Any],
        now: datetime,
    ) -> Configuration:
        row = ConfigurationRow(
            id=id,
            account_sid=account_sid,
            type=type,
            unique_name=unique_name,
            description=description,
            body=body,
            date_created=now,
            date_updated=now,
        )
        self._session.add(row)
        await self._flush_unique(row)
        return _record(row)

    async def find(self, account_sid: str, type: str, id_or_unique_name: str) -> Configuration | None:
        stmt = select(ConfigurationRow).where(
            ConfigurationRow.account_sid == account_sid,
            ConfigurationRow.type == type,
            or_(ConfigurationRow.id == id_or_unique_name, ConfigurationRow.unique_name == id_or_unique_name),
        )
        row = (await self._session.scalars(stmt)).first()
        return None if row is None else _record(row)

    async def list_of_type(self, account_sid: str, type: str) -> list[Configuration]:
        stmt = select(ConfigurationRow).where(
            ConfigurationRow.account_sid == account_sid, ConfigurationRow.type == type
        )
        return [_record(row) for row in (await self._session.scalars(stmt)).all()]

    async def replace(
        self,
        id: str,
        *,
        unique_name: str | None,
        description: str | None,
        body: dict[str, Any],
        now: datetime,
    ) -> Configuration:
        """Replace the body; ``unique_name``/``description`` change only when given (not None)."""
        row = await self._session.get(ConfigurationRow, id, with_for_update=True)
        assert row is not None, "callers find the configuration first"
        if unique_name is not None:
            row.unique_name = unique_name
        if description is not None:
            row.description = description
        row.body = body
        row.date_updated = now
        await self._flush_unique(row)
        return _record(row)

    async def delete(self, id: str) -> None:
        await self._session.execute(
            delete(ConfigurationDefaultRow).where(ConfigurationDefaultRow.configuration_id == id)
        )
        await self._session.execute(delete(ConfigurationRow).where(ConfigurationRow.id == id))

    async def set_default(self, account_sid: str, type: str, configuration_id: str) -> None:
        row = await self._session.get(ConfigurationDefaultRow, (account_sid, type))
        if row is None:
            self._session.add(
                ConfigurationDefaultRow(account_sid=account_sid, type=type, configuration_id=configuration_id)
            )
        else:
            row.configuration_id = configuration_id
        await self._session.flush()

    async def get_default(self, account_sid: str, type: str) -> Configuration | None:
        stmt = (
            select(ConfigurationRow)
            .join(ConfigurationDefaultRow, ConfigurationDefaultRow.configuration_id == ConfigurationRow.id)
            .where(ConfigurationDefaultRow.account_sid == account_sid, ConfigurationDefaultRow.type == type)
        )
        row = (await self._session.scalars(stmt)).first()
        return None if row is None else _record(row)


class AccountDefaultRepo:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, account_sid: str, type: str) -> AccountDefaultConfiguration | None:
        row = await self._session.get(AccountDefaultConfigurationRow, (account_sid, type))
        return None if row is None else _default_record(row)

    async def create(
        self, *, account_sid: str, type: str, description: str | None, body: dict[str, Any], now: datetime
    ) -> AccountDefaultConfiguration:
        row = AccountDefaultConfigurationRow(
            account_sid=account_sid,
            type=type,
            description=description,
            body=body,
            version=1,
            date_created=now,
            date_updated=now,
        )
        self._session.add(row)
        await flush_unique(
            self._session,
            Conflict(f"the account already has a default {type} configuration; update it with PUT"),
        )
        return _default_record(row)

    async def replace(
        self,
        account_sid: str,
        type: str,
        *,
        description: str | None,
        body: dict[str, Any],
        if_versions: frozenset[int] | None,
        now: datetime,
    ) -> AccountDefaultConfiguration:
        row = await self._session.get(
            AccountDefaultConfigurationRow, (account_sid, type), with_for_update=True
        )
        assert row is not None, "callers fetch the default first"
        if if_versions is not None and row.version not in if_versions:
            raise PreconditionFailed("If-Match does not match the current ETag; fetch it again")
        if description is not None:
            row.description = description
        row.body = body
        row.version += 1
        row.date_updated = now
        await self._session.flush()
        return _default_record(row)

    async def delete(self, account_sid: str, type: str) -> None:
        await self._session.execute(
            delete(AccountDefaultConfigurationRow).where(
                AccountDefaultConfigurationRow.account_sid == account_sid,
                AccountDefaultConfigurationRow.type == type,
            )
        )
