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


def is_storable_text(text: str) -> bool:
    """Whether every store can hold ``text``: no NUL (PostgreSQL refuses it in text, and no Twilio
    value has one) and no lone surrogate (JSON's ``\\ud800`` decodes to one; UTF-8 cannot hold it)."""
    if "\0" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def storable_text(text: str) -> str:
    """``text`` made storable (see ``is_storable_text``): NUL becomes U+FFFD, a lone surrogate
    ``?``. For what phonograph keeps of other parties' words: an app's response body, say."""
    return text.replace("\0", "\ufffd").encode("utf-8", "replace").decode("utf-8")


_USERINFO_PASSWORD = re.compile(r"(?i)\b(https?://[^/@\s:]*):[^/@\s]*@")


def redact_userinfo(text: str) -> str:
    """``text`` with the password of every ``http(s)://user:password@`` URL in it replaced by
    ``***``, for what is logged or shown back (Notifications): the URL keeps working where it is
    stored for sending, but its secret is never displayed."""
    return _USERINFO_PASSWORD.sub(r"\1:***@", text)
