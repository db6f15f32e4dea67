"""API keys (``/2010-04-01/Accounts/{AccountSid}/Keys``): create, list, fetch, rename, delete."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from twilio.rest import Client

from phonograph.testing.server import ServerProcess
from tests.conftest import TestAccount
from tests.support.api import (
    KEY_PROBE,
    RFC2822_RE,
    account_path,
    assert_invalid,
    assert_not_found,
    assert_unauthorized,
    http_client,
    key_path,
    keys_path,
    ok_json,
    sid_pattern,
)

KEY_FIELDS = {"sid", "friendly_name", "date_created", "date_updated"}


@pytest.fixture
def main_http(server: ServerProcess) -> Iterator[httpx.Client]:
    creds = server.credentials
    with http_client(server.base_url, creds.account_sid, creds.auth_token) as http:
        yield http


def create_key(http: httpx.Client, account_sid: str, name: str = "key") -> dict[str, Any]:
    return ok_json(http.post(keys_path(account_sid), data={"FriendlyName": name}), 201)


def listed_keys(http: httpx.Client, account_sid: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = ok_json(http.get(keys_path(account_sid), params={"PageSize": 1000}))["keys"]
    return items


def fetch_key(http: httpx.Client, account_sid: str, key_sid: str) -> dict[str, Any]:
    return ok_json(http.get(key_path(account_sid, key_sid)))


def test_create_shows_the_secret_once(account: TestAccount) -> None:
    created = create_key(account.http, account.sid, "ci")
    assert set(created) == {*KEY_FIELDS, "secret"}
    assert sid_pattern("SK").fullmatch(created["sid"])
    assert created["friendly_name"] == "ci"
    assert len(created["secret"]) >= 32
    for field in ("date_created", "date_updated"):
        assert RFC2822_RE.fullmatch(created[field]), created[field]
    without_secret = {k: v for k, v in created.items() if k != "secret"}
    assert fetch_key(account.http, account.sid, created["sid"]) == without_secret
    assert listed_keys(account.http, account.sid) == [without_secret]


def test_sdk_round_trip(account: TestAccount) -> None:
    api = account.client.api.v2010.accounts(account.sid)
    created = api.new_keys.create(friendly_name="sdk")
    assert created.secret
    fetched = api.keys(created.sid).fetch()
    assert (fetched.sid, fetched.friendly_name, fetched.date_created) == (
        created.sid,
        "sdk",
        created.date_created,
    )
    assert [key.sid for key in api.keys.list()] == [created.sid]
    assert api.keys(created.sid).update(friendly_name="renamed").friendly_name == "renamed"
    assert api.keys(created.sid).delete() is True
    assert api.keys.list() == []


def test_rename(account: TestAccount) -> None:
    key = create_key(account.http, account.sid, "before")
    renamed = ok_json(account.http.post(key_path(account.sid, key["sid"]), data={"FriendlyName": "after"}))
    assert renamed["friendly_name"] == "after"
    assert (renamed["sid"], renamed["date_created"]) == (key["sid"], key["date_created"])
    assert fetch_key(account.http, account.sid, key["sid"]) == renamed


def test_update_without_friendly_name_changes_nothing(account: TestAccount) -> None:
    key = create_key(account.http, account.sid)
    before = fetch_key(account.http, account.sid, key["sid"])
    assert ok_json(account.http.post(key_path(account.sid, key["sid"]))) == before
    assert fetch_key(account.http, account.sid, key["sid"]) == before


def test_friendly_name_of_64_characters_is_accepted(account: TestAccount) -> None:
    key = create_key(account.http, account.sid, "ü" * 64)
    assert fetch_key(account.http, account.sid, key["sid"])["friendly_name"] == "ü" * 64


def test_create_refuses_friendly_name_over_64_characters(account: TestAccount) -> None:
    assert_invalid(account.http.post(keys_path(account.sid), data={"FriendlyName": "x" * 65}), "FriendlyName")
    assert listed_keys(account.http, account.sid) == []


def test_rename_refuses_friendly_name_over_64_characters(account: TestAccount) -> None:
    key = create_key(account.http, account.sid)
    before = fetch_key(account.http, account.sid, key["sid"])
    response = account.http.post(key_path(account.sid, key["sid"]), data={"FriendlyName": "x" * 65})
    assert_invalid(response, "FriendlyName")
    assert fetch_key(account.http, account.sid, key["sid"]) == before


def test_delete(server: ServerProcess, account: TestAccount) -> None:
    kept = create_key(account.http, account.sid, "kept")
    gone = create_key(account.http, account.sid, "gone")
    with http_client(server.base_url, gone["sid"], gone["secret"]) as as_key:
        # Used just before: the server remembers it (api/principals.py), and must forget it.
        assert as_key.get(account_path(account.sid).removesuffix(".json") + "/Calls.json").status_code == 200
        response = account.http.delete(key_path(account.sid, gone["sid"]))
        assert response.status_code == 204
        assert response.content == b""
        assert_unauthorized(as_key.get(KEY_PROBE))
    assert_not_found(account.http.get(key_path(account.sid, gone["sid"])))
    assert_not_found(account.http.delete(key_path(account.sid, gone["sid"])))
    assert [key["sid"] for key in listed_keys(account.http, account.sid)] == [kept["sid"]]


def test_new_key_authenticates(server: ServerProcess, account: TestAccount) -> None:
    key = create_key(account.http, account.sid)
    with http_client(server.base_url, key["sid"], key["secret"]) as as_key:
        # Authenticated, and this account has no default configuration.
        assert_not_found(as_key.get(KEY_PROBE))
    with http_client(server.base_url, key["sid"], key["secret"] + "x") as wrong_secret:
        assert_unauthorized(wrong_secret.get(KEY_PROBE))


def test_owner_account_manages_its_subaccounts_keys(main_http: httpx.Client, account: TestAccount) -> None:
    key = create_key(main_http, account.sid, "from the owner")
    assert [item["sid"] for item in listed_keys(account.http, account.sid)] == [key["sid"]]
    assert fetch_key(main_http, account.sid, key["sid"])["friendly_name"] == "from the owner"


def _fetch(http: httpx.Client, path: str) -> httpx.Response:
    return http.get(path)


def _rename(http: httpx.Client, path: str) -> httpx.Response:
    return http.post(path, data={"FriendlyName": "hijacked"})


def _delete(http: httpx.Client, path: str) -> httpx.Response:
    return http.delete(path)


KEY_REQUESTS = pytest.mark.parametrize("send", [_fetch, _rename, _delete], ids=["fetch", "rename", "delete"])


@KEY_REQUESTS
@pytest.mark.parametrize("under", ["other", "main"])
def test_key_of_one_account_is_not_found_under_another(
    server: ServerProcess,
    main_http: httpx.Client,
    account: TestAccount,
    other_account: TestAccount,
    send: Callable[[httpx.Client, str], httpx.Response],
    under: str,
) -> None:
    key = create_key(account.http, account.sid)
    before = fetch_key(account.http, account.sid, key["sid"])
    if under == "other":
        assert_not_found(send(other_account.http, key_path(other_account.sid, key["sid"])))
    else:
        assert_not_found(send(main_http, key_path(server.credentials.account_sid, key["sid"])))
    assert fetch_key(account.http, account.sid, key["sid"]) == before


@KEY_REQUESTS
@pytest.mark.parametrize("key_sid", ["SK" + "0" * 32, "SKnope", "AC" + "0" * 32])
def test_unknown_key_is_not_found(
    account: TestAccount, send: Callable[[httpx.Client, str], httpx.Response], key_sid: str
) -> None:
    assert_not_found(send(account.http, key_path(account.sid, key_sid)))


def test_keys_list_is_empty_for_a_new_account(account: TestAccount, main_client: Client) -> None:
    assert account.client.api.v2010.accounts(account.sid).keys.list() == []
    assert main_client.api.v2010.accounts(account.sid).keys.list() == []
