"""SipRegistrationRepo on a real migrated database (SQLite and PostgreSQL): contacts bound until
they expire, a REGISTER older than the last one of its Call-ID ignored (RFC 3261 §10.3 step 7),
one contact or all unbound, expired ones forgotten."""

from __future__ import annotations

from datetime import timedelta

from phonograph.core import new_sid
from phonograph.store import Database, DomainSettings, SipDomainRepo, SipRegistrationRepo
from tests.support.store import T0, add_account, run

SETTINGS = DomainSettings(
    friendly_name=None,
    voice_url=None,
    voice_method="POST",
    voice_fallback_url=None,
    voice_fallback_method="POST",
    voice_status_callback_url=None,
    voice_status_callback_method="POST",
    sip_registration=True,
    secure=False,
    byoc_trunk_sid=None,
)
PHONE = "sip:alice@192.0.2.10:5062"
SOFTPHONE = "sip:alice@198.51.100.7:5070"


def test_contacts_are_bound_until_they_expire_and_older_registers_are_ignored(db_url: str) -> None:
    async def check(db: Database) -> None:
        account = await add_account(db)
        async with db.transaction() as session:
            domain = await SipDomainRepo(session).create(
                sid=new_sid("SD"),
                account_sid=account.sid,
                domain_name="a.sip.twilio.com",
                settings=SETTINGS,
                now=T0,
            )
            registrations = SipRegistrationRepo(session)

            async def bind(contact: str, cseq: int, expires_s: int, call_id: str = "reg-1") -> bool:
                return await registrations.bind(
                    domain.sid,
                    "alice",
                    contact,
                    source="192.0.2.10:5062",
                    call_id=call_id,
                    cseq=cseq,
                    expires_at=T0 + timedelta(seconds=expires_s),
                    now=T0,
                )

            assert await bind(PHONE, 2, 120)
            assert not await bind(PHONE, 1, 3600)  # out of order: the later CSeq 2 stands
            assert await bind(PHONE, 1, 60, call_id="reg-2")  # another Call-ID: a new registration
            assert await bind(SOFTPHONE, 3, 600)
            active = await registrations.active(domain.sid, "alice", T0)
            assert [(item.contact, item.expires_at - T0) for item in active] == [
                (PHONE, timedelta(seconds=60)),
                (SOFTPHONE, timedelta(seconds=600)),
            ]
            later = T0 + timedelta(seconds=61)
            assert [item.contact for item in await registrations.active(domain.sid, "alice", later)] == [
                SOFTPHONE
            ]
            await registrations.forget_expired(domain.sid, "alice", later)
            await registrations.unbind(domain.sid, "alice", SOFTPHONE)
            assert await registrations.active(domain.sid, "alice", T0) == []
            assert await bind(PHONE, 4, 120)
            await registrations.unbind(domain.sid, "alice")  # Contact: *
            assert await registrations.active(domain.sid, "alice", T0) == []
            assert await bind(PHONE, 5, 120)
            await SipDomainRepo(session).delete(domain.sid)  # a domain's registrations go with it
            assert await registrations.active(domain.sid, "alice", T0) == []

    run(db_url, check)
