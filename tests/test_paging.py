"""v2010 list paging: the SDK's iteration, and the page envelope as the wire carries it
(twilio.com/docs/usage/requests-to-twilio)."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from twilio.rest import Client

from tests.conftest import TestAccount
from tests.support.api import ACCOUNTS, assert_invalid, keys_path, ok_json, unique_name

URI_FIELDS = ("uri", "first_page_uri", "next_page_uri", "previous_page_uri")


def make_keys(account: TestAccount, count: int) -> list[str]:
    """``count`` new keys of ``account``, newest first (the order lists return)."""
    sids = [
        ok_json(account.http.post(keys_path(account.sid), data={"FriendlyName": f"k{i}"}), 201)["sid"]
        for i in range(count)
    ]
    return sids[::-1]


def make_accounts(main_client: Client, count: int) -> tuple[str, list[str]]:
    """A FriendlyName and ``count`` new accounts that carry it, newest first."""
    name = unique_name()
    sids = [main_client.api.v2010.accounts.create(friendly_name=name).sid for _ in range(count)]
    return name, sids[::-1]


def get_page(account: TestAccount, uri: str) -> dict[str, Any]:
    page = ok_json(account.http.get(uri))
    for field in URI_FIELDS:
        value = page[field]
        assert value is None or (value.startswith("/2010-04-01/") and "://" not in value), (field, value)
    return page


def query(uri: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(uri).query)


def sids(page: dict[str, Any], key: str = "keys") -> list[str]:
    return [item["sid"] for item in page[key]]


# --- through the SDK ------------------------------------------------------------------------------


@pytest.mark.parametrize("page_size", [1, 2, 5, 6])
def test_sdk_lists_every_key_once_newest_first(account: TestAccount, page_size: int) -> None:
    made = make_keys(account, 5)
    keys = account.client.api.v2010.accounts(account.sid).keys
    assert [key.sid for key in keys.list(page_size=page_size)] == made
    assert [key.sid for key in keys.stream(page_size=page_size)] == made


def test_sdk_limit_stops_early(account: TestAccount) -> None:
    made = make_keys(account, 5)
    keys = account.client.api.v2010.accounts(account.sid).keys
    assert [key.sid for key in keys.list(limit=3, page_size=2)] == made[:3]


def test_sdk_lists_filtered_accounts_across_pages(main_client: Client) -> None:
    name, made = make_accounts(main_client, 5)
    accounts = main_client.api.v2010.accounts
    assert [item.sid for item in accounts.list(friendly_name=name, page_size=2)] == made
    assert [item.sid for item in accounts.stream(friendly_name=name, page_size=3)] == made
    assert [item.sid for item in accounts.list(friendly_name=name, status="active", page_size=1)] == made


def test_sdk_walks_all_of_the_main_accounts_list(main_client: Client) -> None:
    _, made = make_accounts(main_client, 3)
    walked = [item.sid for item in main_client.api.v2010.accounts.list(page_size=7)]
    whole = [item.sid for item in main_client.api.v2010.accounts.list(page_size=1000)]
    assert walked == whole
    assert len(set(walked)) == len(walked)
    assert walked[:3] == made


def test_sdk_pages_forward_and_back(account: TestAccount) -> None:
    made = make_keys(account, 5)
    keys = account.client.api.v2010.accounts(account.sid).keys
    pages = [keys.page(page_size=2)]
    while (following := pages[-1].next_page()) is not None:
        pages.append(following)
    assert [[key.sid for key in page] for page in pages] == [made[0:2], made[2:4], made[4:5]]
    backward = [pages[-1]]
    while (preceding := backward[-1].previous_page()) is not None:
        backward.append(preceding)
    assert [[key.sid for key in page] for page in backward[1:]] == [made[2:4], made[0:2]]
    # A page reached going back links forward again.
    forward_again = backward[-1].next_page()
    assert forward_again is not None
    assert [key.sid for key in forward_again] == made[2:4]


# --- the envelope ---------------------------------------------------------------------------------


def test_envelope_of_first_and_last_pages(account: TestAccount) -> None:
    made = make_keys(account, 3)
    path = keys_path(account.sid)
    first = get_page(account, f"{path}?PageSize=2")
    assert set(first) == {"keys", "page", "page_size", "start", "end", *URI_FIELDS}
    assert sids(first) == made[:2]
    assert (first["page"], first["page_size"], first["start"], first["end"]) == (0, 2, 0, 1)
    assert first["previous_page_uri"] is None
    assert urlsplit(first["uri"]).path == path
    assert query(first["uri"]) == {"PageSize": ["2"], "Page": ["0"]}
    assert first["first_page_uri"] == first["uri"]
    next_query = query(first["next_page_uri"])
    assert (next_query["Page"], next_query["PageSize"]) == (["1"], ["2"])
    assert next_query["PageToken"][0].startswith("PA")

    last = get_page(account, first["next_page_uri"])
    assert sids(last) == made[2:]
    assert (last["page"], last["page_size"], last["start"], last["end"]) == (1, 2, 2, 2)
    assert last["next_page_uri"] is None
    assert last["uri"] == first["next_page_uri"]
    assert last["first_page_uri"] == first["first_page_uri"]
    previous_query = query(last["previous_page_uri"])
    assert previous_query["Page"] == ["0"]
    assert previous_query["PageToken"][0].startswith("PB")

    back = get_page(account, last["previous_page_uri"])
    assert sids(back) == made[:2]
    assert (back["page"], back["start"], back["end"], back["previous_page_uri"]) == (0, 0, 1, None)
    assert sids(get_page(account, back["next_page_uri"])) == made[2:]
    assert sids(get_page(account, last["first_page_uri"])) == made[:2]
    assert sids(get_page(account, last["uri"])) == made[2:]


def test_envelope_of_an_empty_list(account: TestAccount) -> None:
    page = get_page(account, keys_path(account.sid))
    assert page["keys"] == []
    assert (page["page"], page["page_size"], page["start"], page["end"]) == (0, 50, 0, 0)
    assert page["next_page_uri"] is None
    assert page["previous_page_uri"] is None


def test_default_page_size_is_50(account: TestAccount) -> None:
    made = make_keys(account, 51)
    page = get_page(account, keys_path(account.sid))
    assert sids(page) == made[:50]
    assert (page["page_size"], page["end"]) == (50, 49)
    assert sids(get_page(account, page["next_page_uri"])) == made[50:]


@pytest.mark.parametrize("page_size", [1, 1000])
def test_page_size_bounds_are_accepted(account: TestAccount, page_size: int) -> None:
    made = make_keys(account, 2)
    page = get_page(account, f"{keys_path(account.sid)}?PageSize={page_size}")
    assert sids(page) == made[:page_size]
    assert page["page_size"] == page_size


def test_filters_are_kept_in_the_page_links(account: TestAccount) -> None:
    page = get_page(account, f"{ACCOUNTS}?FriendlyName=test&Status=active&PageSize=1")
    assert sids(page, "accounts") == [account.sid]
    for field in ("uri", "first_page_uri"):
        assert query(page[field]) == {
            "FriendlyName": ["test"],
            "Status": ["active"],
            "PageSize": ["1"],
            "Page": ["0"],
        }


def test_next_page_is_stable_when_items_are_added(account: TestAccount) -> None:
    made = make_keys(account, 4)
    first = get_page(account, f"{keys_path(account.sid)}?PageSize=2")
    make_keys(account, 1)
    assert sids(get_page(account, first["next_page_uri"])) == made[2:]


@pytest.mark.parametrize(
    ("page", "expected"),
    [(0, slice(0, 2)), (1, slice(2, 4)), (2, slice(4, 5)), (3, slice(5, 5))],
)
def test_page_without_a_token_is_reached_by_offset(account: TestAccount, page: int, expected: slice) -> None:
    made = make_keys(account, 5)
    body = get_page(account, f"{keys_path(account.sid)}?PageSize=2&Page={page}")
    assert sids(body) == made[expected]
    assert (body["page"], body["start"]) == (page, page * 2)
    assert (body["next_page_uri"] is None) == (page >= 2)


# --- refused parameters ---------------------------------------------------------------------------


def _token(raw: bytes, prefix: str = "PA") -> str:
    return prefix + base64.urlsafe_b64encode(raw).decode().rstrip("=")


# PageToken parsing is covered case by case in tests/unit/test_paging_tokens.py.
BAD_PARAMETERS = [
    ("PageSize", "0"),
    ("PageSize", "1001"),
    ("PageSize", "abc"),
    ("PageSize", ""),
    ("Page", "-1"),
    ("Page", "abc"),
    ("PageToken", "garbage"),
    ("PageToken", "PA!!!"),
    ("PageToken", _token(b"inf|AC00")),
    ("PageToken", _token(b"1700000000.000000|AC00", prefix="PC")),
]


@pytest.mark.parametrize(("name", "value"), BAD_PARAMETERS)
def test_bad_paging_parameters_are_refused(account: TestAccount, name: str, value: str) -> None:
    assert_invalid(account.http.get(keys_path(account.sid), params={name: value}), name)


@pytest.mark.parametrize(("name", "value"), [("PageSize", "1001"), ("PageToken", "garbage")])
def test_bad_paging_parameters_are_refused_on_accounts(account: TestAccount, name: str, value: str) -> None:
    assert_invalid(account.http.get(ACCOUNTS, params={name: value}), name)
