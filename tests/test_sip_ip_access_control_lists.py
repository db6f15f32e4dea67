"""SIP IP access control lists and their addresses
(``/2010-04-01/Accounts/{AccountSid}/SIP/IpAccessControlLists``) through the official SDK and raw
requests checked against Twilio's schema."""

from __future__ import annotations

import pytest

from tests.conftest import TestAccount
from tests.support.api import assert_invalid, assert_not_found, ok_json, sid_pattern

LIST_FIELDS = {
    "account_sid",
    "date_created",
    "date_updated",
    "friendly_name",
    "sid",
    "subresource_uris",
    "uri",
}
ADDRESS_FIELDS = {
    "account_sid",
    "cidr_prefix_length",
    "date_created",
    "date_updated",
    "friendly_name",
    "ip_access_control_list_sid",
    "ip_address",
    "sid",
    "uri",
}


def lists_path(account_sid: str) -> str:
    return f"/2010-04-01/Accounts/{account_sid}/SIP/IpAccessControlLists"


def test_a_list_and_its_addresses_are_made_read_changed_and_deleted(account: TestAccount) -> None:
    made = account.client.sip.ip_access_control_lists.create(friendly_name="carrier " + "x" * 200)
    assert sid_pattern("AL").fullmatch(made.sid)
    raw = ok_json(account.http.get(f"{lists_path(account.sid)}/{made.sid}.json"))
    assert set(raw) == LIST_FIELDS
    assert raw["subresource_uris"] == {
        "ip_addresses": f"{lists_path(account.sid)}/{made.sid}/IpAddresses.json"
    }
    addresses = account.client.sip.ip_access_control_lists(made.sid).ip_addresses
    office = addresses.create(friendly_name="office", ip_address="198.51.100.7")
    block = addresses.create(friendly_name="pbx farm", ip_address="203.0.113.0", cidr_prefix_length=24)
    assert sid_pattern("IP").fullmatch(office.sid)
    assert (office.cidr_prefix_length, block.cidr_prefix_length) == (32, 24)
    raw_entry = ok_json(
        account.http.get(f"{lists_path(account.sid)}/{made.sid}/IpAddresses/{block.sid}.json")
    )
    assert set(raw_entry) == ADDRESS_FIELDS
    assert (raw_entry["ip_address"], raw_entry["ip_access_control_list_sid"]) == ("203.0.113.0", made.sid)
    moved = addresses(office.sid).update(ip_address="198.51.100.8")
    assert (moved.ip_address, moved.friendly_name, moved.cidr_prefix_length) == ("198.51.100.8", "office", 32)
    assert sorted(item.sid for item in addresses.list()) == sorted([office.sid, block.sid])
    account.client.sip.ip_access_control_lists(made.sid).update(friendly_name="carrier")
    assert account.client.sip.ip_access_control_lists(made.sid).fetch().friendly_name == "carrier"
    assert account.client.sip.ip_access_control_lists(made.sid).delete()
    assert_not_found(account.http.get(f"{lists_path(account.sid)}/{made.sid}/IpAddresses/{block.sid}.json"))


@pytest.mark.parametrize(
    ("fields", "mentions"),
    [
        ({"FriendlyName": "v6", "IpAddress": "2001:db8::1"}, "IpAddress"),
        ({"FriendlyName": "name", "IpAddress": "pbx.example.com"}, "IpAddress"),
        ({"FriendlyName": "octets", "IpAddress": "300.1.2.3"}, "IpAddress"),
        ({"FriendlyName": "prefix", "IpAddress": "10.0.0.0", "CidrPrefixLength": "33"}, "CidrPrefixLength"),
        ({"IpAddress": "10.0.0.1"}, "FriendlyName"),
        ({"FriendlyName": "x" * 256, "IpAddress": "10.0.0.1"}, "FriendlyName"),
        ({"FriendlyName": "nothing"}, "IpAddress"),
    ],
)
def test_what_is_not_an_ipv4_entry_is_refused(
    account: TestAccount, fields: dict[str, str], mentions: str
) -> None:
    made = account.client.sip.ip_access_control_lists.create(friendly_name="rules")
    path = f"{lists_path(account.sid)}/{made.sid}/IpAddresses.json"
    assert_invalid(account.http.post(path, data=fields), mentions)
    assert ok_json(account.http.get(path))["ip_addresses"] == []


def test_a_list_holds_at_most_100_addresses(account: TestAccount) -> None:
    made = account.client.sip.ip_access_control_lists.create(friendly_name="full")
    path = f"{lists_path(account.sid)}/{made.sid}/IpAddresses.json"
    for index in range(100):
        ok_json(
            account.http.post(path, data={"FriendlyName": f"n{index}", "IpAddress": f"10.0.0.{index}"}), 201
        )
    assert_invalid(account.http.post(path, data={"FriendlyName": "one more", "IpAddress": "10.0.1.1"}), "100")


def test_no_account_reaches_another_accounts_lists(account: TestAccount, other_account: TestAccount) -> None:
    mine = account.client.sip.ip_access_control_lists.create(friendly_name="mine")
    entry = account.client.sip.ip_access_control_lists(mine.sid).ip_addresses.create(
        friendly_name="office", ip_address="198.51.100.7"
    )
    others = lists_path(other_account.sid)
    for path in (
        f"{others}/{mine.sid}.json",
        f"{others}/{mine.sid}/IpAddresses.json",
        f"{others}/{mine.sid}/IpAddresses/{entry.sid}.json",
    ):
        assert_not_found(other_account.http.get(path))
    assert_not_found(other_account.http.delete(f"{others}/{mine.sid}.json"))
    assert other_account.client.sip.ip_access_control_lists.list() == []
