"""SIP credential lists and credentials (``/2010-04-01/Accounts/{AccountSid}/SIP/CredentialLists``)
through the official SDK and raw requests checked against Twilio's schema: what Twilio answers,
Twilio's rules and code 21240 for every one broken, no password in any answer or in the database,
and no account reaching another's lists."""

from __future__ import annotations

import pytest

from phonograph.core import DIGEST_REALM, DigestAlgorithm, ha1
from phonograph.testing.server import ServerProcess
from tests.conftest import TestAccount
from tests.support.api import RFC2822_RE, assert_error, assert_not_found, ok_json, rest_error, sid_pattern

PASSWORD = "IWasAtPhonograph2026"
CREDENTIAL_LIST_INVALID = 21240
LIST_FIELDS = {
    "account_sid",
    "date_created",
    "date_updated",
    "friendly_name",
    "sid",
    "subresource_uris",
    "uri",
}
CREDENTIAL_FIELDS = {
    "account_sid",
    "credential_list_sid",
    "date_created",
    "date_updated",
    "sid",
    "uri",
    "username",
}
on_sqlite = pytest.mark.parametrize("server", ["sqlite"], indirect=True)


def lists_path(account_sid: str) -> str:
    return f"/2010-04-01/Accounts/{account_sid}/SIP/CredentialLists"


def test_a_credential_list_is_made_read_renamed_and_deleted(account: TestAccount) -> None:
    made = account.client.sip.credential_lists.create(friendly_name="desk phones")
    assert sid_pattern("CL").fullmatch(made.sid)
    raw = ok_json(account.http.get(f"{lists_path(account.sid)}/{made.sid}.json"))
    assert set(raw) == LIST_FIELDS
    assert (raw["account_sid"], raw["friendly_name"]) == (account.sid, "desk phones")
    assert raw["uri"] == f"{lists_path(account.sid)}/{made.sid}.json"
    assert raw["subresource_uris"] == {
        "credentials": f"{lists_path(account.sid)}/{made.sid}/Credentials.json"
    }
    assert RFC2822_RE.fullmatch(raw["date_created"])
    assert [item.sid for item in account.client.sip.credential_lists.list()] == [made.sid]
    renamed = account.client.sip.credential_lists(made.sid).update(friendly_name="softphones")
    assert renamed.friendly_name == "softphones"
    assert account.client.sip.credential_lists(made.sid).delete()
    assert_not_found(account.http.get(f"{lists_path(account.sid)}/{made.sid}.json"))


def test_a_credential_keeps_no_password_in_any_answer(account: TestAccount) -> None:
    credential_list = account.client.sip.credential_lists.create(friendly_name="agents")
    credentials = account.client.sip.credential_lists(credential_list.sid).credentials
    made = credentials.create(username="alice", password=PASSWORD)
    assert sid_pattern("CR").fullmatch(made.sid)
    assert (made.username, made.credential_list_sid, made.account_sid) == (
        "alice",
        credential_list.sid,
        account.sid,
    )
    path = f"{lists_path(account.sid)}/{credential_list.sid}/Credentials"
    answers = [
        account.http.get(f"{path}/{made.sid}.json"),
        account.http.get(f"{path}.json"),
        account.http.post(f"{path}/{made.sid}.json", data={"Password": "An0therGoodPassword"}),
    ]
    assert set(ok_json(answers[0])) == CREDENTIAL_FIELDS
    assert [item["sid"] for item in ok_json(answers[1])["credentials"]] == [made.sid]
    for answer in answers:
        assert PASSWORD not in answer.text
        assert "An0therGoodPassword" not in answer.text
    credentials(made.sid).delete()
    assert credentials.list() == []


@pytest.mark.parametrize(
    ("fields", "mentions"),
    [
        ({"Username": "bob", "Password": "Sh0rtPass"}, "Password"),  # 9 characters
        ({"Username": "bob", "Password": "nodigitsatallHere"}, "Password"),
        ({"Username": "bob", "Password": "alllowercase2026"}, "Password"),
        ({"Username": "bob", "Password": "ALLUPPERCASE2026"}, "Password"),
        ({"Username": "bob"}, "Password"),
        ({"Password": PASSWORD}, "Username"),
        ({"Username": "b" * 33, "Password": PASSWORD}, "Username"),
        ({"Username": "bob@example.com", "Password": PASSWORD}, "Username"),
        ({"Username": "bob smith", "Password": PASSWORD}, "Username"),
    ],
)
def test_twilios_rules_are_kept_with_21240(
    account: TestAccount, fields: dict[str, str], mentions: str
) -> None:
    credential_list = account.client.sip.credential_lists.create(friendly_name="rules")
    path = f"{lists_path(account.sid)}/{credential_list.sid}/Credentials.json"
    assert_error(account.http.post(path, data=fields), 400, CREDENTIAL_LIST_INVALID, mentions=mentions)
    assert ok_json(account.http.get(path))["credentials"] == []


def test_names_are_unique_where_twilio_says(account: TestAccount) -> None:
    account.client.sip.credential_lists.create(friendly_name="taken")
    refused = rest_error(lambda: account.client.sip.credential_lists.create(friendly_name="taken"))
    assert (refused.status, refused.code) == (400, CREDENTIAL_LIST_INVALID)
    assert_error(account.http.post(f"{lists_path(account.sid)}.json", data={}), 400, CREDENTIAL_LIST_INVALID)
    second = account.client.sip.credential_lists.create(friendly_name="other")
    credentials = account.client.sip.credential_lists(second.sid).credentials
    credentials.create(username="carol", password=PASSWORD)
    refused = rest_error(lambda: credentials.create(username="carol", password=PASSWORD))
    assert (refused.status, refused.code) == (400, CREDENTIAL_LIST_INVALID)


def test_no_account_reaches_another_accounts_lists(account: TestAccount, other_account: TestAccount) -> None:
    mine = account.client.sip.credential_lists.create(friendly_name="mine")
    credential = account.client.sip.credential_lists(mine.sid).credentials.create(
        username="dave", password=PASSWORD
    )
    theirs = other_account.client.sip.credential_lists.create(friendly_name="theirs")
    others = lists_path(other_account.sid)
    for path in (
        f"{others}/{mine.sid}.json",
        f"{others}/{mine.sid}/Credentials.json",
        f"{others}/{mine.sid}/Credentials/{credential.sid}.json",
        f"{others}/{theirs.sid}/Credentials/{credential.sid}.json",
    ):
        assert_not_found(other_account.http.get(path))
    for path in (f"{others}/{mine.sid}.json", f"{others}/{theirs.sid}/Credentials/{credential.sid}.json"):
        assert_not_found(other_account.http.delete(path))
    assert [item.sid for item in other_account.client.sip.credential_lists.list()] == [theirs.sid]
    assert (
        account.client.sip.credential_lists(mine.sid).credentials(credential.sid).fetch().username == "dave"
    )


@on_sqlite
def test_the_database_holds_the_digest_hash_never_the_password(
    server: ServerProcess, account: TestAccount
) -> None:
    credential_list = account.client.sip.credential_lists.create(friendly_name="stored")
    account.client.sip.credential_lists(credential_list.sid).credentials.create(
        username="erin", password=PASSWORD
    )
    stored = b"".join(path.read_bytes() for path in server.data_dir.glob("phonograph.db*"))
    assert PASSWORD.encode() not in stored
    assert ha1("erin", DIGEST_REALM, PASSWORD, DigestAlgorithm.SHA256).encode() in stored
