"""v2010 and v1 list paging: ``PageSize``/``Page``/``PageToken`` in, Twilio's page envelope out
(twilio.com/docs/usage/requests-to-twilio).

``PageToken`` is ``PA`` (after) or ``PB`` (before) plus an opaque keyset cursor. The SDK follows
``next_page_uri`` by appending it to its base URL, so every ``*_uri`` is a path, as Twilio's are.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from phonograph.api.params import Params
from phonograph.core import InvalidParameter, as_utc
from phonograph.store import Cursor, Direction, Page, PageSpec

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
MAX_PAGE = 1_000_000
"""Pages past a billion rows cannot exist; a larger ``Page`` is refused before it reaches SQL,
where its offset would not fit a 64-bit integer."""
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_TOKEN_PREFIX = {Direction.AFTER: "PA", Direction.BEFORE: "PB"}


def encode_token(cursor: Cursor) -> str:
    raw = f"{(as_utc(cursor.date_created) - _EPOCH) // _MICROSECOND}|{cursor.key}".encode()
    return _TOKEN_PREFIX[cursor.direction] + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str) -> Cursor:
    try:
        direction = {prefix: d for d, prefix in _TOKEN_PREFIX.items()}[token[:2]]
        body = token[2:]
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()
        stamp, key = raw.split("|", 1)
        # Whole microseconds since the epoch: exact, and free of the server's local time zone.
        return Cursor(direction, _EPOCH + int(stamp) * _MICROSECOND, key)
    except (KeyError, ValueError, OverflowError, UnicodeDecodeError, binascii.Error):
        raise InvalidParameter(f"PageToken {token!r} is not a token this server issued") from None


@dataclass(frozen=True)
class PageRequest:
    page: int
    page_size: int
    cursor: Cursor | None

    @classmethod
    def from_params(cls, params: Params) -> PageRequest:
        token = params.get_str("PageToken")
        return cls(
            page=params.get_int("Page", minimum=0, maximum=MAX_PAGE) or 0,
            page_size=params.get_int("PageSize", minimum=1, maximum=MAX_PAGE_SIZE) or DEFAULT_PAGE_SIZE,
            cursor=decode_token(token) if token else None,
        )

    @property
    def spec(self) -> PageSpec:
        """Without a token, ``Page`` alone still reaches its page (as older clients expect)."""
        return PageSpec(self.page_size, self.cursor, self.page * self.page_size)


def _page_uri(
    request: PageRequest, path: str, kept: Mapping[str, str]
) -> Callable[[int, Cursor | None], str]:
    def uri(page_number: int, cursor: Cursor | None) -> str:
        query = {**kept, "PageSize": str(request.page_size), "Page": str(page_number)}
        if cursor is not None:
            query["PageToken"] = encode_token(cursor)
        return f"{path}?{urlencode(query)}"

    return uri


def _links(page: Page[Any], request: PageRequest, uri: Callable[[int, Cursor | None], str]) -> dict[str, Any]:
    return {
        "uri": uri(request.page, request.cursor),
        "first_page_uri": uri(0, None),
        "next_page_uri": uri(request.page + 1, page.last_key) if page.has_next and page.last_key else None,
        "previous_page_uri": (
            uri(request.page - 1, page.first_key) if request.page > 0 and page.first_key else None
        ),
    }


def render_page(
    key: str,
    items: list[dict[str, Any]],
    page: Page[Any],
    request: PageRequest,
    path: str,
    filters: Mapping[str, str | None],
) -> dict[str, Any]:
    """Twilio's list envelope with the items under ``key`` (``accounts``, ``keys``, …)."""
    kept = {name: value for name, value in filters.items() if value is not None}
    start = request.page * request.page_size
    return {
        key: items,
        "page": request.page,
        "page_size": request.page_size,
        "start": start,
        "end": start + max(len(items) - 1, 0),
        **_links(page, request, _page_uri(request, path, kept)),
    }


def render_meta_page(
    key: str, items: list[dict[str, Any]], page: Page[Any], request: PageRequest, url: str
) -> dict[str, Any]:
    """The v1 list envelope (voice.twilio.com/v1): the items under ``key`` and a ``meta`` whose
    links are absolute URLs (``url`` is the list's), which the SDK follows as given."""
    links = _links(page, request, _page_uri(request, url, {}))
    return {
        key: items,
        "meta": {
            "key": key,
            "page": request.page,
            "page_size": request.page_size,
            "url": links["uri"],
            "first_page_url": links["first_page_uri"],
            "next_page_url": links["next_page_uri"],
            "previous_page_url": links["previous_page_uri"],
        },
    }
