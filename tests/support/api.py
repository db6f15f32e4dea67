"""Paths and assertions shared by the v2010 API tests (Accounts, Keys, auth, paging, errors)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from twilio.base.exceptions import TwilioRestException

from tests.support.twilio_schema import assert_twilio_shape

API = "/2010-04-01"
ACCOUNTS = f"{API}/Accounts.json"
MORE_INFO = "https://www.twilio.com/docs/errors/"
RFC2822_RE = re.compile(r"[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000")
# The only route an API key may use so far: 404 when authenticated (no default set), 401 when not.
KEY_PROBE = "/v2/Configurations/Recording/Default"


def account_path(sid: str) -> str:
    return f"{API}/Accounts/{sid}.json"


def keys_path(account_sid: str) -> str:
    return f"{API}/Accounts/{account_sid}/Keys.json"


def key_path(account_sid: str, key_sid: str) -> str:
    return f"{API}/Accounts/{account_sid}/Keys/{key_sid}.json"


def sid_pattern(prefix: str) -> re.Pattern[str]:
    return re.compile(rf"{prefix}[0-9a-f]{{32}}")


def assert_error(response: httpx.Response, status: int, code: int, *, mentions: str | None = None) -> None:
    """A v2010 error body, exactly ``{code, message, more_info, status}``."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"code", "message", "more_info", "status"}, body
    assert body["code"] == code
    assert body["status"] == status
    assert body["more_info"] == f"{MORE_INFO}{code}"
    assert isinstance(body["message"], str)
    assert body["message"]
    if mentions is not None:
        assert mentions in body["message"], body["message"]
    if status == 401:
        assert response.headers["WWW-Authenticate"].startswith("Basic ")


def assert_unauthorized(response: httpx.Response) -> None:
    assert_error(response, 401, 20003)


def assert_not_found(response: httpx.Response) -> None:
    assert_error(response, 404, 20404)


def assert_invalid(response: httpx.Response, parameter: str) -> None:
    assert_error(response, 400, 20001, mentions=parameter)


def rest_error(call: Callable[[], object]) -> TwilioRestException:
    """The SDK's exception for a refused request."""
    with pytest.raises(TwilioRestException) as info:
        call()
    return info.value


def ok_json(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def check_twilio_schema(response: httpx.Response) -> None:
    """Every success answer on a path Twilio defines is what Twilio's schema says: every test's raw
    requests check it."""
    if response.is_success:
        response.read()
        content_type = response.headers.get("content-type", "")
        assert_twilio_shape(response.request.method, response.request.url.path, content_type, response.json)


def http_client(base_url: str, username: str, password: str) -> httpx.Client:
    return httpx.Client(
        base_url=base_url,
        auth=(username, password),
        timeout=10,
        event_hooks={"response": [check_twilio_schema]},
    )


def unique_name(label: str = "t") -> str:
    """A FriendlyName no other test uses, to filter a shared server's lists down to one test's items."""
    return f"{label}-{uuid.uuid4().hex[:16]}"
