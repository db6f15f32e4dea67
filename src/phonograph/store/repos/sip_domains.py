"""SIP Domains (``SD…``) and the lists mapped to them: which credential lists and IP access control
lists admit calls to a domain, and which credential lists admit registrations
(https://www.twilio.com/docs/voice/sip/api/sip-domain-resource)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import datetime
from enum import StrEnum

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from phonograph.core import Conflict
from phonograph.store.db import flush_unique
from phonograph.store.models import (
    ByocTrunkRow,
    SipDomainMappingRow,
    SipDomainRow,
    SipRegistrationRow,
    SourceIpMappingRow,
)
from phonograph.store.paging import Page, PageSpec, fetch_page
from phonograph.store.records import from_row


class MappingPurpose(StrEnum):
    """What a list mapped to a domain admits (``/Auth/Calls/…``, ``/Auth/Registrations/…``)."""

    CALLS = "calls"
    REGISTRATIONS = "registrations"


@dataclass(frozen=True)
class DomainSettings:
    """What a caller sets on a domain; ``None`` URLs are unset."""

    friendly_name: str | None
    voice_url: str | None
    voice_method: str
    voice_fallback_url: str | None
    voice_fallback_method: str
    voice_status_callback_url: str | None
    voice_status_callback_method: str
    sip_registration: bool
    secure: bool
    byoc_trunk_sid: str | None


@dataclass(frozen=True)
class SipDomain:
    sid: str
    account_sid: str
    domain_name: str
    friendly_name: str | None
    voice_url: str | None
    voice_method: str
    voice_fallback_url: str | None
    voice_fallback_method: str
    voice_status_callback_url: str | None
    voice_status_callback_method: str
    sip_registration: bool
    secure: bool
    byoc_trunk_sid: str | None
    date_created: datetime
    date_updated: datetime

    @property
    def settings(self) -> DomainSettings:
        return DomainSettings(**{field.name: getattr(self, field.name) for field in fields(DomainSettings)})


@dataclass(frozen=True)
class SipDomainMapping:
    domain_sid: str
    purpose: str
    list_sid: str
    date_created: datetime
    date_updated: datetime


def domain_taken(domain_name: str) -> Conflict:
    return Conflict(f"DomainName {domain_name} is taken: domain names are unique on the server")


class SipDomainRepo:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def create(
        self, *, sid: str, account_sid: str, domain_name: str, settings: DomainSettings, now: datetime
    ) -> SipDomain:
        if await self.get_by_name(domain_name) is not None:
            raise domain_taken(domain_name)
        row = SipDomainRow(
            sid=sid,
            account_sid=account_sid,
            domain_name=domain_name,
            **asdict(settings),
            date_created=now,
            date_updated=now,
        )
        self._session.add(row)
        await flush_unique(self._session, domain_taken(domain_name))
        return from_row(SipDomain, row)

    async def get_for_account(self, account_sid: str, sid: str) -> SipDomain | None:
        row = await self._session.get(SipDomainRow, sid)
        return None if row is None or row.account_sid != account_sid else from_row(SipDomain, row)

    async def get_by_name(self, domain_name: str) -> SipDomain | None:
        """The domain a Request-URI's host names, whichever account owns it."""
        stmt = select(SipDomainRow).where(SipDomainRow.domain_name == domain_name)
        row = (await self._session.scalars(stmt)).one_or_none()
        return None if row is None else from_row(SipDomain, row)

    async def list_page(self, account_sid: str, spec: PageSpec) -> Page[SipDomain]:
        stmt = select(SipDomainRow).where(SipDomainRow.account_sid == account_sid)
        return await fetch_page(
            self._session,
            stmt,
            SipDomainRow.date_created,
            SipDomainRow.sid,
            spec,
            lambda row: from_row(SipDomain, row),
        )

    async def update(
        self, sid: str, *, domain_name: str, settings: DomainSettings, now: datetime
    ) -> SipDomain:
        row = await self._session.get(SipDomainRow, sid, with_for_update=True)
        assert row is not None, "callers fetch the domain first"
        if domain_name != row.domain_name and await self.get_by_name(domain_name) is not None:
            raise domain_taken(domain_name)
        row.domain_name = domain_name
        for name, value in asdict(settings).items():
            setattr(row, name, value)
        row.date_updated = now
        await flush_unique(self._session, domain_taken(domain_name))
        return from_row(SipDomain, row)

    async def delete(self, sid: str) -> None:
        """The domain, its mappings, source IP mappings and registrations (the lists stay); a
        trunk whose From domain it was keeps working without it."""
        await self._session.execute(
            delete(SourceIpMappingRow).where(SourceIpMappingRow.sip_domain_sid == sid)
        )
        await self._session.execute(
            update(ByocTrunkRow).where(ByocTrunkRow.from_domain_sid == sid).values(from_domain_sid=None)
        )
        await self._session.execute(delete(SipRegistrationRow).where(SipRegistrationRow.domain_sid == sid))
        await self._session.execute(delete(SipDomainMappingRow).where(SipDomainMappingRow.domain_sid == sid))
        await self._session.execute(delete(SipDomainRow).where(SipDomainRow.sid == sid))


class SipDomainMappingRepo:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self, domain_sid: str, purpose: MappingPurpose, list_sid: str, now: datetime
    ) -> SipDomainMapping:
        taken = Conflict(f"{list_sid} is mapped to this domain already")
        if await self.get(domain_sid, purpose, list_sid) is not None:
            raise taken
        row = SipDomainMappingRow(
            domain_sid=domain_sid,
            purpose=purpose.value,
            list_sid=list_sid,
            date_created=now,
            date_updated=now,
        )
        self._session.add(row)
        await flush_unique(self._session, taken)
        return from_row(SipDomainMapping, row)

    async def get(self, domain_sid: str, purpose: MappingPurpose, list_sid: str) -> SipDomainMapping | None:
        stmt = select(SipDomainMappingRow).where(
            SipDomainMappingRow.domain_sid == domain_sid,
            SipDomainMappingRow.purpose == purpose.value,
            SipDomainMappingRow.list_sid == list_sid,
        )
        row = (await self._session.scalars(stmt)).one_or_none()
        return None if row is None else from_row(SipDomainMapping, row)

    async def list_page(
        self, domain_sid: str, purpose: MappingPurpose, sid_prefix: str, spec: PageSpec
    ) -> Page[SipDomainMapping]:
        """The domain's mappings of one kind of list (its SIDs start with ``sid_prefix``)."""
        stmt = select(SipDomainMappingRow).where(
            SipDomainMappingRow.domain_sid == domain_sid,
            SipDomainMappingRow.purpose == purpose.value,
            SipDomainMappingRow.list_sid.startswith(sid_prefix),
        )
        return await fetch_page(
            self._session,
            stmt,
            SipDomainMappingRow.date_created,
            SipDomainMappingRow.list_sid,
            spec,
            lambda row: from_row(SipDomainMapping, row),
        )

    async def mapped_lists(self, domain_sid: str, purpose: MappingPurpose) -> list[str]:
        """The SIDs of every list mapped to the domain for ``purpose``."""
        return (await self.mapped_lists_of([domain_sid], purpose)).get(domain_sid, [])

    async def mapped_lists_of(self, domain_sids: list[str], purpose: MappingPurpose) -> dict[str, list[str]]:
        """``mapped_lists`` of several domains in one query (a page of domains)."""
        stmt = (
            select(SipDomainMappingRow.domain_sid, SipDomainMappingRow.list_sid)
            .where(
                SipDomainMappingRow.domain_sid.in_(domain_sids), SipDomainMappingRow.purpose == purpose.value
            )
            .order_by(SipDomainMappingRow.id)
        )
        mapped: dict[str, list[str]] = {}
        for domain_sid, list_sid in (await self._session.execute(stmt)).all():
            mapped.setdefault(domain_sid, []).append(list_sid)
        return mapped

    async def remove(self, domain_sid: str, purpose: MappingPurpose, list_sid: str) -> None:
        await self._session.execute(
            delete(SipDomainMappingRow).where(
                SipDomainMappingRow.domain_sid == domain_sid,
                SipDomainMappingRow.purpose == purpose.value,
                SipDomainMappingRow.list_sid == list_sid,
            )
        )


@dataclass(frozen=True)
class SipRegistration:
    domain_sid: str
    username: str
    contact: str
    source: str
    call_id: str
    cseq: int
    expires_at: datetime
    date_created: datetime
    date_updated: datetime


class SipRegistrationRepo:
    """The contacts users registered on domains (RFC 3261 §10.3); expired ones are not returned,
    and are deleted whenever their user registers again."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def active(self, domain_sid: str, username: str, now: datetime) -> list[SipRegistration]:
        stmt = (
            select(SipRegistrationRow)
            .where(
                SipRegistrationRow.domain_sid == domain_sid,
                SipRegistrationRow.username == username,
                SipRegistrationRow.expires_at > now,
            )
            .order_by(SipRegistrationRow.id)
        )
        return [from_row(SipRegistration, row) for row in (await self._session.scalars(stmt)).all()]

    async def forget_expired(self, domain_sid: str, username: str, now: datetime) -> None:
        await self._session.execute(
            delete(SipRegistrationRow).where(
                SipRegistrationRow.domain_sid == domain_sid,
                SipRegistrationRow.username == username,
                SipRegistrationRow.expires_at <= now,
            )
        )

    async def bind(
        self,
        domain_sid: str,
        username: str,
        contact: str,
        *,
        source: str,
        call_id: str,
        cseq: int,
        expires_at: datetime,
        now: datetime,
    ) -> bool:
        """Register ``contact`` until ``expires_at``; False when a later request of the same Call-ID
        has updated it already (RFC 3261 §10.3 step 7: out of order, ignored)."""
        row = await self._binding(domain_sid, username, contact)
        if row is not None and row.call_id == call_id and cseq <= row.cseq:
            return False
        if row is None:
            self._session.add(
                SipRegistrationRow(
                    domain_sid=domain_sid,
                    username=username,
                    contact=contact,
                    source=source,
                    call_id=call_id,
                    cseq=cseq,
                    expires_at=expires_at,
                    date_created=now,
                    date_updated=now,
                )
            )
        else:
            row.source, row.call_id, row.cseq, row.expires_at, row.date_updated = (
                source,
                call_id,
                cseq,
                expires_at,
                now,
            )
        await self._session.flush()
        return True

    async def unbind(self, domain_sid: str, username: str, contact: str | None = None) -> None:
        """Forget ``contact``, or every contact of the user (``Contact: *``)."""
        stmt = delete(SipRegistrationRow).where(
            SipRegistrationRow.domain_sid == domain_sid, SipRegistrationRow.username == username
        )
        if contact is not None:
            stmt = stmt.where(SipRegistrationRow.contact == contact)
        await self._session.execute(stmt)

    async def _binding(self, domain_sid: str, username: str, contact: str) -> SipRegistrationRow | None:
        stmt = select(SipRegistrationRow).where(
            SipRegistrationRow.domain_sid == domain_sid,
            SipRegistrationRow.username == username,
            SipRegistrationRow.contact == contact,
        )
        return (await self._session.scalars(stmt)).one_or_none()
