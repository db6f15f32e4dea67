"""REGISTER for the users of a SIP Domain (RFC 3261 §10.3; Twilio: a domain with ``SipRegistration``
on takes registrations from the credential lists mapped under ``/Auth/Registrations``).

A user proves a password of one of those lists (401 and a digest challenge first), and may only
register its own address of record: the To header's user is the credential's username. Its
contacts are kept in the database with their expiry, so that any node can find them.
"""

from __future__ import annotations

from datetime import timedelta
from email.utils import format_datetime

from sipmessage import Response

from phonograph.core import Clock
from phonograph.sip.admission import Admission, Outcome
from phonograph.sip.message import SipRequest, response_to
from phonograph.store import (
    Database,
    MappingPurpose,
    SipDomain,
    SipDomainMappingRepo,
    SipDomainRepo,
    SipRegistrationRepo,
)
from phonograph.store.models.sip_domain import CONTACT_MAX_CHARS

DEFAULT_EXPIRES_S = 3600
MIN_EXPIRES_S = 60
"""Shorter registrations are refused with 423 and ``Min-Expires`` (RFC 3261 §10.3 step 7)."""
MAX_EXPIRES_S = 3600
"""Longer ones are cut to this."""
MAX_CONTACTS = 10
"""Contacts one user may have registered at once."""


class Registrar:
    def __init__(self, db: Database, admission: Admission, clock: Clock) -> None:
        self._db = db
        self._admission = admission
        self._clock = clock

    async def register(self, request: SipRequest, source: tuple[str, int], tag: str) -> Response:
        """The answer to a REGISTER from ``source``; ``tag`` goes on its To."""
        host = request.message.uri.host.lower()
        async with self._db.read() as session:
            domain = await SipDomainRepo(session).get_by_name(host)
            lists = (
                []
                if domain is None
                else await SipDomainMappingRepo(session).mapped_lists(
                    domain.sid, MappingPurpose.REGISTRATIONS
                )
            )
        if domain is None:
            return response_to(request, 404, to_tag=tag)
        if not domain.sip_registration or not lists:
            return response_to(request, 403, to_tag=tag)
        decision = await self._admission.authenticate(request, domain, lists, "Authorization")
        if decision.outcome is Outcome.CHALLENGE:
            challenged = response_to(request, 401, to_tag=tag)
            challenged.headers.setlist("WWW-Authenticate", self._admission.challenges(stale=decision.stale))
            return challenged
        if decision.outcome is not Outcome.ADMITTED or request.checked.to.uri.user != decision.username:
            return response_to(request, 403, to_tag=tag)
        assert decision.username is not None
        try:
            return await self._bind(request, domain, decision.username, source, tag)
        except _TooManyContacts:
            return response_to(request, 403, to_tag=tag)

    async def _bind(
        self, request: SipRequest, domain: SipDomain, username: str, source: tuple[str, int], tag: str
    ) -> Response:
        message, now = request.message, self._clock.now()
        try:
            default_s = DEFAULT_EXPIRES_S if message.expires is None else message.expires
            contacts = [] if message.headers.get("Contact") in (None, "*") else message.contact
        except ValueError:
            return response_to(request, 400, to_tag=tag)
        wanted: list[tuple[str, int]] = []
        for contact in contacts:
            raw = contact.parameters.get("expires")
            expires_s = default_s if raw is None or not raw.isdigit() else int(raw)
            if 0 < expires_s < MIN_EXPIRES_S:
                too_brief = response_to(request, 423, to_tag=tag)
                too_brief.headers.set("Min-Expires", str(MIN_EXPIRES_S))
                return too_brief
            uri = str(contact.uri)
            if len(uri) > CONTACT_MAX_CHARS:
                return response_to(request, 400, to_tag=tag)
            wanted.append((uri, min(expires_s, MAX_EXPIRES_S)))
        async with self._db.transaction() as session:
            registrations = SipRegistrationRepo(session)
            await registrations.forget_expired(domain.sid, username, now)
            if message.headers.get("Contact") == "*":
                if default_s != 0:
                    return response_to(request, 400, to_tag=tag)  # RFC 3261 §10.3 step 6
                await registrations.unbind(domain.sid, username)
            for uri, expires_s in wanted:
                if expires_s == 0:
                    await registrations.unbind(domain.sid, username, uri)
                    continue
                await registrations.bind(
                    domain.sid,
                    username,
                    uri,
                    source=f"{source[0]}:{source[1]}",
                    call_id=request.checked.call_id,
                    cseq=request.checked.cseq.sequence,
                    expires_at=now + timedelta(seconds=expires_s),
                    now=now,
                )
            bound = await registrations.active(domain.sid, username, now)
            if len(bound) > MAX_CONTACTS:
                # Rolled back with the transaction: nothing of this request is kept.
                raise _TooManyContacts
        ok = response_to(request, 200, to_tag=tag)
        ok.headers.setlist(
            "Contact",
            [f"<{item.contact}>;expires={int((item.expires_at - now).total_seconds())}" for item in bound],
        )
        ok.headers.set("Date", format_datetime(now, usegmt=True))
        return ok


class _TooManyContacts(Exception):
    """More than ``MAX_CONTACTS`` would be registered: the REGISTER's transaction is rolled back."""
