"""Who may reach what: credentials, account status, API keys, and accounts that are out of reach."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from twilio.rest import Client

from phonograph.testing.server import ServerProcess
from tests.conftest import TestAccount
from tests.support.api import (
    ACCOUNTS,
    KEY_PROBE,
    account_path,
    assert_not_found,
    assert_unauthorized,
    http_client,
    key_path,
    keys_path,
    ok_json,
)


@pytest.fixture
def main_http(server: ServerProcess) -> Iterator[httpx.Client]:
    creds = server.credentials
    with http_client(server.base_url, creds.account_sid, creds.auth_token) as http:
        yield http


@dataclass(frozen=True)
class Key:
    sid: str
    secret: str


def create_key(http: httpx.Client, account_sid: str) -> Key:
    body = ok_json(http.post(keys_path(account_sid), data={"FriendlyName": "auth test"}), 201)
    return Key(body["sid"], body["secret"])


def basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def account_state(http: httpx.Client, sid: str) -> dict[str, Any]:
    """What a refused request must leave as it was: the account and its keys."""
    return {
        "account": ok_json(http.get(account_path(sid))),
        "keys": ok_json(http.get(keys_path(sid)))["keys"],
    }


# --- credentials ----------------------------------------------------------------------------------

# Each builds an Authorization header (None: no header) from the account's SID, token and a key.
BAD_CREDENTIALS: dict[str, Callable[[TestAccount, Key], str | None]] = {
    "no header": lambda a, k: None,
    "basic without credentials": lambda a, k: "Basic",
    "wrong token": lambda a, k: basic(a.sid, a.auth_token[::-1]),
    "empty token": lambda a, k: basic(a.sid, ""),
    "unknown account": lambda a, k: basic("AC" + "0" * 32, a.auth_token),
    "token as username": lambda a, k: basic(a.auth_token, a.sid),
    "bearer scheme": lambda a, k: f"Bearer {a.auth_token}",
    "not base64": lambda a, k: "Basic !!!",
    "no colon": lambda a, k: "Basic " + base64.b64encode(a.sid.encode()).decode(),
    "not utf-8": lambda a, k: "Basic " + base64.b64encode(a.sid.encode() + b":\xff\xfe").decode(),
    "wrong key secret": lambda a, k: basic(k.sid, k.secret[::-1]),
    "key with auth token": lambda a, k: basic(k.sid, a.auth_token),
    "unknown key": lambda a, k: basic("SK" + "0" * 32, k.secret),
}


@pytest.mark.parametrize("make_header", BAD_CREDENTIALS.values(), ids=BAD_CREDENTIALS.keys())
def test_bad_credentials_are_refused(
    server: ServerProcess, account: TestAccount, make_header: Callable[[TestAccount, Key], str | None]
) -> None:
    key = create_key(account.http, account.sid)
    header = make_header(account, key)
    headers = {} if header is None else {"Authorization": header}
    before = account_state(account.http, account.sid)
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=10) as http:
        assert_unauthorized(http.get(account_path(account.sid)))
        assert_unauthorized(http.post(account_path(account.sid), data={"FriendlyName": "changed"}))
        assert_unauthorized(http.post(keys_path(account.sid), data={"FriendlyName": "extra"}))
        assert_unauthorized(http.get(KEY_PROBE))
    assert account_state(account.http, account.sid) == before


def test_auth_token_reaches_its_account_and_its_subaccounts(
    main_http: httpx.Client, account: TestAccount
) -> None:
    key = create_key(account.http, account.sid)
    assert ok_json(account.http.get(account_path(account.sid)))["sid"] == account.sid
    assert ok_json(main_http.get(account_path(account.sid)))["sid"] == account.sid
    assert [item["sid"] for item in ok_json(main_http.get(keys_path(account.sid)))["keys"]] == [key.sid]


# --- account status -------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["suspended", "closed"])
def test_inactive_account_cannot_authenticate(
    server: ServerProcess, main_client: Client, account: TestAccount, status: str
) -> None:
    key = create_key(account.http, account.sid)
    main_client.api.v2010.accounts(account.sid).update(status=status)
    assert_unauthorized(account.http.get(account_path(account.sid)))
    assert_unauthorized(account.http.post(account_path(account.sid), data={"FriendlyName": "changed"}))
    with http_client(server.base_url, key.sid, key.secret) as as_key:
        assert_unauthorized(as_key.get(KEY_PROBE))
    fetched = main_client.api.v2010.accounts(account.sid).fetch()
    assert (fetched.status, fetched.friendly_name) == (status, "test")


def test_reactivated_account_authenticates_again(
    server: ServerProcess, main_client: Client, account: TestAccount, other_account: TestAccount
) -> None:
    key = create_key(account.http, account.sid)
    other_key = create_key(other_account.http, other_account.sid)
    main_client.api.v2010.accounts(account.sid).update(status="suspended")
    with (
        http_client(server.base_url, key.sid, key.secret) as as_key,
        http_client(server.base_url, other_key.sid, other_key.secret) as as_other_key,
    ):
        # A key authenticates as its own account: suspending one account stops only its keys.
        assert_unauthorized(as_key.get(KEY_PROBE))
        assert_not_found(as_other_key.get(KEY_PROBE))
        main_client.api.v2010.accounts(account.sid).update(status="active")
        assert_not_found(as_key.get(KEY_PROBE))
    assert ok_json(account.http.get(account_path(account.sid)))["status"] == "active"


# --- API keys and the Accounts and Keys resources -------------------------------------------------


def _requests_a_key_may_not_send(account_sid: str, key_sid: str) -> list[tuple[str, str, dict[str, str]]]:
    return [
        ("GET", ACCOUNTS, {}),
        ("POST", ACCOUNTS, {"FriendlyName": "by a key"}),
        ("GET", account_path(account_sid), {}),
        ("POST", account_path(account_sid), {"FriendlyName": "changed"}),
        ("POST", account_path(account_sid), {"Status": "closed"}),
        ("GET", keys_path(account_sid), {}),
        ("POST", keys_path(account_sid), {"FriendlyName": "by a key"}),
        ("GET", key_path(account_sid, key_sid), {}),
        ("POST", key_path(account_sid, key_sid), {"FriendlyName": "changed"}),
        ("DELETE", key_path(account_sid, key_sid), {}),
    ]


def test_api_key_cannot_use_accounts_or_keys(server: ServerProcess, account: TestAccount) -> None:
    key = create_key(account.http, account.sid)
    before = account_state(account.http, account.sid)
    with http_client(server.base_url, key.sid, key.secret) as as_key:
        for method, path, data in _requests_a_key_may_not_send(account.sid, key.sid):
            response = as_key.request(method, path, data=data or None)
            assert response.status_code == 401, (method, path, response.text)
            assert_unauthorized(response)
        assert_not_found(as_key.get(KEY_PROBE))
    assert account_state(account.http, account.sid) == before


def test_main_accounts_key_cannot_create_subaccounts(
    server: ServerProcess, main_client: Client, main_http: httpx.Client
) -> None:
    key = create_key(main_http, server.credentials.account_sid)
    newest = main_client.api.v2010.accounts.list(limit=1)[0].sid
    with http_client(server.base_url, key.sid, key.secret) as as_key:
        assert_unauthorized(as_key.post(ACCOUNTS, data={"FriendlyName": "by a key"}))
    assert main_client.api.v2010.accounts.list(limit=1)[0].sid == newest
    assert main_http.delete(key_path(server.credentials.account_sid, key.sid)).status_code == 204


# --- accounts out of reach ------------------------------------------------------------------------

OUT_OF_REACH = ["other subaccount", "parent", "unknown", "malformed"]


def _target(server: ServerProcess, other: TestAccount, which: str) -> str:
    return {
        "other subaccount": other.sid,
        "parent": server.credentials.account_sid,
        "unknown": "AC" + "0" * 32,
        "malformed": "ACnope",
    }[which]


@pytest.mark.parametrize("which", OUT_OF_REACH)
def test_account_out_of_reach_is_not_found(
    server: ServerProcess,
    main_http: httpx.Client,
    account: TestAccount,
    other_account: TestAccount,
    which: str,
) -> None:
    target = _target(server, other_account, which)
    exists = which in ("other subaccount", "parent")
    before = account_state(main_http, target) if exists else None
    http = account.http
    assert_not_found(http.get(account_path(target)))
    assert_not_found(http.post(account_path(target), data={"FriendlyName": "changed"}))
    assert_not_found(http.post(account_path(target), data={"Status": "suspended"}))
    assert_not_found(http.get(keys_path(target)))
    assert_not_found(http.post(keys_path(target), data={"FriendlyName": "planted"}))
    if exists:
        assert account_state(main_http, target) == before


def test_key_of_another_account_is_not_found_with_its_sid_in_the_path(
    account: TestAccount, other_account: TestAccount
) -> None:
    """The other account's own key, under the other account's path, with this account's token."""
    key = create_key(other_account.http, other_account.sid)
    before = account_state(other_account.http, other_account.sid)
    assert_not_found(account.http.get(key_path(other_account.sid, key.sid)))
    assert_not_found(account.http.post(key_path(other_account.sid, key.sid), data={"FriendlyName": "x"}))
    assert_not_found(account.http.delete(key_path(other_account.sid, key.sid)))
    assert account_state(other_account.http, other_account.sid) == before
