"""Errors every route shares: unknown paths, wrong methods, bad bodies, and the v3 error shape."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from phonograph.testing.server import ServerProcess
from tests.conftest import TestAccount
from tests.support.api import (
    ACCOUNTS,
    account_path,
    assert_error,
    assert_not_found,
    assert_unauthorized,
    key_path,
    keys_path,
    ok_json,
)

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
# The contract is 64 KiB; a literal, so that the limit in src cannot drift with the test.
MAX_BODY_BYTES = 64 * 1024
V3_ERROR_FIELDS = {"type", "title", "status", "code", "detail", "instance"}


def fetch_account(account: TestAccount) -> dict[str, Any]:
    return ok_json(account.http.get(account_path(account.sid)))


@pytest.fixture
def anonymous(server: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=10) as http:
        yield http


def assert_v3_error(response: httpx.Response, status: int, code: int, path: str) -> None:
    """RFC 9457 problem details, in the shape the SDK recognises for v3."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == V3_ERROR_FIELDS, body
    assert body["type"] == f"https://www.twilio.com/docs/api/errors/{code}"
    assert (body["status"], body["code"], body["instance"]) == (status, code, path)
    assert body["title"]
    assert body["detail"]


# --- unknown paths and methods --------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/nothing",
        "/2010-04-01/Nothing.json",
        "/2010-04-01/Accounts/{sid}/Nothing.json",
        "/2010-04-01/Accounts/{sid}.xml",
        "/2010-04-01/Accounts/{sid}/Keys/{sid}/More.json",
    ],
)
def test_unknown_path_is_not_found(account: TestAccount, path: str) -> None:
    assert_not_found(account.http.get(path.format(sid=account.sid)))


@pytest.mark.parametrize("path", ["/2010-04-01/Nothing.json", "/v2/Nothing", "/v3/Nothing"])
def test_unknown_path_without_credentials_is_unauthorized(anonymous: httpx.Client, path: str) -> None:
    response = anonymous.get(path)
    if path.startswith("/v3/"):
        assert_v3_error(response, 401, 20003, path)
        assert response.headers["WWW-Authenticate"].startswith("Basic ")
    else:
        assert_unauthorized(response)


def test_v3_error_shape(account: TestAccount) -> None:
    assert_v3_error(account.http.get("/v3/Nothing"), 404, 20404, "/v3/Nothing")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("DELETE", ACCOUNTS),
        ("PUT", ACCOUNTS),
        ("DELETE", "/2010-04-01/Accounts/{sid}.json"),
        ("PATCH", "/2010-04-01/Accounts/{sid}/Keys.json"),
        ("DELETE", "/2010-04-01/Accounts/{sid}/Keys.json"),
        ("PUT", "/2010-04-01/Accounts/{sid}/Keys/SK00000000000000000000000000000000.json"),
    ],
)
def test_wrong_method_is_refused(account: TestAccount, method: str, path: str) -> None:
    before = fetch_account(account)
    assert_error(account.http.request(method, path.format(sid=account.sid)), 405, 20004)
    assert fetch_account(account) == before


# --- bodies ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [b"FriendlyName=\xff\xfe", b"\xc3\x28=1", b"FriendlyName", b"FriendlyName=a&&Status=active"],
    ids=["invalid utf-8 value", "invalid utf-8 name", "no equals sign", "empty pair"],
)
def test_malformed_form_body_is_refused(account: TestAccount, body: bytes) -> None:
    before = fetch_account(account)
    response = account.http.post(account_path(account.sid), content=body, headers=FORM)
    assert_error(response, 400, 20001)
    assert fetch_account(account) == before
    assert_error(account.http.post(keys_path(account.sid), content=body, headers=FORM), 400, 20001)
    assert ok_json(account.http.get(keys_path(account.sid)))["keys"] == []


def _padded(total_bytes: int) -> bytes:
    """A form body of exactly ``total_bytes`` that renames the account (the padding is ignored)."""
    head = b"FriendlyName=padded&Padding="
    return head + b"a" * (total_bytes - len(head))


def test_body_of_64_kib_is_accepted(account: TestAccount) -> None:
    response = account.http.post(account_path(account.sid), content=_padded(MAX_BODY_BYTES), headers=FORM)
    assert ok_json(response)["friendly_name"] == "padded"


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_body_over_64_kib_is_refused(account: TestAccount, chunked: bool) -> None:
    body = _padded(MAX_BODY_BYTES + 1)
    content: bytes | Iterator[bytes] = iter([body[:1000], body[1000:]]) if chunked else body
    before = fetch_account(account)
    response = account.http.post(account_path(account.sid), content=content, headers=FORM)
    assert_error(response, 413, 20413)
    assert fetch_account(account) == before


def test_body_over_64_kib_creates_no_key(account: TestAccount) -> None:
    response = account.http.post(keys_path(account.sid), content=_padded(MAX_BODY_BYTES + 1), headers=FORM)
    assert_error(response, 413, 20413)
    assert ok_json(account.http.get(keys_path(account.sid)))["keys"] == []


def test_unknown_key_path_error_names_the_path(account: TestAccount) -> None:
    path = key_path(account.sid, "SK" + "0" * 32)
    response = account.http.get(path)
    assert_not_found(response)
    assert path in response.json()["message"]
