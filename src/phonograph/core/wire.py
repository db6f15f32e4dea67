"""Small checks on wire values that every room parses the same way."""

from __future__ import annotations

import re
from urllib.parse import urlsplit


def is_absolute_http_url(value: str) -> bool:
    """Whether ``value`` is an absolute http(s) URL with a host, as Twilio requires for callbacks."""
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in value


def require_absolute_http_url(value: str) -> str:
    """``value`` itself, or ValueError when it is not an absolute http(s) URL (for validators)."""
    if not is_absolute_http_url(value):
        raise ValueError("must be an absolute http or https URL")
    return value


_USERINFO_PASSWORD = re.compile(r"(?i)\b(https?://[^/@\s:]*):[^/@\s]*@")


def redact_userinfo(text: str) -> str:
    """``text`` with the password of every ``http(s)://user:password@`` URL in it replaced by
    ``***``, for what is logged or shown back (Notifications): the URL keeps working where it is
    stored for sending, but its secret is never displayed."""
    return _USERINFO_PASSWORD.sub(r"\1:***@", text)
