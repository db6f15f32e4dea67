"""Accounts (``/2010-04-01/Accounts``): create, list, fetch, update and the status machine."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from twilio.rest import Client

from phonograph.core import parse_rfc2822
from phonograph.testing.server import ServerProcess
from tests.conftest import TestAccount
from tests.support.api import (
    ACCOUNTS,
    RFC2822_RE,
    account_path,
    assert_error,
    assert_invalid,
    assert_unauthorized,
    http_client,
    ok_json,
    rest_error,
    sid_pattern,
    unique_name,
)

SUBRESOURCES = {
    "calls": "Calls",
    "conferences": "Conferences",
    "incoming_phone_numbers": "IncomingPhoneNumbers",
    "keys": "Keys",
    "recordings": "Recordings",
    "transcriptions": "Transcriptions",
}


@pytest.fixture
def main_http(server: ServerProcess) -> Iterator[httpx.Client]:
    creds = server.credentials
    with http_client(server.base_url, creds.account_sid, creds.auth_token) as http:
        yield http


def newest_account_sid(main_client: Client) -> str:
    """The account created last on this server: unchanged means a refused create made nothing."""
    sid: str = main_client.api.v2010.accounts.list(limit=1)[0].sid
    return sid


def fetch_json(http: httpx.Client, sid: str) -> dict[str, Any]:
    return ok_json(http.get(account_path(sid)))


def assert_account_shape(body: dict[str, Any], *, sid: str, owner: str) -> None:
    assert body["sid"] == sid
    assert body["owner_account_sid"] == owner
    assert body["type"] == "Full"
    assert re.fullmatch(r"[0-9a-f]{32}", body["auth_token"])
    for field in ("date_created", "date_updated"):
        assert RFC2822_RE.fullmatch(body[field]), body[field]
    assert parse_rfc2822(body["date_updated"]) >= parse_rfc2822(body["date_created"])
    assert body["uri"] == account_path(sid)
    assert body["subresource_uris"] == {
        name: f"/2010-04-01/Accounts/{sid}/{path}.json" for name, path in SUBRESOURCES.items()
    }


# --- create ---------------------------------------------------------------------------------------


def test_create_returns_201_with_working_credentials(server: ServerProcess, main_http: httpx.Client) -> None:
    name = unique_name()
    body = ok_json(main_http.post(ACCOUNTS, data={"FriendlyName": name}), 201)
    assert sid_pattern("AC").fullmatch(body["sid"])
    assert body["friendly_name"] == name
    assert body["status"] == "active"
    assert_account_shape(body, sid=body["sid"], owner=server.credentials.account_sid)
    with http_client(server.base_url, body["sid"], body["auth_token"]) as http:
        assert fetch_json(http, body["sid"]) == body


def test_create_without_friendly_name_gets_a_default_name(main_http: httpx.Client) -> None:
    body = ok_json(main_http.post(ACCOUNTS), 201)
    assert body["friendly_name"].startswith("SubAccount Created at ")
    assert fetch_json(main_http, body["sid"])["friendly_name"] == body["friendly_name"]


def test_friendly_name_of_64_characters_is_accepted(main_client: Client) -> None:
    name = unique_name("é" * 47)
    assert len(name) == 64
    created = main_client.api.v2010.accounts.create(friendly_name=name)
    assert main_client.api.v2010.accounts(created.sid).fetch().friendly_name == name


def test_create_refuses_friendly_name_over_64_characters(
    main_client: Client, main_http: httpx.Client
) -> None:
    before = newest_account_sid(main_client)
    assert_invalid(main_http.post(ACCOUNTS, data={"FriendlyName": "x" * 65}), "FriendlyName")
    assert newest_account_sid(main_client) == before


def test_subaccount_cannot_create_subaccounts(main_client: Client, account: TestAccount) -> None:
    before = newest_account_sid(main_client)
    assert_unauthorized(account.http.post(ACCOUNTS, data={"FriendlyName": "grandchild"}))
    assert newest_account_sid(main_client) == before
    assert [item.sid for item in account.client.api.v2010.accounts.list()] == [account.sid]


# --- fetch ----------------------------------------------------------------------------------------


def test_subaccount_fetches_itself(server: ServerProcess, account: TestAccount) -> None:
    body = fetch_json(account.http, account.sid)
    assert_account_shape(body, sid=account.sid, owner=server.credentials.account_sid)
    assert body["auth_token"] == account.auth_token
    assert body["status"] == "active"
    fetched = account.client.api.v2010.accounts(account.sid).fetch()
    assert (fetched.sid, fetched.status, fetched.friendly_name) == (account.sid, "active", "test")


def test_main_account_owns_itself(server: ServerProcess, main_http: httpx.Client) -> None:
    sid = server.credentials.account_sid
    body = fetch_json(main_http, sid)
    assert_account_shape(body, sid=sid, owner=sid)
    assert body["auth_token"] == server.credentials.auth_token


def test_main_account_reaches_its_subaccounts(main_client: Client, account: TestAccount) -> None:
    fetched = main_client.api.v2010.accounts(account.sid).fetch()
    assert (fetched.sid, fetched.auth_token) == (account.sid, account.auth_token)


# --- list -----------------------------------------------------------------------------------------


def test_subaccount_lists_only_itself(account: TestAccount, other_account: TestAccount) -> None:
    body = ok_json(account.http.get(ACCOUNTS))
    assert [item["sid"] for item in body["accounts"]] == [account.sid]


def test_main_account_lists_itself_and_its_subaccounts(
    server: ServerProcess, main_client: Client, account: TestAccount, other_account: TestAccount
) -> None:
    sids = [item.sid for item in main_client.api.v2010.accounts.list(page_size=1000)]
    assert len(sids) == len(set(sids))
    assert {server.credentials.account_sid, account.sid, other_account.sid} <= set(sids)
    # Newest first: the main account was made before every subaccount.
    assert sids[-1] == server.credentials.account_sid
    assert sids.index(other_account.sid) < sids.index(account.sid)


def test_list_filters_by_friendly_name(main_client: Client) -> None:
    name = unique_name()
    made = [main_client.api.v2010.accounts.create(friendly_name=name).sid for _ in range(2)]
    main_client.api.v2010.accounts.create(friendly_name=unique_name())
    listed = main_client.api.v2010.accounts.list(friendly_name=name)
    assert [item.sid for item in listed] == made[::-1]


@pytest.mark.parametrize("status", ["active", "suspended", "closed"])
def test_list_filters_by_status(main_client: Client, status: str) -> None:
    name = unique_name()
    by_status: dict[str, str] = {}
    for each in ("active", "suspended", "closed"):
        sid = main_client.api.v2010.accounts.create(friendly_name=name).sid
        if each != "active":
            main_client.api.v2010.accounts(sid).update(status=each)
        by_status[each] = sid
    listed = main_client.api.v2010.accounts.list(friendly_name=name, status=status)
    assert [(item.sid, item.status) for item in listed] == [(by_status[status], status)]


def test_list_refuses_an_unknown_status(main_http: httpx.Client) -> None:
    assert_invalid(main_http.get(ACCOUNTS, params={"Status": "deleted"}), "Status")


# --- update ---------------------------------------------------------------------------------------


def test_subaccount_renames_itself(account: TestAccount) -> None:
    before = fetch_json(account.http, account.sid)
    updated = ok_json(account.http.post(account_path(account.sid), data={"FriendlyName": "renamed"}))
    assert updated["friendly_name"] == "renamed"
    assert updated["status"] == "active"
    assert parse_rfc2822(updated["date_updated"]) >= parse_rfc2822(before["date_updated"])
    assert updated["date_created"] == before["date_created"]
    assert fetch_json(account.http, account.sid) == updated


def test_update_without_parameters_changes_nothing(account: TestAccount) -> None:
    before = fetch_json(account.http, account.sid)
    after = ok_json(account.http.post(account_path(account.sid)))
    assert {k: v for k, v in after.items() if k != "date_updated"} == {
        k: v for k, v in before.items() if k != "date_updated"
    }


def test_update_refuses_friendly_name_over_64_characters(account: TestAccount) -> None:
    before = fetch_json(account.http, account.sid)
    assert_invalid(
        account.http.post(account_path(account.sid), data={"FriendlyName": "x" * 65}), "FriendlyName"
    )
    assert fetch_json(account.http, account.sid) == before


@pytest.mark.parametrize(
    "steps",
    [
        ["suspended"],
        ["suspended", "active"],
        ["suspended", "closed"],
        ["closed"],
        ["active"],
        ["suspended", "suspended"],
    ],
)
def test_owner_moves_status(main_client: Client, account: TestAccount, steps: list[str]) -> None:
    for status in steps:
        assert main_client.api.v2010.accounts(account.sid).update(status=status).status == status
        assert main_client.api.v2010.accounts(account.sid).fetch().status == status


@pytest.mark.parametrize("target", ["active", "suspended"])
def test_closed_is_final(main_client: Client, account: TestAccount, target: str) -> None:
    main_client.api.v2010.accounts(account.sid).update(status="closed")
    error = rest_error(lambda: main_client.api.v2010.accounts(account.sid).update(status=target))
    assert (error.status, error.code) == (400, 20001)
    assert "Status" in error.msg
    assert main_client.api.v2010.accounts(account.sid).fetch().status == "closed"


@pytest.mark.parametrize("status", ["deleted", "Active", ""])
def test_update_refuses_an_unknown_status(main_http: httpx.Client, account: TestAccount, status: str) -> None:
    before = fetch_json(main_http, account.sid)
    response = main_http.post(account_path(account.sid), data={"Status": status, "FriendlyName": "changed"})
    assert_invalid(response, "Status")
    assert fetch_json(main_http, account.sid) == before


def test_subaccount_cannot_change_its_own_status(main_http: httpx.Client, account: TestAccount) -> None:
    before = fetch_json(main_http, account.sid)
    response = account.http.post(
        account_path(account.sid), data={"Status": "closed", "FriendlyName": "changed"}
    )
    assert_unauthorized(response)
    assert fetch_json(main_http, account.sid) == before


def test_main_account_cannot_change_its_own_status(server: ServerProcess, main_http: httpx.Client) -> None:
    # Status=active would be harmless if it were wrongly accepted; the main account has no owner.
    sid = server.credentials.account_sid
    before = fetch_json(main_http, sid)
    assert_error(main_http.post(account_path(sid), data={"Status": "active"}), 401, 20003)
    assert fetch_json(main_http, sid) == before
