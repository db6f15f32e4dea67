"""Who may call in through a SIP Domain (https://www.twilio.com/docs/voice/sip/api/sip-domain-resource
and its mapping pages): the Request-URI's host names the domain; a domain with nothing mapped for
calls lets no call in; with IP access control lists mapped, "the source IP address must be in one
of the mapped lists"; with credential lists mapped, the caller is challenged and "the username and
password must be in one of the credential lists". With both, both must hold. BYOC IP records
mapped to the domain (SourceIpMappings) count as one more IP access control list.

Challenges go in ``Proxy-Authenticate`` (407), one per algorithm the server offers
(``PHONOGRAPH_SIP_DIGEST``: MD5 alone by default, as Twilio; RFC 8760 §2.4 lets a caller take the
first it supports, but some deployed phones give up on a list holding one they do not know).
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from sipmessage import Response

from phonograph.core import DigestAlgorithm
from phonograph.sip.digest import BadCredentials, Challenger, DigestAnswer, Verdict
from phonograph.sip.message import SipRequest, response_to
from phonograph.store import (
    Database,
    IpRecord,
    MappingPurpose,
    SipCredentialRepo,
    SipDomain,
    SipDomainMappingRepo,
    SipDomainRepo,
    SipIpAddress,
    SipIpAddressRepo,
    mapped_ip_records,
)

log = logging.getLogger(__name__)


class Outcome(Enum):
    NO_DOMAIN = "no-domain"
    """404: the Request-URI names no domain on this server."""
    FORBIDDEN = "forbidden"
    """403: nothing mapped, an address outside every list, or credentials that failed."""
    CHALLENGE = "challenge"
    """407: answer a digest challenge (``stale`` when the nonce ran out)."""
    ADMITTED = "admitted"


DECISION_STATUS = {
    Outcome.NO_DOMAIN: 404,
    Outcome.FORBIDDEN: 403,
    Outcome.CHALLENGE: 407,
    # Let in where no call can be placed: "temporarily unavailable".
    Outcome.ADMITTED: 480,
}


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    domain: SipDomain | None = None
    username: str | None = None
    """The credential that admitted the call, when one did."""
    stale: bool = False


class Admission:
    def __init__(
        self,
        db: Database,
        challenger: Challenger,
        algorithms: tuple[DigestAlgorithm, ...] = (DigestAlgorithm.MD5,),
    ) -> None:
        """``algorithms``: what callers are challenged with, in order."""
        self._db = db
        self.challenger = challenger
        self._algorithms = algorithms

    async def decide(self, request: SipRequest, source_ip: str) -> Decision:
        decision = await self._decide(request, source_ip)
        log.info(
            "sip invite from=%s domain=%s outcome=%s",
            source_ip,
            None if decision.domain is None else decision.domain.sid,
            decision.outcome.value,
        )
        return decision

    async def _decide(self, request: SipRequest, source_ip: str) -> Decision:
        host = request.message.uri.host.lower()
        async with self._db.read() as session:
            domain = await SipDomainRepo(session).get_by_name(host)
            if domain is None:
                return Decision(Outcome.NO_DOMAIN)
            mapped = await SipDomainMappingRepo(session).mapped_lists(domain.sid, MappingPurpose.CALLS)
            address_lists = [sid for sid in mapped if sid.startswith("AL")]
            credential_lists = [sid for sid in mapped if sid.startswith("CL")]
            carriers = await mapped_ip_records(session, domain.sid)
            if not mapped and not carriers:
                return Decision(Outcome.FORBIDDEN, domain)
            if (address_lists or carriers) and not _listed(
                source_ip, [*await SipIpAddressRepo(session).in_lists(address_lists), *carriers]
            ):
                return Decision(Outcome.FORBIDDEN, domain)
            if not credential_lists:
                return Decision(Outcome.ADMITTED, domain)
        return await self.authenticate(request, domain, credential_lists, "Proxy-Authorization")

    async def authenticate(
        self, request: SipRequest, domain: SipDomain, credential_lists: list[str], header_name: str
    ) -> Decision:
        """Whether the digest answer in ``header_name`` proves a password of ``credential_lists``;
        a challenge when there is none yet, or when its nonce ran out."""
        header = request.message.headers.get(header_name)
        if header is None:
            return Decision(Outcome.CHALLENGE, domain)
        try:
            answer = DigestAnswer.parse(header)
        except BadCredentials:
            return Decision(Outcome.FORBIDDEN, domain)
        async with self._db.read() as session:
            credential = await SipCredentialRepo(session).find(credential_lists, answer.username)
        if credential is None:
            return Decision(Outcome.FORBIDDEN, domain)
        stored = credential.ha1_md5 if answer.algorithm is DigestAlgorithm.MD5 else credential.ha1_sha256
        verdict = self.challenger.verify(
            answer, method=request.method, request_uri=str(request.message.uri), stored_ha1=stored
        )
        if verdict is Verdict.ACCEPTED:
            return Decision(Outcome.ADMITTED, domain, username=credential.username)
        if verdict is Verdict.STALE:
            return Decision(Outcome.CHALLENGE, domain, stale=True)
        return Decision(Outcome.FORBIDDEN, domain)

    def refusal(self, request: SipRequest, decision: Decision, tag: str) -> Response:
        """The final answer to an INVITE that ``decision`` does not let in as a call; ``tag`` goes
        on its To. One that was let in gets 480 here only where no call can be placed (an endpoint
        without calls: its tests)."""
        response = response_to(request, DECISION_STATUS[decision.outcome], to_tag=tag)
        if decision.outcome is Outcome.CHALLENGE:
            response.headers.setlist("Proxy-Authenticate", self.challenges(stale=decision.stale))
        return response

    def challenges(self, *, stale: bool) -> list[str]:
        return [self.challenger.challenge(algorithm, stale=stale) for algorithm in self._algorithms]


def _listed(source_ip: str, entries: Sequence[SipIpAddress | IpRecord]) -> bool:
    try:
        address = ipaddress.ip_address(source_ip)
    except ValueError:
        return False
    return any(
        address in ipaddress.ip_network(f"{entry.ip_address}/{entry.cidr_prefix_length}", strict=False)
        for entry in entries
    )
