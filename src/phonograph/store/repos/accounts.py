"""Accounts, their status machine, and their media settings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from phonograph.core import Forbidden, InvalidParameter
from phonograph.store.models import AccountRow
from phonograph.store.paging import Page, PageSpec, fetch_page
from phonograph.store.records import Account, AccountStatus, from_row

# Closing is final (Twilio deletes a closed account's resources); suspension can be undone.
ACCOUNT_TRANSITIONS: dict[AccountStatus, frozenset[AccountStatus]] = {
    AccountStatus.ACTIVE: frozenset({AccountStatus.ACTIVE, AccountStatus.SUSPENDED, AccountStatus.CLOSED}),
    AccountStatus.SUSPENDED: frozenset({AccountStatus.ACTIVE, AccountStatus.SUSPENDED, AccountStatus.CLOSED}),
    AccountStatus.CLOSED: frozenset({AccountStatus.CLOSED}),
}


def _record(row: AccountRow) -> Account:
    return from_row(Account, row, status=AccountStatus(row.status))


class AccountRepo:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def create(
        self, *, sid: str, auth_token: str, friendly_name: str, owner_account_sid: str | None, now: datetime
    ) -> Account:
        row = AccountRow(
            sid=sid,
            owner_account_sid=owner_account_sid,
            friendly_name=friendly_name,
            auth_token=auth_token,
            status=AccountStatus.ACTIVE.value,
            type="Full",
            enforce_media_auth=True,
            hipaa=False,
            dual_channel_conference_recording=False,
            pci_mode=False,
            durable_callbacks=False,
            date_created=now,
            date_updated=now,
        )
        self._session.add(row)
        await self._session.flush()
        return _record(row)

    async def get(self, sid: str) -> Account | None:
        row = await self._session.get(AccountRow, sid)
        return None if row is None else _record(row)

    async def set_auth_token(self, sid: str, auth_token: str, now: datetime) -> None:
        row = await self._session.get(AccountRow, sid)
        if row is not None and row.auth_token != auth_token:
            row.auth_token = auth_token
            row.date_updated = now

    async def list_page(
        self,
        visible_to: str,
        *,
        friendly_name: str | None,
        status: AccountStatus | None,
        spec: PageSpec,
    ) -> Page[Account]:
        """The account ``visible_to`` and its subaccounts, with Twilio's list filters."""
        stmt = select(AccountRow).where(
            or_(AccountRow.sid == visible_to, AccountRow.owner_account_sid == visible_to)
        )
        if friendly_name is not None:
            stmt = stmt.where(AccountRow.friendly_name == friendly_name)
        if status is not None:
            stmt = stmt.where(AccountRow.status == status.value)
        return await fetch_page(self._session, stmt, AccountRow.date_created, AccountRow.sid, spec, _record)

    async def update(
        self, sid: str, *, friendly_name: str | None, status: AccountStatus | None, now: datetime
    ) -> Account:
        row = await self._session.get(AccountRow, sid, with_for_update=True)
        assert row is not None, "callers fetch the account first"
        if status is not None:
            current = AccountStatus(row.status)
            if status not in ACCOUNT_TRANSITIONS[current]:
                raise InvalidParameter(f"Status: a {current} account cannot become {status}")
            row.status = status.value
        if friendly_name is not None:
            row.friendly_name = friendly_name
        row.date_updated = now
        await self._session.flush()
        return _record(row)

    async def change_media_settings(
        self,
        sid: str,
        now: datetime,
        *,
        enforce_media_auth: bool | None = None,
        hipaa: bool | None = None,
        dual_channel_conference_recording: bool | None = None,
        pci_mode: bool | None = None,
        durable_callbacks: bool | None = None,
        by_owner: bool = True,
    ) -> Account:
        """Change the media settings given (``None`` keeps one as it is).

        HTTP auth on media is on by default and an account may open it, but a HIPAA account may
        not: the docs require at least HTTP authentication on its recordings
        (twilio.com/docs/voice/api/recording). Turning HIPAA on turns media auth on with it.
        ``dual_channel_conference_recording`` is Twilio's "Dual-channel Recording for Conference"
        (twilio.com/docs/voice/api/recording), off by default. ``pci_mode`` (off by default) refuses every
        transcription of the account's recordings (17531, twilio.com/docs/voice/pci-workflows), and is
        one-way: "Once PCI Mode is enabled, it cannot be disabled for that Account"
        (https://www.twilio.com/docs/voice/pci-workflows). Subaccounts have their own settings, but only the
        owner (``by_owner``: the parent account, or a main account itself) may change a subaccount's ``hipaa``
        and ``pci_mode``, so a tenant cannot lift what its parent set.
        """
        row = await self._session.get(AccountRow, sid, with_for_update=True)
        assert row is not None, "callers fetch the account first"
        changes_compliance = (hipaa is not None and hipaa != row.hipaa) or (
            pci_mode is not None and pci_mode != row.pci_mode
        )
        if changes_compliance and not by_owner:
            raise Forbidden("hipaa and pci_mode of a subaccount can be changed only by its parent account")
        if row.pci_mode and pci_mode is False:
            raise InvalidParameter("pci_mode: once PCI mode is on it cannot be turned off for the account")
        hipaa_after = row.hipaa if hipaa is None else hipaa
        if hipaa_after and enforce_media_auth is False:
            raise InvalidParameter(
                "enforce_media_auth: a HIPAA account must keep HTTP authentication on recording"
                " media; turn HIPAA mode off first"
            )
        if hipaa is not None:
            row.hipaa = hipaa
        if enforce_media_auth is not None:
            row.enforce_media_auth = enforce_media_auth
        if dual_channel_conference_recording is not None:
            row.dual_channel_conference_recording = dual_channel_conference_recording
        if pci_mode is not None:
            row.pci_mode = pci_mode
        if durable_callbacks is not None:
            row.durable_callbacks = durable_callbacks
        if row.hipaa:
            row.enforce_media_auth = True
        row.date_updated = now
        await self._session.flush()
        return _record(row)
