"""v3 list paging: ``pageSize`` and ``pageToken`` in, ``meta`` out
(twilio.com/docs/configurations/batch-transcription-quickstart).

``meta`` is ``{key, pageSize, nextToken, previousToken}``; the SDK's ``TokenPagination`` follows
``nextToken`` by asking the same URL again with ``pageToken`` set. A token holds a keyset cursor
(store/paging.py) and a fingerprint of the filters that made it: "a token is valid only for the
filter set that produced it" (the OpenAPI), so a token used with other filters is a 400.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from phonograph.api.params import Params
from phonograph.core import InvalidParameter, as_utc
from phonograph.store import Cursor, Direction, Page, PageSpec

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_FINGERPRINT_CHARS = 16


def filters_fingerprint(filters: Mapping[str, str | None]) -> str:
    canonical = json.dumps(sorted((name, value) for name, value in filters.items() if value is not None))
    return hashlib.sha256(canonical.encode()).hexdigest()[:_FINGERPRINT_CHARS]


def encode_token(cursor: Cursor, fingerprint: str) -> str:
    micros = (as_utc(cursor.date_created) - _EPOCH) // _MICROSECOND
    raw = json.dumps([cursor.direction.value, micros, cursor.key, fingerprint], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_token(token: str, fingerprint: str) -> Cursor:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        direction, micros, key, made_for = json.loads(raw)
        cursor = Cursor(Direction(direction), _EPOCH + int(micros) * _MICROSECOND, str(key))
    except (ValueError, TypeError, OverflowError, UnicodeDecodeError, binascii.Error):
        raise InvalidParameter(f"Invalid 'pageToken': {token!r} is not a token this server issued") from None
    if made_for != fingerprint:
        raise InvalidParameter(
            "Invalid 'pageToken': it was issued for other filters; start again without a pageToken"
        )
    return cursor


@dataclass(frozen=True)
class TokenPageRequest:
    page_size: int
    cursor: Cursor | None
    fingerprint: str

    @classmethod
    def from_params(cls, params: Params, filters: Mapping[str, str | None]) -> TokenPageRequest:
        fingerprint = filters_fingerprint(filters)
        token = params.get_str("pageToken")
        size = params.get_int("pageSize", minimum=1)
        return cls(
            # "This endpoint caps at 100" (the SDK's page()): a larger size is capped, not refused,
            # so the SDK's list(limit=200), which asks for pageSize=200, reads two pages of 100.
            page_size=DEFAULT_PAGE_SIZE if size is None else min(size, MAX_PAGE_SIZE),
            cursor=decode_token(token, fingerprint) if token else None,
            fingerprint=fingerprint,
        )

    @property
    def spec(self) -> PageSpec:
        return PageSpec(self.page_size, self.cursor)


def render_token_page(
    key: str, items: list[dict[str, Any]], page: Page[Any], request: TokenPageRequest
) -> dict[str, Any]:
    """The v3 list envelope. ``pageSize`` is the number of items returned (the OpenAPI: "the actual
    number of resources returned in the response")."""
    next_token = previous_token = None
    if page.has_next and page.last_key is not None:
        next_token = encode_token(page.last_key, request.fingerprint)
    if request.cursor is not None and page.first_key is not None:
        previous_token = encode_token(page.first_key, request.fingerprint)
    return {
        key: items,
        "meta": {
            "key": key,
            "pageSize": len(items),
            "nextToken": next_token,
            "previousToken": previous_token,
        },
    }
