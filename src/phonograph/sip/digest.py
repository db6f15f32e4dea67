"""Digest authentication both ways (RFC 3261 §22.4; RFC 7616 for SHA-256 and ``qop=auth``):
phonograph challenging the callers of a SIP Domain and checking their answers, and answering the
challenge of a peer it calls (``<Dial><Sip username password>``, a trunk's targets).

What a credential keeps is ``ha1`` (core/sip_terms.py) — a hash of the user name, realm and
password — never the password (RFC 7616 §5.9). A nonce carries the time it was made and an HMAC
under a secret of this process, so challenges cost no storage; one is good for ``NONCE_TTL_S``,
then an answer with it is ``STALE`` and the caller retries with a fresh one (RFC 7616 §3.3).
Replays are refused: each nonce's highest count (``nc``) is kept, for a bounded number of nonces,
and a nonce's first use must be ``nc=00000001``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import struct
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from phonograph.core import DIGEST_REALM, Clock, DigestAlgorithm, ha1
from phonograph.sip.message import BadMessage

NONCE_TTL_S = 300
MAX_TRACKED_NONCES = 10_000
MAX_HEADER_CHARS = 4096
QOP = "auth"

_PARAM = re.compile(r'\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s,"]+)\s*(?:,|$)')


class Verdict(Enum):
    ACCEPTED = "accepted"
    STALE = "stale"
    """A nonce of ours that ran out (or one whose counts were forgotten): challenge again with
    ``stale=true``."""
    REFUSED = "refused"


class BadCredentials(BadMessage):
    """An ``Authorization`` (or ``Proxy-Authorization``) or a challenge that cannot be read."""


def _parameters(value: str) -> dict[str, str]:
    """``scheme`` and its ``name=value`` list, quoted strings read whole (commas inside them too)."""
    if len(value) > MAX_HEADER_CHARS:
        raise BadCredentials("authentication header too long")
    scheme, _, rest = value.strip().partition(" ")
    if scheme.lower() != "digest":
        raise BadCredentials(f"scheme {scheme[:20]!r} is not Digest")
    found: dict[str, str] = {}
    position, rest = 0, rest.strip()
    while position < len(rest):
        match = _PARAM.match(rest, position)
        if match is None:
            raise BadCredentials(f"malformed authentication parameters at {rest[position : position + 20]!r}")
        name, raw = match[1].lower(), match[2]
        found[name] = re.sub(r"\\(.)", r"\1", raw[1:-1]) if raw.startswith('"') else raw
        position = match.end()
    return found


@dataclass(frozen=True)
class DigestAnswer:
    """An ``Authorization`` header's digest answer."""

    username: str
    realm: str
    nonce: str
    uri: str
    response: str
    algorithm: DigestAlgorithm
    qop: str | None
    nc: str | None
    cnonce: str | None

    @classmethod
    def parse(cls, value: str) -> DigestAnswer:
        found = _parameters(value)
        missing = [name for name in ("username", "realm", "nonce", "uri", "response") if name not in found]
        if missing:
            raise BadCredentials(f"Authorization lacks {', '.join(missing)}")
        try:
            algorithm = DigestAlgorithm(found.get("algorithm", "MD5").upper().replace("SHA256", "SHA-256"))
        except ValueError:
            raise BadCredentials(f"algorithm {found['algorithm'][:20]!r} is not MD5 or SHA-256") from None
        return cls(
            username=found["username"],
            realm=found["realm"],
            nonce=found["nonce"],
            uri=found["uri"],
            response=found["response"].lower(),
            algorithm=algorithm,
            qop=found.get("qop"),
            nc=found.get("nc"),
            cnonce=found.get("cnonce"),
        )


@dataclass(frozen=True)
class Challenge:
    """A peer's ``WWW-Authenticate``/``Proxy-Authenticate``, as phonograph answers it."""

    realm: str
    nonce: str
    algorithm: DigestAlgorithm
    qop: tuple[str, ...]
    opaque: str | None

    @classmethod
    def parse(cls, value: str) -> Challenge:
        found = _parameters(value)
        if "realm" not in found or "nonce" not in found:
            raise BadCredentials("challenge lacks realm or nonce")
        try:
            algorithm = DigestAlgorithm(found.get("algorithm", "MD5").upper())
        except ValueError:
            raise BadCredentials(f"algorithm {found['algorithm'][:20]!r} is not MD5 or SHA-256") from None
        qop = tuple(option.strip() for option in found.get("qop", "").split(",") if option.strip())
        return cls(found["realm"], found["nonce"], algorithm, qop, found.get("opaque"))


def _expected(answer_ha1: str, answer: DigestAnswer, method: str) -> str:
    ha2 = answer.algorithm.hash(f"{method}:{answer.uri}")
    if answer.qop is None:
        return answer.algorithm.hash(f"{answer_ha1}:{answer.nonce}:{ha2}")
    return answer.algorithm.hash(
        f"{answer_ha1}:{answer.nonce}:{answer.nc}:{answer.cnonce}:{answer.qop}:{ha2}"
    )


def authorization(
    challenge: Challenge, *, username: str, password: str, method: str, uri: str, cnonce: str, nc: int = 1
) -> str:
    """The ``Authorization`` value that answers ``challenge`` for a request ``method uri``; with
    ``qop=auth`` whenever the peer offers it."""
    qop = QOP if QOP in challenge.qop else None
    answer = DigestAnswer(
        username=username,
        realm=challenge.realm,
        nonce=challenge.nonce,
        uri=uri,
        response="",
        algorithm=challenge.algorithm,
        qop=qop,
        nc=f"{nc:08x}" if qop else None,
        cnonce=cnonce if qop else None,
    )
    response = _expected(ha1(username, challenge.realm, password, challenge.algorithm), answer, method)
    fields = [
        f'username="{_quoted(username)}"',
        f'realm="{_quoted(challenge.realm)}"',
        f'nonce="{_quoted(challenge.nonce)}"',
        f'uri="{_quoted(uri)}"',
        f'response="{response}"',
        f"algorithm={challenge.algorithm.value}",
    ]
    if qop:
        fields += [f"qop={qop}", f"nc={answer.nc}", f'cnonce="{_quoted(cnonce)}"']
    if challenge.opaque is not None:
        fields.append(f'opaque="{_quoted(challenge.opaque)}"')
    return "Digest " + ", ".join(fields)


def _quoted(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


class Challenger:
    """Makes phonograph's challenges and judges the answers to them."""

    def __init__(
        self,
        clock: Clock,
        *,
        realm: str = DIGEST_REALM,
        secret: bytes | None = None,
        ttl_s: int = NONCE_TTL_S,
        max_tracked: int = MAX_TRACKED_NONCES,
        random_bytes: Callable[[int], bytes] = secrets.token_bytes,
    ) -> None:
        self.realm = realm
        self._clock = clock
        self._secret = secret or secrets.token_bytes(32)
        self._ttl_s = ttl_s
        self._max_tracked = max_tracked
        self._random_bytes = random_bytes
        self._counts: OrderedDict[str, int] = OrderedDict()

    def challenge(self, algorithm: DigestAlgorithm, *, stale: bool = False) -> str:
        """A ``WWW-Authenticate``/``Proxy-Authenticate`` value with a fresh nonce."""
        value = (
            f'Digest realm="{self.realm}", nonce="{self._nonce()}", algorithm={algorithm.value}, qop="{QOP}"'
        )
        return value + (", stale=true" if stale else "")

    def verify(self, answer: DigestAnswer, *, method: str, request_uri: str, stored_ha1: str) -> Verdict:
        """Whether ``answer`` proves the password behind ``stored_ha1`` for this request."""
        if answer.realm != self.realm or answer.uri != request_uri or answer.qop != QOP:
            return Verdict.REFUSED
        if answer.nc is None or answer.cnonce is None or not re.fullmatch(r"[0-9a-fA-F]{8}", answer.nc):
            return Verdict.REFUSED
        issued_s = self._issued_s(answer.nonce)
        if issued_s is None:
            return Verdict.REFUSED
        expected = _expected(stored_ha1, answer, method)
        if not hmac.compare_digest(expected, answer.response):
            return Verdict.REFUSED
        if self._clock.now().timestamp() - issued_s > self._ttl_s:
            return Verdict.STALE
        count = int(answer.nc, 16)
        last = self._counts.get(answer.nonce)
        if last is None and count != 1:
            return Verdict.STALE  # counts of this nonce forgotten (or never seen): start a new one
        if last is not None and count <= last:
            return Verdict.REFUSED  # a replay
        self._counts[answer.nonce] = count
        self._counts.move_to_end(answer.nonce)
        while len(self._counts) > self._max_tracked:
            self._counts.popitem(last=False)
        return Verdict.ACCEPTED

    def _nonce(self) -> str:
        issued = struct.pack("!Q", int(self._clock.now().timestamp())) + self._random_bytes(8)
        return base64.urlsafe_b64encode(issued + self._mac(issued)).decode()

    def _issued_s(self, nonce: str) -> int | None:
        """When a nonce of this process was made; None for one it did not make."""
        try:
            raw = base64.urlsafe_b64decode(nonce.encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            return None
        issued, mac = raw[:16], raw[16:]
        if len(issued) != 16 or not hmac.compare_digest(mac, self._mac(issued)):
            return None
        (seconds,) = struct.unpack("!Q", issued[:8])
        return int(seconds)

    def _mac(self, issued: bytes) -> bytes:
        return hmac.new(self._secret, self.realm.encode() + issued, hashlib.sha256).digest()[:16]
