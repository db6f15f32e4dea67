"""The lists SIP Domains authenticate against: credential lists (``CL…``) of credentials (``CR…``,
usernames with the digest hashes of their passwords in phonograph's realm, never the passwords:
https://www.twilio.com/docs/voice/sip/api/sip-credential-resource says Twilio keeps only the hash),
and IP access control lists (``AL…``) of addresses and CIDR blocks (``IP…``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from phonograph.core import InvalidParameter, PhonographError
from phonograph.store.db import flush_unique
from phonograph.store.models import (
    SipCredentialListRow,
    SipCredentialRow,
    SipDomainMappingRow,
    SipIpAccessControlListRow,
    SipIpAddressRow,
)
from phonograph.store.paging import Page, PageSpec, fetch_page
from phonograph.store.records import from_row

CREDENTIAL_LIST_INVALID = 21240
"""Twilio's "Credential List Validation Error" (https://www.twilio.com/docs/errors/21240): a
FriendlyName taken, a Username or Password that does not meet the rules."""


def credential_list_invalid(message: str) -> InvalidParameter:
    return InvalidParameter(message, code=CREDENTIAL_LIST_INVALID)


@dataclass(frozen=True)
class SipList:
    """A credential list or an IP access control list."""

    sid: str
    account_sid: str
    friendly_name: str
    date_created: datetime
    date_updated: datetime


ListRow = SipCredentialListRow | SipIpAccessControlListRow
EntryRow = SipCredentialRow | SipIpAddressRow


@dataclass(frozen=True)
class SipListKind:
    """One kind of list: its table, its entries' table and the column naming their list, and what a
    name already taken in the account raises (None: names need not be unique)."""

    row: type[ListRow]
    entry: type[EntryRow]
    entry_list_column: str
    name_taken: Callable[[str], PhonographError] | None


CREDENTIAL_LISTS = SipListKind(
    SipCredentialListRow,
    SipCredentialRow,
    "credential_list_sid",
    lambda name: credential_list_invalid(f"A credential list named {name!r} exists already"),
)
IP_ACCESS_CONTROL_LISTS = SipListKind(
    SipIpAccessControlListRow, SipIpAddressRow, "ip_access_control_list_sid", None
)


@dataclass(frozen=True)
class DigestHashes:
    """A password as phonograph keeps it: its ``ha1`` for each digest algorithm (core/sip_terms.py)."""

    ha1_md5: str
    ha1_sha256: str


@dataclass(frozen=True)
class SipCredential:
    sid: str
    account_sid: str
    credential_list_sid: str
    username: str
    ha1_md5: str
    ha1_sha256: str
    date_created: datetime
    date_updated: datetime


class SipListRepo:
    def __init__(self, session: AsyncSession, kind: SipListKind) -> None:
        self._session = session
        self._kind = kind

    async def create(self, *, sid: str, account_sid: str, friendly_name: str, now: datetime) -> SipList:
        await self._check_name_free(account_sid, friendly_name)
        row = self._kind.row(
            sid=sid, account_sid=account_sid, friendly_name=friendly_name, date_created=now, date_updated=now
        )
        self._session.add(row)
        await self._session.flush()
        return from_row(SipList, row)

    async def get_for_account(self, account_sid: str, sid: str) -> SipList | None:
        row = await self._row(sid)
        return None if row is None or row.account_sid != account_sid else from_row(SipList, row)

    async def named(self, account_sid: str, sids: list[str]) -> dict[str, SipList]:
        """The account's lists among ``sids``, by SID, in one query (the lists a page of mappings
        names)."""
        table = self._kind.row
        stmt = select(table).where(table.account_sid == account_sid, table.sid.in_(sids))
        # As in ``_row``: a union of tables is typed as their base; each row is of this kind's table.
        rows = cast(list[ListRow], list((await self._session.scalars(stmt)).all()))
        return {row.sid: from_row(SipList, row) for row in rows}

    async def list_page(self, account_sid: str, spec: PageSpec) -> Page[SipList]:
        table = self._kind.row
        stmt = select(table).where(table.account_sid == account_sid)
        return await fetch_page(
            self._session, stmt, table.date_created, table.sid, spec, lambda row: from_row(SipList, row)
        )

    async def rename(self, sid: str, friendly_name: str, now: datetime) -> SipList:
        row = await self._row(sid, for_update=True)
        assert row is not None, "callers fetch the list first"
        if friendly_name != row.friendly_name:
            await self._check_name_free(row.account_sid, friendly_name)
        row.friendly_name, row.date_updated = friendly_name, now
        await self._session.flush()
        return from_row(SipList, row)

    async def delete(self, sid: str) -> None:
        """The list, every entry in it, and its mappings to domains."""
        entry = self._kind.entry
        await self._session.execute(delete(entry).where(getattr(entry, self._kind.entry_list_column) == sid))
        await self._session.execute(delete(SipDomainMappingRow).where(SipDomainMappingRow.list_sid == sid))
        await self._session.execute(delete(self._kind.row).where(self._kind.row.sid == sid))

    async def _row(self, sid: str, *, for_update: bool = False) -> ListRow | None:
        # ``session.get`` types a union of tables as their base; the row is of this kind's table.
        return cast(ListRow | None, await self._session.get(self._kind.row, sid, with_for_update=for_update))

    async def _check_name_free(self, account_sid: str, friendly_name: str) -> None:
        if self._kind.name_taken is None:
            return
        table = self._kind.row
        stmt = select(table.sid).where(table.account_sid == account_sid, table.friendly_name == friendly_name)
        if (await self._session.scalars(stmt)).first() is not None:
            raise self._kind.name_taken(friendly_name)


class SipCredentialRepo:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def create(
        self,
        *,
        sid: str,
        account_sid: str,
        credential_list_sid: str,
        username: str,
        hashes: DigestHashes,
        now: datetime,
    ) -> SipCredential:
        taken = credential_list_invalid(f"Username {username!r} is in this credential list already")
        stmt = select(SipCredentialRow.sid).where(
            SipCredentialRow.credential_list_sid == credential_list_sid, SipCredentialRow.username == username
        )
        if (await self._session.scalars(stmt)).first() is not None:
            raise taken
        row = SipCredentialRow(
            sid=sid,
            account_sid=account_sid,
            credential_list_sid=credential_list_sid,
            username=username,
            ha1_md5=hashes.ha1_md5,
            ha1_sha256=hashes.ha1_sha256,
            date_created=now,
            date_updated=now,
        )
        self._session.add(row)
        await flush_unique(self._session, taken)
        return from_row(SipCredential, row)

    async def find(self, credential_list_sids: list[str], username: str) -> SipCredential | None:
        """The credential named ``username`` in the first of the lists that has one."""
        stmt = (
            select(SipCredentialRow)
            .where(
                SipCredentialRow.credential_list_sid.in_(credential_list_sids),
                SipCredentialRow.username == username,
            )
            .order_by(SipCredentialRow.date_created, SipCredentialRow.sid)
            .limit(1)
        )
        row = (await self._session.scalars(stmt)).first()
        return None if row is None else from_row(SipCredential, row)

    async def get_in_list(self, credential_list_sid: str, sid: str) -> SipCredential | None:
        row = await self._session.get(SipCredentialRow, sid)
        if row is None or row.credential_list_sid != credential_list_sid:
            return None
        return from_row(SipCredential, row)

    async def list_page(self, credential_list_sid: str, spec: PageSpec) -> Page[SipCredential]:
        stmt = select(SipCredentialRow).where(SipCredentialRow.credential_list_sid == credential_list_sid)
        return await fetch_page(
            self._session,
            stmt,
            SipCredentialRow.date_created,
            SipCredentialRow.sid,
            spec,
            lambda row: from_row(SipCredential, row),
        )

    async def set_hashes(self, sid: str, hashes: DigestHashes, now: datetime) -> SipCredential:
        row = await self._session.get(SipCredentialRow, sid, with_for_update=True)
        assert row is not None, "callers fetch the credential first"
        row.ha1_md5, row.ha1_sha256, row.date_updated = hashes.ha1_md5, hashes.ha1_sha256, now
        await self._session.flush()
        return from_row(SipCredential, row)

    async def delete(self, sid: str) -> None:
        await self._session.execute(delete(SipCredentialRow).where(SipCredentialRow.sid == sid))


@dataclass(frozen=True)
class SipIpAddress:
    sid: str
    account_sid: str
    ip_access_control_list_sid: str
    friendly_name: str
    ip_address: str
    cidr_prefix_length: int
    date_created: datetime
    date_updated: datetime


class SipIpAddressRepo:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def create(
        self,
        *,
        sid: str,
        account_sid: str,
        ip_access_control_list_sid: str,
        friendly_name: str,
        ip_address: str,
        cidr_prefix_length: int,
        now: datetime,
    ) -> SipIpAddress:
        row = SipIpAddressRow(
            sid=sid,
            account_sid=account_sid,
            ip_access_control_list_sid=ip_access_control_list_sid,
            friendly_name=friendly_name,
            ip_address=ip_address,
            cidr_prefix_length=cidr_prefix_length,
            date_created=now,
            date_updated=now,
        )
        self._session.add(row)
        await self._session.flush()
        return from_row(SipIpAddress, row)

    async def count_in_list(self, ip_access_control_list_sid: str) -> int:
        stmt = select(func.count()).where(
            SipIpAddressRow.ip_access_control_list_sid == ip_access_control_list_sid
        )
        return int((await self._session.scalars(stmt)).one())

    async def in_lists(self, ip_access_control_list_sids: list[str]) -> list[SipIpAddress]:
        """Every address of the lists (at most 100 each)."""
        stmt = select(SipIpAddressRow).where(
            SipIpAddressRow.ip_access_control_list_sid.in_(ip_access_control_list_sids)
        )
        return [from_row(SipIpAddress, row) for row in (await self._session.scalars(stmt)).all()]

    async def get_in_list(self, ip_access_control_list_sid: str, sid: str) -> SipIpAddress | None:
        row = await self._session.get(SipIpAddressRow, sid)
        if row is None or row.ip_access_control_list_sid != ip_access_control_list_sid:
            return None
        return from_row(SipIpAddress, row)

    async def list_page(self, ip_access_control_list_sid: str, spec: PageSpec) -> Page[SipIpAddress]:
        stmt = select(SipIpAddressRow).where(
            SipIpAddressRow.ip_access_control_list_sid == ip_access_control_list_sid
        )
        return await fetch_page(
            self._session,
            stmt,
            SipIpAddressRow.date_created,
            SipIpAddressRow.sid,
            spec,
            lambda row: from_row(SipIpAddress, row),
        )

    async def update(
        self, sid: str, *, friendly_name: str, ip_address: str, cidr_prefix_length: int, now: datetime
    ) -> SipIpAddress:
        row = await self._session.get(SipIpAddressRow, sid, with_for_update=True)
        assert row is not None, "callers fetch the address first"
        row.friendly_name, row.ip_address, row.cidr_prefix_length = (
            friendly_name,
            ip_address,
            cidr_prefix_length,
        )
        row.date_updated = now
        await self._session.flush()
        return from_row(SipIpAddress, row)

    async def delete(self, sid: str) -> None:
        await self._session.execute(delete(SipIpAddressRow).where(SipIpAddressRow.sid == sid))
