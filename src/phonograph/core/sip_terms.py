"""The SIP vocabulary shared by the API room (which stores credentials) and the SIP room (which
checks them): digest's algorithms, the realm phonograph challenges in, and ``ha1``, what a
credential keeps instead of its password (RFC 7616 §3.4.2, §5.9)."""

from __future__ import annotations

import hashlib
from enum import StrEnum

DIGEST_REALM = "phonograph"
"""The realm phonograph challenges in (docs/compatibility.md, "SIP"): one for every SIP Domain, so
that a credential's ``ha1`` is computed once, when it is made."""


class DigestAlgorithm(StrEnum):
    MD5 = "MD5"
    SHA256 = "SHA-256"

    def hash(self, text: str) -> str:
        function = hashlib.md5 if self is DigestAlgorithm.MD5 else hashlib.sha256
        return function(text.encode("utf-8")).hexdigest()


def ha1(username: str, realm: str, password: str, algorithm: DigestAlgorithm) -> str:
    """What a credential keeps instead of its password."""
    return algorithm.hash(f"{username}:{realm}:{password}")
