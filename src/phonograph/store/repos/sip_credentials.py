"""SIP credential lists (``CL…``) and their credentials (``CR…``): usernames with the digest hashes
of their passwords in phonograph's realm, never the passwords
(https://www.twilio.com/docs/voice/sip/api/sip-credential-resource: Twilio keeps only the hash)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from phonograph.core import InvalidParameter
from phonograph.store.db import flush_unique
from phonograph.store.models import SipCredentialListRow, SipCredentialRow
from phonograph.store.paging import Page, PageSpec, fetch_page
from phonograph.store.records import from_row

CREDENTIAL_LIST_INVALID = 21240
"""Twilio's "Credential List Validation Error" (https://www.twilio.com/docs/errors/21240): a
FriendlyName taken, a Username or Password that does not meet the rules."""


def credential_list_invalid(message: str) -> InvalidParameter:
    return InvalidParameter(message, code=CREDENTIAL_LIST_INVALID)


@dataclass(frozen=True)
class SipCredentialList:
    sid: str
    account_sid: str
    friendly_name: str
    date_created: datetime
    date_updated: datetime


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


class SipCredentialListRepo:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def create(
        self, *, sid: str, account_sid: str, friendly_name: str, now: datetime
    ) -> SipCredentialList:
        await self._check_name_free(account_sid, friendly_name)
        row = SipCredentialListRow(
            sid=sid, account_sid=account_sid, friendly_name=friendly_name, date_created=now, date_updated=now
        )
        self._session.add(row)
        await self._session.flush()
        return from_row(SipCredentialList, row)

    async def get_for_account(self, account_sid: str, sid: str) -> SipCredentialList | None:
        row = await self._session.get(SipCredentialListRow, sid)
        return None if row is None or row.account_sid != account_sid else from_row(SipCredentialList, row)

    async def list_page(self, account_sid: str, spec: PageSpec) -> Page[SipCredentialList]:
        stmt = select(SipCredentialListRow).where(SipCredentialListRow.account_sid == account_sid)
        return await fetch_page(
            self._session,
            stmt,
            SipCredentialListRow.date_created,
            SipCredentialListRow.sid,
            spec,
            lambda row: from_row(SipCredentialList, row),
        )

    async def rename(self, sid: str, friendly_name: str, now: datetime) -> SipCredentialList:
        row = await self._session.get(SipCredentialListRow, sid, with_for_update=True)
        assert row is not None, "callers fetch the list first"
        if friendly_name != row.friendly_name:
            await self._check_name_free(row.account_sid, friendly_name)
        row.friendly_name, row.date_updated = friendly_name, now
        await self._session.flush()
        return from_row(SipCredentialList, row)

    async def delete(self, sid: str) -> None:
        """The list and every credential in it."""
        await self._session.execute(
            delete(SipCredentialRow).where(SipCredentialRow.credential_list_sid == sid)
        )
        await self._session.execute(delete(SipCredentialListRow).where(SipCredentialListRow.sid == sid))

    async def _check_name_free(self, account_sid: str, friendly_name: str) -> None:
        stmt = select(SipCredentialListRow.sid).where(
            SipCredentialListRow.account_sid == account_sid,
            SipCredentialListRow.friendly_name == friendly_name,
        )
        if (await self._session.scalars(stmt)).first() is not None:
            raise credential_list_invalid(f"A credential list named {friendly_name!r} exists already")


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
