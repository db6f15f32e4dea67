"""Calls out through a BYOC trunk (``Byoc`` on Calls create, ``<Number byoc>``): the number is
dialled at the targets of the trunk's connection policy, "the lowest priority first; targets of
one priority share the calls by weight", the next target tried when one answers 5xx or not at all
(https://www.twilio.com/docs/voice/bring-your-own-carrier-byoc/api/connectionpolicytarget-resource).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from itertools import groupby

from sipmessage import URI

from phonograph import twiml
from phonograph.store import (
    BYOC_TRUNKS,
    CONNECTION_POLICY_TARGETS,
    ByocRepo,
    ConnectionPolicyTarget,
    Database,
    SipDomainRepo,
)

BYOC_ROUTING_FAILED = 32401
"""Twilio's "BYOC Trunk routing failure - failover to Twilio default routing"
(https://www.twilio.com/docs/api/errors/32401): here, a trunk with no enabled target, whose call
goes where any other number's would."""


def failover(code: int) -> bool:
    """Whether a target's final answer sends the call on to the next target: a server failure
    (5xx) or no answer in time (408). A 6xx is the callee's own answer everywhere (RFC 3261
    §21.6): no other target would get another."""
    return code == 408 or 500 <= code < 600


def dial_order(
    targets: Sequence[ConnectionPolicyTarget], draw: Callable[[], float] = random.random
) -> list[ConnectionPolicyTarget]:
    """The enabled ``targets`` in the order one call tries them: by priority, and within one
    priority a weighted draw without replacement (RFC 2782's selection, which the priority and
    weight of SRV records also follow)."""
    ordered: list[ConnectionPolicyTarget] = []
    enabled = sorted((target for target in targets if target.enabled), key=lambda target: target.priority)
    for _priority, group in groupby(enabled, key=lambda target: target.priority):
        left = list(group)
        while left:
            point = draw() * sum(target.weight for target in left)
            for index, target in enumerate(left):
                point -= target.weight
                if point < 0 or index == len(left) - 1:
                    ordered.append(left.pop(index))
                    break
    return ordered


def target_uri(target: str) -> URI:
    """A connection policy target as the URI it is dialled at; ``ValueError`` for anything but a
    ``sip:`` URI with a host and no headers ("This must be a sip: schema. sips is NOT supported",
    the Target's documentation). The scheme is case-insensitive (RFC 3261 §19.1.4)."""
    scheme, colon, rest = target.partition(":")
    if scheme.lower() != "sip" or not colon:
        raise ValueError(f"not a sip: URI: {target[:80]!r}")
    return URI.parse(f"sip:{rest}")


def number_at(target: str, number: str) -> str:
    """The Request-URI for ``number`` at a ``sip:`` target: the number is its user part."""
    return str(replace(target_uri(target), user=number, password=None))


@dataclass(frozen=True)
class TrunkRoute:
    sips: list[twiml.Sip]
    """Where the number is tried, in order."""
    from_host: str | None
    """The trunk's From domain: "the SIP Domain that should be used in the From header of
    originating calls sent to your SIP infrastructure" (the ByocTrunk resource)."""


async def trunk_route(db: Database, account_sid: str, trunk_sid: str, number: str) -> TrunkRoute | None:
    """How a call to ``number`` goes out through the account's trunk ``trunk_sid``; None when the
    trunk, its policy or every enabled target of it is gone."""
    async with db.read() as session:
        trunk = await ByocRepo(session, BYOC_TRUNKS).get_for_account(account_sid, trunk_sid)
        if trunk is None or trunk.connection_policy_sid is None:
            return None
        targets = await ByocRepo(session, CONNECTION_POLICY_TARGETS).where(
            "connection_policy_sid", [trunk.connection_policy_sid]
        )
        domain = None
        if trunk.from_domain_sid is not None:
            domain = await SipDomainRepo(session).get_for_account(account_sid, trunk.from_domain_sid)
    sips = [twiml.Sip(uri=number_at(target.target, number)) for target in dial_order(targets)]
    return TrunkRoute(sips, None if domain is None else domain.domain_name) if sips else None
