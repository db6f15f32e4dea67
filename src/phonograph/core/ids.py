"""Identifiers: Twilio SIDs (``XX`` + 32 hex) and v2/v3 TypeIDs (``prefix_`` + 26 base32 of a UUIDv7).

SIDs: twilio.com/docs/glossary/what-is-a-sid; real SIDs use lowercase hex, and input is matched
case-insensitively as the OpenAPI pattern ``^XX[0-9a-fA-F]{32}$`` allows. TypeIDs:
github.com/jetify-com/typeid, the 26 characters being Crockford base32 (lowercase, no ``i l o u``) of the
128-bit UUID.
"""

from __future__ import annotations

import os
import re
import secrets
import time
import uuid

SID_HEX_DIGITS = 32
TYPEID_SUFFIX_CHARS = 26
_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"
_TYPEID_SUFFIX_RE = re.compile(r"[0-9a-z]{26}")


def new_sid(prefix: str) -> str:
    """A fresh SID such as ``AC`` + 32 lowercase hex digits."""
    if re.fullmatch(r"[A-Z]{2}", prefix) is None:
        raise ValueError(f"SID prefix must be two capital letters, got {prefix!r}")
    return prefix + secrets.token_hex(SID_HEX_DIGITS // 2)


def is_sid(value: str, prefix: str) -> bool:
    """Whether ``value`` has the form of a SID with this prefix (the OpenAPI pattern)."""
    return re.fullmatch(rf"{prefix}[0-9a-fA-F]{{{SID_HEX_DIGITS}}}", value) is not None


def uuid7(now_ms: int | None = None) -> uuid.UUID:
    """A UUIDv7 (RFC 9562 §5.7): 48-bit Unix milliseconds, version 7, variant, 74 random bits."""
    ms = int(time.time() * 1000) if now_ms is None else now_ms
    rand = int.from_bytes(os.urandom(10), "big")
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= ((rand >> 62) & 0xFFF) << 64
    value |= 0b10 << 62
    value |= rand & ((1 << 62) - 1)
    return uuid.UUID(int=value)


def _base32(value: int) -> str:
    return "".join(_CROCKFORD[(value >> (5 * i)) & 0x1F] for i in reversed(range(TYPEID_SUFFIX_CHARS)))


def new_typeid(prefix: str, now_ms: int | None = None) -> str:
    """A fresh TypeID such as ``voice_recordingconfiguration_01k1etx3jbfx88476ccja0889c``."""
    return f"{prefix}_{_base32(uuid7(now_ms).int)}"


def typeid_uuid(value: str, prefix: str) -> uuid.UUID | None:
    """The UUID inside a TypeID of this prefix, or None when ``value`` is not one.

    Any ``[0-9a-z]{26}`` suffix is accepted (twilio.com/docs/glossary/what-is-a-sid advice), as long as it
    decodes to 128 bits.
    """
    head, sep, suffix = value.rpartition("_")
    if not sep or head != prefix or _TYPEID_SUFFIX_RE.fullmatch(suffix) is None:
        return None
    if suffix[0] > "7":
        return None
    number = 0
    for char in suffix:
        index = _CROCKFORD.find(char)
        if index < 0:
            return None
        number = (number << 5) | index
    return uuid.UUID(int=number)


def new_secret(length: int = 32) -> str:
    """A random alphanumeric secret, the shape of Twilio auth tokens (32 hex) and key secrets."""
    return secrets.token_hex(length // 2)
