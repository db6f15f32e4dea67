"""BYOC trunking (https://www.twilio.com/docs/voice/bring-your-own-carrier-byoc/api): trunks
(``BY…``), connection policies (``NY…``) and their targets (``NE…``), IP records (``IL…``) and
their mappings to SIP Domains (``IB…``). All five are an account's rows made, read, changed and
deleted the same way, so one repository serves them, told which kind by a ``ByocKind``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from phonograph.store.models import (
    ByocTrunkRow,
    ConnectionPolicyRow,
    ConnectionPolicyTargetRow,
    IpRecordRow,
    SipDomainRow,
    SourceIpMappingRow,
)
from phonograph.store.paging import Page, PageSpec, fetch_page
from phonograph.store.records import from_row

ByocRow = ByocTrunkRow | ConnectionPolicyRow | ConnectionPolicyTargetRow | IpRecordRow | SourceIpMappingRow
R = TypeVar("R")


@dataclass(frozen=True)
class ByocTrunk:
    sid: str
    account_sid: str
    friendly_name: str | None
    voice_url: str | None
    voice_method: str
    voice_fallback_url: str | None
    voice_fallback_method: str
    status_callback_url: str | None
    status_callback_method: str
    cnam_lookup_enabled: bool
    connection_policy_sid: str | None
    from_domain_sid: str | None
    date_created: datetime
    date_updated: datetime


@dataclass(frozen=True)
class ConnectionPolicy:
    sid: str
    account_sid: str
    friendly_name: str | None
    date_created: datetime
    date_updated: datetime


@dataclass(frozen=True)
class ConnectionPolicyTarget:
    sid: str
    account_sid: str
    connection_policy_sid: str
    friendly_name: str | None
    target: str
    priority: int
    weight: int
    enabled: bool
    date_created: datetime
    date_updated: datetime


@dataclass(frozen=True)
class IpRecord:
    sid: str
    account_sid: str
    friendly_name: str | None
    ip_address: str
    cidr_prefix_length: int
    date_created: datetime
    date_updated: datetime


@dataclass(frozen=True)
class SourceIpMapping:
    sid: str
    account_sid: str
    ip_record_sid: str
    sip_domain_sid: str
    date_created: datetime
    date_updated: datetime


@dataclass(frozen=True)
class ByocKind(Generic[R]):
    row: type[ByocRow]
    record: type[R]


BYOC_TRUNKS = ByocKind(ByocTrunkRow, ByocTrunk)
CONNECTION_POLICIES = ByocKind(ConnectionPolicyRow, ConnectionPolicy)
CONNECTION_POLICY_TARGETS = ByocKind(ConnectionPolicyTargetRow, ConnectionPolicyTarget)
IP_RECORDS = ByocKind(IpRecordRow, IpRecord)
SOURCE_IP_MAPPINGS = ByocKind(SourceIpMappingRow, SourceIpMapping)


class ByocRepo(Generic[R]):
    def __init__(self, session: AsyncSession, kind: ByocKind[R]) -> None:
        self._session = session
        self._kind = kind

    async def create(self, *, sid: str, account_sid: str, now: datetime, **values: Any) -> R:
        row = self._kind.row(sid=sid, account_sid=account_sid, date_created=now, date_updated=now, **values)
        self._session.add(row)
        await self._session.flush()
        return from_row(self._kind.record, row)

    async def get_for_account(self, account_sid: str, sid: str) -> R | None:
        row: ByocRow | None = await self._session.get(self._kind.row, sid)
        return None if row is None or row.account_sid != account_sid else from_row(self._kind.record, row)

    async def list_page(self, account_sid: str, spec: PageSpec, **equal: str) -> Page[R]:
        """A page of the account's rows; ``equal`` narrows them (a policy's targets)."""
        row = self._kind.row
        stmt = select(row).where(row.account_sid == account_sid)
        for column, value in equal.items():
            stmt = stmt.where(getattr(row, column) == value)
        return await fetch_page(
            self._session,
            stmt,
            row.date_created,
            row.sid,
            spec,
            lambda found: from_row(self._kind.record, found),
        )

    async def where(self, column: str, values: list[str]) -> list[R]:
        """Every row whose ``column`` is one of ``values``, oldest first (a policy's targets, a
        domain's source IP mappings)."""
        row = self._kind.row
        stmt = select(row).where(getattr(row, column).in_(values)).order_by(row.date_created, row.sid)
        return [from_row(self._kind.record, found) for found in (await self._session.scalars(stmt)).all()]

    async def update(self, sid: str, now: datetime, **values: Any) -> R:
        row: ByocRow | None = await self._session.get(self._kind.row, sid, with_for_update=True)
        assert row is not None, "callers fetch the row first"
        for name, value in values.items():
            setattr(row, name, value)
        row.date_updated = now
        await self._session.flush()
        return from_row(self._kind.record, row)

    async def delete(self, sid: str) -> None:
        """The row and what would point at nothing without it: a policy's targets, an IP record's
        mappings; trunks naming a deleted policy, and domains naming a deleted trunk, keep
        working without it."""
        kind = self._kind.row
        if kind is ConnectionPolicyRow:
            await self._session.execute(
                delete(ConnectionPolicyTargetRow).where(
                    ConnectionPolicyTargetRow.connection_policy_sid == sid
                )
            )
            await self._session.execute(
                update(ByocTrunkRow)
                .where(ByocTrunkRow.connection_policy_sid == sid)
                .values(connection_policy_sid=None)
            )
        elif kind is IpRecordRow:
            await self._session.execute(
                delete(SourceIpMappingRow).where(SourceIpMappingRow.ip_record_sid == sid)
            )
        elif kind is ByocTrunkRow:
            await self._session.execute(
                update(SipDomainRow).where(SipDomainRow.byoc_trunk_sid == sid).values(byoc_trunk_sid=None)
            )
        await self._session.execute(delete(kind).where(kind.sid == sid))


async def mapped_ip_records(session: AsyncSession, domain_sid: str) -> list[IpRecord]:
    """The IP records mapped to a SIP Domain (its SourceIpMappings): they let a carrier's addresses
    in as a mapped IP access control list would
    (https://www.twilio.com/docs/voice/bring-your-own-carrier-byoc/api/sourceipmapping-resource)."""
    mappings = await ByocRepo(session, SOURCE_IP_MAPPINGS).where("sip_domain_sid", [domain_sid])
    if not mappings:
        return []
    return await ByocRepo(session, IP_RECORDS).where("sid", [mapping.ip_record_sid for mapping in mappings])
