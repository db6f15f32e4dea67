"""Notifications (Twilio's debugger log) through the SDK: a call whose app fails leaves one per failure.

OpenAPI ``api.v2010.account.notification`` and ``…call.call_notification``: lists leave out the
request and response details, a fetch has them; ``error_code`` and ``log`` are strings.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs

import pytest

from phonograph.testing.kit import wait_for_call
from phonograph.testing.server import free_port
from phonograph.testing.webapp import WebApp
from tests.conftest import TestAccount
from tests.support.api import (
    API,
    RFC2822_RE,
    assert_invalid,
    assert_not_found,
    ok_json,
    rest_error,
    sid_pattern,
)

LIST_FIELDS = {
    "account_sid",
    "api_version",
    "call_sid",
    "date_created",
    "date_updated",
    "error_code",
    "log",
    "message_date",
    "message_text",
    "more_info",
    "request_method",
    "request_url",
    "sid",
    "uri",
}
DETAIL_FIELDS = {"request_variables", "response_body", "response_headers"}
FROM = "+15550108888"
TO = "+15550107777"  # neither a phone nor a number: a silent line that answers after 1 s
ERROR, WARNING = "0", "1"


def notifications_path(account_sid: str) -> str:
    return f"{API}/Accounts/{account_sid}/Notifications.json"


def call_notifications_path(account_sid: str, call_sid: str) -> str:
    return f"{API}/Accounts/{account_sid}/Calls/{call_sid}/Notifications.json"


def finished_calls(account: TestAccount, *urls: str) -> list[str]:
    """The SIDs of finished calls, one per app URL; made at once, they run side by side."""
    sids = [str(account.client.calls.create(to=TO, from_=FROM, url=url).sid) for url in urls]
    for sid in sids:
        assert wait_for_call(account.client, sid).status == "completed"
    return sids


def finished_call(account: TestAccount, url: str) -> str:
    [sid] = finished_calls(account, url)
    return sid


def closed_port_url() -> str:
    return f"http://127.0.0.1:{free_port()}/voice"


# Each way an app can fail, set up on the webapp, with the code Twilio's debugger records.
FAILURES: dict[str, tuple[Callable[[WebApp], str], str]] = {
    "http-500": (lambda app: app.fail("/voice", 500), "11200"),
    "closed-port": (lambda _app: closed_port_url(), "11205"),
    "malformed-xml": (lambda app: app.twiml("/voice", "<Response><Say>oops</Response>"), "12100"),
    "text-plain": (
        lambda app: app.respond("/voice", b"<Response/>", content_type="text/plain"),
        "12300",
    ),
}


@pytest.mark.parametrize("failure", FAILURES)
def test_each_app_failure_is_recorded_with_its_code(
    account: TestAccount, webapp: WebApp, failure: str
) -> None:
    setup, code = FAILURES[failure]
    url = setup(webapp)
    call_sid = finished_call(account, url)

    [listed] = account.client.notifications.list()
    assert listed.error_code == code
    assert listed.log == ERROR
    assert listed.call_sid == call_sid
    assert listed.request_url == url
    assert listed.request_method == "POST"
    assert listed.more_info == f"https://www.twilio.com/docs/errors/{code}"
    assert listed.message_text
    [in_call] = account.client.calls(call_sid).notifications.list()
    assert in_call.sid == listed.sid
    assert in_call.error_code == code


def test_list_items_and_fetches_have_exactly_the_schema_fields(account: TestAccount, webapp: WebApp) -> None:
    url = webapp.fail("/voice", 500)
    call_sid = finished_call(account, url)

    page = ok_json(account.http.get(notifications_path(account.sid)))
    [item] = page["notifications"]
    assert set(item) == LIST_FIELDS
    assert sid_pattern("NO").fullmatch(item["sid"])
    assert item["account_sid"] == account.sid
    assert item["api_version"] == "2010-04-01"
    for field in ("date_created", "date_updated", "message_date"):
        assert RFC2822_RE.fullmatch(item[field]), (field, item[field])
    assert item["error_code"] == "11200"
    assert item["log"] == "0"
    assert item["uri"] == f"{API}/Accounts/{account.sid}/Notifications/{item['sid']}.json"

    fetched = ok_json(account.http.get(item["uri"]))
    assert set(fetched) == LIST_FIELDS | DETAIL_FIELDS
    assert {name: fetched[name] for name in LIST_FIELDS} == item
    variables = parse_qs(fetched["request_variables"])
    assert variables["CallSid"] == [call_sid]
    assert variables["AccountSid"] == [account.sid]
    assert fetched["response_body"] == "failing on purpose with 500\n"
    assert parse_qs(fetched["response_headers"])["Content-Type"] == ["text/plain"]

    call_page = ok_json(account.http.get(call_notifications_path(account.sid, call_sid)))
    [call_item] = call_page["notifications"]
    assert set(call_item) == LIST_FIELDS
    assert (
        call_item["uri"] == f"{API}/Accounts/{account.sid}/Calls/{call_sid}/Notifications/{item['sid']}.json"
    )
    call_fetched = ok_json(account.http.get(call_item["uri"]))
    assert set(call_fetched) == LIST_FIELDS | DETAIL_FIELDS
    assert call_fetched == {**fetched, "uri": call_item["uri"]}


def test_sdk_fetch_returns_the_request_and_response(account: TestAccount, webapp: WebApp) -> None:
    url = webapp.fail("/voice", 503)
    call_sid = finished_call(account, url)
    [listed] = account.client.calls(call_sid).notifications.list()
    assert listed.request_variables is None  # lists leave the details out

    fetched = account.client.notifications(listed.sid).fetch()
    assert fetched.sid == listed.sid
    assert fetched.response_body == "failing on purpose with 503\n"
    assert parse_qs(fetched.request_variables or "")["CallSid"] == [call_sid]
    assert fetched.message_date == listed.message_date
    in_call = account.client.calls(call_sid).notifications(listed.sid).fetch()
    assert in_call.response_body == fetched.response_body
    assert in_call.error_code == "11200"


def test_url_and_fallback_failures_and_a_play_warning_are_all_recorded(
    account: TestAccount, webapp: WebApp
) -> None:
    """Url fails (error), FallbackUrl answers, and its <Play> of a missing file is a warning."""
    url = webapp.fail("/voice", 500)
    missing = webapp.url("/missing.wav")
    fallback = webapp.twiml("/fallback", f"<Response><Play>{missing}</Play></Response>")
    call = account.client.calls.create(
        to=TO, from_=FROM, url=url, fallback_url=fallback, fallback_method="GET"
    )
    wait_for_call(account.client, call.sid)
    webapp.wait_for("/missing.wav")

    newest_first = account.client.notifications.list()
    assert [(item.error_code, item.log) for item in newest_first] == [("11200", WARNING), ("11200", ERROR)]
    warning, error = newest_first
    assert error.request_url == url
    assert warning.request_url == missing
    assert warning.request_method == "GET"
    assert [item.sid for item in account.client.notifications.list(log=0)] == [error.sid]
    assert [item.sid for item in account.client.calls(call.sid).notifications.list(log=1)] == [warning.sid]


def test_message_date_filters_are_whole_inclusive_days(account: TestAccount, webapp: WebApp) -> None:
    finished_call(account, webapp.fail("/voice", 500))
    [item] = account.client.notifications.list()
    assert item.message_date is not None
    day = item.message_date.date()
    before, after = day - timedelta(days=1), day + timedelta(days=1)
    notifications = account.client.notifications

    def found(**filters: Any) -> bool:
        return [n.sid for n in notifications.list(**filters)] == [item.sid]

    assert found(message_date=day)
    assert not found(message_date=before)
    assert found(message_date_before=day)  # MessageDate<= (the SDK sends MessageDate<)
    assert not found(message_date_before=before)
    assert found(message_date_after=day)
    assert not found(message_date_after=after)
    assert found(message_date_after=before, message_date_before=after, log=0)


def test_paging_walks_every_notification_once(account: TestAccount, webapp: WebApp) -> None:
    finished_calls(account, *(webapp.fail(f"/voice{index}", 500) for index in range(3)))
    every = [item.sid for item in account.client.notifications.list()]
    assert len(every) == 3
    assert [item.sid for item in account.client.notifications.stream(page_size=2)] == every

    first = ok_json(account.http.get(notifications_path(account.sid), params={"PageSize": 2, "Log": 0}))
    assert [item["sid"] for item in first["notifications"]] == every[:2]
    assert (first["page"], first["page_size"], first["start"], first["end"]) == (0, 2, 0, 1)
    assert first["previous_page_uri"] is None
    assert "Log=0" in first["next_page_uri"]
    second = ok_json(account.http.get(first["next_page_uri"]))
    assert [item["sid"] for item in second["notifications"]] == every[2:]
    assert second["next_page_uri"] is None


def test_a_call_lists_only_its_own_notifications(account: TestAccount, webapp: WebApp) -> None:
    first, second = finished_calls(
        account, webapp.fail("/one", 500), webapp.twiml("/two", "<Response><Nope/></Response>")
    )
    [one] = account.client.calls(first).notifications.list()
    [two] = account.client.calls(second).notifications.list()
    assert (one.error_code, two.error_code) == ("11200", "12100")
    assert one.sid != two.sid
    path = f"{API}/Accounts/{account.sid}/Calls/{first}/Notifications/{two.sid}.json"
    assert_not_found(account.http.get(path))


def test_inline_twiml_that_does_not_parse_is_recorded(account: TestAccount) -> None:
    call = account.client.calls.create(to=TO, from_=FROM, twiml="<Response><Say>unclosed</Response>")
    wait_for_call(account.client, call.sid)
    [item] = account.client.calls(call.sid).notifications.list()
    assert (item.error_code, item.log) == ("12100", ERROR)


def test_a_call_that_works_records_nothing(account: TestAccount, webapp: WebApp) -> None:
    call = finished_call(account, webapp.twiml("/voice", "<Response><Pause length='1'/></Response>"))
    assert account.client.calls(call).notifications.list() == []
    assert account.client.notifications.list() == []
    empty = ok_json(account.http.get(notifications_path(account.sid)))
    assert (empty["notifications"], empty["start"], empty["end"], empty["next_page_uri"]) == ([], 0, 0, None)


def test_another_accounts_notifications_are_not_found(
    account: TestAccount, other_account: TestAccount, webapp: WebApp
) -> None:
    call_sid = finished_call(account, webapp.fail("/voice", 500))
    [item] = account.client.notifications.list()

    assert other_account.client.notifications.list() == []
    assert rest_error(lambda: other_account.client.notifications(item.sid).fetch()).status == 404
    in_call = other_account.client.calls(call_sid).notifications(item.sid)
    assert rest_error(lambda: in_call.fetch()).status == 404
    # The SDK's list raises a bare TwilioException on a 404 page, so check the wire instead.
    assert_not_found(other_account.http.get(call_notifications_path(other_account.sid, call_sid)))
    # Naming the owner's account with the other account's credentials is a 404 too.
    assert_not_found(other_account.http.get(notifications_path(account.sid)))
    assert_not_found(other_account.http.get(f"{API}/Accounts/{account.sid}/Notifications/{item.sid}.json"))


def test_unknown_sids_are_not_found(account: TestAccount) -> None:
    missing_no = "NO" + "0" * 32
    missing_ca = "CA" + "0" * 32
    assert_not_found(account.http.get(f"{API}/Accounts/{account.sid}/Notifications/{missing_no}.json"))
    assert_not_found(account.http.get(call_notifications_path(account.sid, missing_ca)))
    path = f"{API}/Accounts/{account.sid}/Calls/{missing_ca}/Notifications/{missing_no}.json"
    assert_not_found(account.http.get(path))


@pytest.mark.parametrize(
    ("name", "value"),
    [("Log", "2"), ("Log", "error"), ("MessageDate", "yesterday"), ("MessageDate<", "2024-13-01")],
)
def test_bad_filters_are_refused(account: TestAccount, name: str, value: str) -> None:
    assert_invalid(account.http.get(notifications_path(account.sid), params={name: value}), name)


def test_an_answer_no_store_can_hold_is_kept_storable(account: TestAccount, webapp: WebApp) -> None:
    """PostgreSQL refuses NUL in text; an app may answer with one (it once crashed the call)."""
    url = webapp.respond("/voice", b"oops\0bad", status=500, content_type="text/plain")
    call_sid = finished_call(account, url)
    [listed] = account.client.calls(call_sid).notifications.list()
    assert account.client.notifications(listed.sid).fetch().response_body == "oops\ufffdbad"
