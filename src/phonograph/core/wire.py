"""Small checks on wire values that every room parses the same way."""

from __future__ import annotations

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
