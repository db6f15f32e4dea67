"""The Call resource through the SDK: fields, the status lifecycle, updates, deletes, lists, bad input.

Calls go to virtual phones (``/phonograph/v1/Phones``) or to numbers nobody scripted, which answer
after 1 s of media time and stay silent. Media runs at 10× (``PHONOGRAPH_SPEED``), so a call's
``duration`` (media seconds) is ten times what the wall clock saw.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import pytest

from phonograph.testing.audio import active_spans, detect_dtmf
from phonograph.testing.kit import add_phone, wait_for_call
from phonograph.testing.webapp import WebApp
from tests.conftest import TestAccount
from tests.support.api import (
    API,
    RFC2822_RE,
    assert_error,
    assert_invalid,
    assert_not_found,
    ok_json,
    rest_error,
    sid_pattern,
)
from tests.support.calls import tracks

FROM = "+15550109999"
SILENT = "+14155550100"  # neither a phone nor a number: answers after 1 s, silent
LONG_PAUSE = "<Response><Pause length='600'/></Response>"
SHORT_PAUSE = "<Response><Pause length='1'/></Response>"
CALL_FIELDS = {
    "account_sid",
    "answered_by",
    "api_version",
    "caller_name",
    "date_created",
    "date_updated",
    "direction",
    "duration",
    "end_time",
    "forwarded_from",
    "from",
    "from_formatted",
    "group_sid",
    "parent_call_sid",
    "phone_number_sid",
    "price",
    "price_unit",
    "queue_time",
    "sid",
    "start_time",
    "status",
    "subresource_uris",
    "to",
    "to_formatted",
    "trunk_sid",
    "uri",
}
# twilio.com/docs/voice/api/call-resource; the paths as in the OpenAPI example of a Call.
SUBRESOURCE_PATHS = {
    "notifications": "Notifications",
    "recordings": "Recordings",
    "payments": "Payments",
    "events": "Events",
    "siprec": "Siprec",
    "streams": "Streams",
    "transcriptions": "Transcriptions",
    "user_defined_message_subscriptions": "UserDefinedMessageSubscriptions",
    "user_defined_messages": "UserDefinedMessages",
}
LIVE = ("queued", "ringing", "in-progress")


def calls_path(account_sid: str) -> str:
    return f"{API}/Accounts/{account_sid}/Calls.json"


def call_path(account_sid: str, call_sid: str) -> str:
    return f"{API}/Accounts/{account_sid}/Calls/{call_sid}.json"


def call_to(account: TestAccount, to: str = SILENT, twiml: str = SHORT_PAUSE, **extra: Any) -> str:
    return str(account.client.calls.create(to=to, from_=FROM, twiml=twiml, **extra).sid)


def in_progress_call(account: TestAccount, twiml: str = LONG_PAUSE) -> str:
    sid = call_to(account, twiml=twiml)
    wait_for_call(account.client, sid, ("in-progress",))
    return sid


def ringing_call(account: TestAccount, number: str = "+15550103001") -> str:
    add_phone(account.http, number, answer_after_s=60)
    sid = call_to(account, number, LONG_PAUSE)
    wait_for_call(account.client, sid, ("ringing",))
    return sid


def assert_call_json(body: dict[str, Any], account: TestAccount) -> None:
    """Every field of OpenAPI ``api.v2010.account.call``, each with its type."""
    assert set(body) == CALL_FIELDS
    assert sid_pattern("CA").fullmatch(body["sid"])
    assert body["account_sid"] == account.sid
    assert (body["to"], body["to_formatted"]) == (SILENT, "(415) 555-0100")
    assert (body["from"], body["from_formatted"]) == (FROM, "(555) 010-9999")
    assert body["direction"] == "outbound-api"
    assert body["api_version"] == "2010-04-01"
    assert body["price_unit"] == "USD"
    assert isinstance(body["queue_time"], str)
    for field in ("parent_call_sid", "phone_number_sid", "group_sid", "trunk_sid", "answered_by"):
        assert body[field] is None, field
    for field in ("forwarded_from", "caller_name", "price"):
        assert body[field] is None, field
    for field in ("date_created", "date_updated"):
        assert RFC2822_RE.fullmatch(body[field]), (field, body[field])
    base = f"{API}/Accounts/{account.sid}/Calls/{body['sid']}"
    assert body["uri"] == f"{base}.json"
    assert body["subresource_uris"] == {
        name: f"{base}/{path}.json" for name, path in SUBRESOURCE_PATHS.items()
    }


# --- fields -----------------------------------------------------------------------------------------


def test_create_answers_a_queued_call_with_every_field(account: TestAccount) -> None:
    response = account.http.post(
        calls_path(account.sid), data={"To": SILENT, "From": FROM, "Twiml": SHORT_PAUSE}
    )
    created = ok_json(response, 201)
    assert_call_json(created, account)
    assert created["status"] == "queued"
    assert (created["start_time"], created["end_time"], created["duration"]) == (None, None, None)
    wait_for_call(account.client, created["sid"])


def test_an_ended_call_has_every_field_and_resolvable_uris(account: TestAccount) -> None:
    sid = call_to(account)
    wait_for_call(account.client, sid)
    body = ok_json(account.http.get(call_path(account.sid, sid)))
    assert_call_json(body, account)
    assert body["status"] == "completed"
    for field in ("start_time", "end_time"):
        assert RFC2822_RE.fullmatch(body[field]), (field, body[field])
    assert isinstance(body["duration"], str)
    assert body["duration"].isdigit()
    # Relative URIs that the server answers (the SDK appends them to its base URL).
    assert ok_json(account.http.get(body["uri"])) == body
    notifications = ok_json(account.http.get(body["subresource_uris"]["notifications"]))
    assert notifications["notifications"] == []

    call = account.client.calls(sid).fetch()
    assert isinstance(call.duration, str)
    assert isinstance(call.start_time, datetime)
    assert isinstance(call.end_time, datetime)
    assert isinstance(call.date_created, datetime)
    assert call.start_time <= call.end_time
    assert call.to_formatted == "(415) 555-0100"
    assert call.direction == "outbound-api"


# --- status lifecycle -------------------------------------------------------------------------------


def test_status_goes_queued_ringing_in_progress_completed(account: TestAccount, webapp: WebApp) -> None:
    # Each state lasts 5 s of media (0.5 s of wall time): long enough for polling to see it.
    add_phone(account.http, "+15550102001", answer_after_s=5)
    status_url = webapp.twiml("/status", "<Response/>")
    call = account.client.calls.create(
        to="+15550102001",
        from_=FROM,
        twiml="<Response><Pause length='5'/></Response>",
        status_callback=status_url,
        status_callback_event=["initiated", "ringing", "answered", "completed"],
    )
    assert call.status == "queued"
    ringing = wait_for_call(account.client, call.sid, ("ringing", "in-progress", "completed"))
    assert ringing.status == "ringing"
    assert ringing.start_time is not None
    assert ringing.duration is None
    answered = wait_for_call(account.client, call.sid, ("in-progress", "completed"))
    assert answered.status == "in-progress"
    assert answered.duration is None
    done = wait_for_call(account.client, call.sid)
    assert done.status == "completed"
    assert done.duration is not None

    hits = webapp.wait_for("/status", count=4)
    by_sequence = sorted(hits, key=lambda hit: int(hit.param("SequenceNumber") or -1))
    assert [hit.param("CallStatus") for hit in by_sequence] == [
        "initiated",
        "ringing",
        "in-progress",
        "completed",
    ]
    assert all(hit.param("CallSid") == call.sid for hit in hits)


def test_a_phone_that_does_not_answer_ends_the_call_with_its_status(account: TestAccount) -> None:
    outcomes = {"+15550102002": "busy", "+15550102003": "no-answer", "+15550102004": "failed"}
    for number, answer in outcomes.items():
        add_phone(account.http, number, answer=answer, answer_after_s=1)
    sids = {call_to(account, number, timeout=2): answer for number, answer in outcomes.items()}
    for sid, answer in sids.items():
        done = wait_for_call(account.client, sid)
        assert done.status == answer
        assert done.duration is None  # Twilio: empty for busy, failed and unanswered calls
        assert done.start_time is not None
        assert done.end_time is not None


def test_timeout_shorter_than_the_phone_takes_to_answer_is_no_answer(account: TestAccount) -> None:
    add_phone(account.http, "+15550102003", answer_after_s=5)
    sid = call_to(account, "+15550102003", timeout=2)
    done = wait_for_call(account.client, sid)
    assert done.status == "no-answer"
    assert done.duration is None


def test_timeout_longer_than_the_phone_takes_to_answer_connects(account: TestAccount) -> None:
    add_phone(account.http, "+15550102004", answer_after_s=2)
    sid = call_to(account, "+15550102004", timeout=3)
    assert wait_for_call(account.client, sid).status == "completed"


def test_duration_is_the_media_length_of_the_call(account: TestAccount) -> None:
    # Pause 3 s of media: at 10x speed that is 0.3 s of wall time, so "3" can only be media time.
    sid = call_to(account, twiml="<Response><Pause length='3'/></Response>")
    done = wait_for_call(account.client, sid)
    assert done.status == "completed"
    assert done.duration is not None
    assert abs(int(done.duration) - 3) <= 1


# --- update -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["canceled", "completed"])
def test_ending_a_ringing_call_cancels_it(account: TestAccount, status: str) -> None:
    sid = ringing_call(account)
    updated = account.client.calls(sid).update(status=status)
    assert updated.status == "canceled"
    assert updated.duration is None
    assert updated.end_time is not None
    assert account.client.calls(sid).fetch().status == "canceled"


def test_completing_an_in_progress_call_hangs_it_up(account: TestAccount) -> None:
    sid = in_progress_call(account)
    updated = account.client.calls(sid).update(status="completed")
    assert updated.status == "completed"
    assert updated.duration is not None
    assert int(updated.duration) < 60  # ended long before its 600 s pause
    assert updated.end_time is not None


def test_canceling_an_in_progress_call_leaves_it_alone(account: TestAccount) -> None:
    sid = in_progress_call(account)
    assert account.client.calls(sid).update(status="canceled").status == "in-progress"
    assert account.client.calls(sid).fetch().status == "in-progress"
    assert account.client.calls(sid).update(status="completed").status == "completed"


def test_update_with_twiml_replaces_the_running_program(account: TestAccount, webapp: WebApp) -> None:
    next_url = webapp.twiml("/next", "<Response><Hangup/></Response>")
    sid = in_progress_call(account)
    twiml = f"<Response><Redirect>{next_url}</Redirect></Response>"
    assert account.client.calls(sid).update(twiml=twiml).status == "in-progress"
    [hit] = webapp.wait_for("/next")
    assert hit.method == "POST"
    assert hit.param("CallSid") == sid
    assert hit.param("CallStatus") == "in-progress"
    assert webapp.valid_signature(hit, account.auth_token)
    done = wait_for_call(account.client, sid)
    assert done.status == "completed"
    assert int(done.duration) < 60  # the 600 s pause did not run to its end


def test_update_with_url_fetches_it_with_the_method(account: TestAccount, webapp: WebApp) -> None:
    next_url = webapp.twiml("/next", "<Response><Hangup/></Response>")
    sid = in_progress_call(account)
    account.client.calls(sid).update(url=next_url, method="GET")
    [hit] = webapp.wait_for("/next")
    assert hit.method == "GET"
    assert hit.param("CallSid") == sid
    assert wait_for_call(account.client, sid).status == "completed"


def test_redirecting_a_call_that_is_not_in_progress_is_21220(account: TestAccount, webapp: WebApp) -> None:
    sid = ringing_call(account)
    error = rest_error(lambda: account.client.calls(sid).update(url=webapp.url("/next")))
    assert (error.status, error.code) == (400, 21220)
    assert account.client.calls(sid).fetch().status == "ringing"
    account.client.calls(sid).update(status="canceled")


def test_updating_an_ended_call_is_21220(account: TestAccount) -> None:
    sid = call_to(account)
    wait_for_call(account.client, sid)
    call = account.client.calls(sid)
    changes: list[dict[str, str]] = [
        {"status": "completed"},
        {"status": "canceled"},
        {"twiml": SHORT_PAUSE},
        {"url": "https://example.com/a"},
    ]
    for change in changes:
        error = rest_error(partial(call.update, **change))
        assert (error.status, error.code) == (400, 21220), change
    assert call.fetch().status == "completed"


BAD_UPDATES: list[tuple[dict[str, str], int, str]] = [
    ({"Url": "https://example.com/a", "Twiml": SHORT_PAUSE}, 20001, "Url"),
    ({"Status": "busy"}, 20001, "Status"),
    ({"Url": "not a url"}, 21205, "Url"),
    ({"Method": "PUT", "Url": "https://example.com/a"}, 20001, "Method"),
    ({"TimeLimit": "0"}, 20001, "TimeLimit"),
    ({"Twiml": "<Response>" + "<Pause/>" * 500 + "</Response>"}, 32018, "Twiml"),
]


def test_bad_updates_are_refused_and_leave_the_call_alone(account: TestAccount) -> None:
    sid = in_progress_call(account)
    for data, code, mentions in BAD_UPDATES:
        response = account.http.post(call_path(account.sid, sid), data=data)
        assert_error(response, 400, code, mentions=mentions)
    # Twiml and Url are mutually exclusive on update (OpenAPI UpdateCall); the SDK sends both.
    both = rest_error(
        lambda: account.client.calls(sid).update(url="https://example.com/a", twiml=SHORT_PAUSE)
    )
    assert both.status == 400
    assert account.client.calls(sid).fetch().status == "in-progress"
    account.client.calls(sid).update(status="completed")


# --- delete -----------------------------------------------------------------------------------------


def test_a_live_call_cannot_be_deleted(account: TestAccount) -> None:
    sid = in_progress_call(account)
    error = rest_error(lambda: account.client.calls(sid).delete())
    assert (error.status, error.code) == (400, 21220)
    assert account.client.calls(sid).fetch().status == "in-progress"
    account.client.calls(sid).update(status="completed")


def test_an_ended_call_is_deleted_then_not_found(account: TestAccount) -> None:
    sid = call_to(account)
    wait_for_call(account.client, sid)
    assert account.client.calls(sid).delete() is True
    assert rest_error(lambda: account.client.calls(sid).fetch()).status == 404
    assert_not_found(account.http.delete(call_path(account.sid, sid)))
    assert account.client.calls.list() == []


# --- list -------------------------------------------------------------------------------------------


def test_list_filters_and_pages(account: TestAccount) -> None:
    add_phone(account.http, "+15550104003", answer="busy", answer_after_s=0)
    add_phone(
        account.http, "+15550104004", "<Response><Pause length='1'/><Hangup/></Response>", answer_after_s=0
    )
    first = call_to(account, "+15550104001")
    second = account.client.calls.create(to="+15550104002", from_="+15550104902", twiml=SHORT_PAUSE).sid
    busy = call_to(account, "+15550104003")
    parent = call_to(account, twiml="<Response><Dial><Number>+15550104004</Number></Dial></Response>")
    for sid in (first, second, busy, parent):
        wait_for_call(account.client, sid)
    calls = account.client.calls
    [child] = calls.list(parent_call_sid=parent)
    assert (child.to, child.direction, child.parent_call_sid) == ("+15550104004", "outbound-dial", parent)
    wait_for_call(account.client, child.sid)

    every = [call.sid for call in calls.list()]
    assert sorted(every) == sorted([first, second, busy, parent, child.sid])
    assert [call.sid for call in calls.stream(page_size=2)] == every  # newest first, each once
    assert [call.sid for call in calls.list(page_size=2, limit=3)] == every[:3]

    def sids(**filters: Any) -> set[str]:
        return {call.sid for call in calls.list(**filters)}

    assert sids(status="busy") == {busy}
    assert sids(status="completed") == {first, second, parent, child.sid}
    assert sids(status="in-progress") == set()
    assert sids(to="+15550104001") == {first}
    assert sids(from_="+15550104902") == {second}
    assert sids(from_=FROM, to="+15550104002") == set()

    starts = {call.sid: call.start_time for call in calls.list()}
    assert all(start is not None for start in starts.values())
    earliest = min(start for start in starts.values() if start is not None)
    later = datetime.now(UTC) + timedelta(hours=1)
    assert sids(start_time_after=earliest) == set(every)
    assert sids(start_time_after=later) == set()
    assert sids(start_time_before=earliest) == set()  # StartTime< is strictly before
    assert sids(start_time_before=later) == set(every)
    day = earliest.date()
    same_day = {sid for sid, start in starts.items() if start is not None and start.date() == day}
    assert sids(start_time=day.isoformat()) == same_day  # StartTime=YYYY-MM-DD: that whole UTC day
    assert sids(end_time_after=earliest) == set(every)
    assert sids(end_time_after=later) == set()

    page = ok_json(account.http.get(calls_path(account.sid), params={"PageSize": 2, "Status": "completed"}))
    assert [item["sid"] for item in page["calls"]] == [sid for sid in every if sid != busy][:2]
    assert "Status=completed" in page["next_page_uri"]
    assert set(page["calls"][0]) == CALL_FIELDS


def test_list_refuses_bad_filters(account: TestAccount) -> None:
    assert_invalid(account.http.get(calls_path(account.sid), params={"Status": "ended"}), "Status")
    assert_invalid(account.http.get(calls_path(account.sid), params={"StartTime>": "soon"}), "StartTime>")


# --- another account --------------------------------------------------------------------------------


def test_another_accounts_call_is_not_found(account: TestAccount, other_account: TestAccount) -> None:
    sid = in_progress_call(account)
    calls = other_account.client.calls
    for attempt in (
        lambda: calls(sid).fetch(),
        lambda: calls(sid).update(status="completed"),
        lambda: calls(sid).update(twiml=SHORT_PAUSE),
        lambda: calls(sid).delete(),
    ):
        assert rest_error(attempt).status == 404
    assert calls.list() == []
    assert_not_found(other_account.http.get(call_path(account.sid, sid)))
    assert_not_found(other_account.http.get(calls_path(account.sid)))
    assert account.client.calls(sid).fetch().status == "in-progress"
    account.client.calls(sid).update(status="completed")


# --- bad input on create ----------------------------------------------------------------------------

BASE = {"To": SILENT, "From": FROM, "Twiml": SHORT_PAUSE}


def without(name: str) -> dict[str, str]:
    return {key: value for key, value in BASE.items() if key != name}


BAD_CREATES: list[tuple[str, dict[str, Any], int, str]] = [
    ("no-to", without("To"), 21201, "To"),
    ("no-from", without("From"), 21603, "From"),
    ("no-url-or-twiml", without("Twiml"), 21205, "Url"),
    ("relative-url", {**without("Twiml"), "Url": "/voice.xml"}, 21205, "Url"),
    ("ftp-url", {**without("Twiml"), "Url": "ftp://example.com/voice.xml"}, 21205, "Url"),
    ("bad-status-callback", {**BASE, "StatusCallback": "example.com/status"}, 21205, "StatusCallback"),
    ("bad-method", {**without("Twiml"), "Url": "https://example.com/a", "Method": "PUT"}, 20001, "Method"),
    ("bad-fallback-method", {**BASE, "FallbackMethod": "DELETE"}, 20001, "FallbackMethod"),
    ("bad-callback-event", {**BASE, "StatusCallbackEvent": "started"}, 20001, "StatusCallbackEvent"),
    ("bad-callback-events", {**BASE, "StatusCallbackEvent": "ringing hungup"}, 20001, "StatusCallbackEvent"),
    ("timeout-0", {**BASE, "Timeout": "0"}, 20001, "Timeout"),
    ("timeout-601", {**BASE, "Timeout": "601"}, 20001, "Timeout"),
    ("timeout-text", {**BASE, "Timeout": "soon"}, 20001, "Timeout"),
    ("time-limit-0", {**BASE, "TimeLimit": "0"}, 20001, "TimeLimit"),
    ("long-twiml", {**BASE, "Twiml": "<Response>" + " " * 3990 + "</Response>"}, 32018, "Twiml"),
    ("bad-send-digits", {**BASE, "SendDigits": "12x4"}, 20001, "SendDigits"),
    ("recording-channels", {**BASE, "RecordingChannels": "stereo"}, 20001, "RecordingChannels"),
    ("trim", {**BASE, "Trim": "yes"}, 20001, "Trim"),
    ("recording-track", {**BASE, "RecordingTrack": "left"}, 20001, "RecordingTrack"),
    (
        "recording-event",
        {**BASE, "RecordingStatusCallbackEvent": "in-progress started"},
        20001,
        "RecordingStatusCallbackEvent",
    ),
    ("record", {**BASE, "Record": "maybe"}, 20001, "Record"),
]


@pytest.mark.parametrize(
    ("data", "code", "mentions"), [case[1:] for case in BAD_CREATES], ids=[case[0] for case in BAD_CREATES]
)
def test_bad_create_parameters_are_refused_and_nothing_is_created(
    account: TestAccount, data: dict[str, Any], code: int, mentions: str
) -> None:
    assert_error(account.http.post(calls_path(account.sid), data=data), 400, code, mentions=mentions)
    assert account.client.calls.list() == []


def test_sdk_reports_a_missing_url_with_twilios_code(account: TestAccount) -> None:
    error = rest_error(lambda: account.client.calls.create(to=SILENT, from_=FROM))
    assert (error.status, error.code) == (400, 21205)
    assert error.uri.endswith("/Calls.json")
    assert account.client.calls.list() == []


def test_twiml_of_exactly_4000_characters_is_accepted(account: TestAccount) -> None:
    twiml = "<Response>" + " " * (4000 - len("<Response></Response>")) + "</Response>"
    assert len(twiml) == 4000
    sid = call_to(account, twiml=twiml)
    assert wait_for_call(account.client, sid).status == "completed"


def test_url_wins_over_twiml_on_create(account: TestAccount, webapp: WebApp) -> None:
    url = webapp.twiml("/voice", SHORT_PAUSE)
    sid = str(
        account.client.calls.create(to=SILENT, from_=FROM, url=url, twiml="<Response><Bogus/></Response>").sid
    )
    [hit] = webapp.wait_for("/voice")
    assert hit.param("CallSid") == sid
    assert wait_for_call(account.client, sid).status == "completed"
    assert account.client.calls(sid).notifications.list() == []  # the bad Twiml was never run


# --- SendDigits -------------------------------------------------------------------------------------


def test_send_digits_are_heard_by_the_far_end_after_answer(account: TestAccount) -> None:
    add_phone(account.http, "+15550105001", answer_after_s=1)
    # The OpenAPI example: W waits one second, then 1234#.
    sid = call_to(account, "+15550105001", "<Response><Pause length='1'/></Response>", send_digits="W1234#")
    assert wait_for_call(account.client, sid).status == "completed"
    inbound, outbound = tracks(account.http, sid)
    assert detect_dtmf(outbound, 8000) == "1234#"
    assert detect_dtmf(inbound, 8000) == ""
    first_tone_s = active_spans(outbound, 8000)[0][0]
    # Answered 1 s into the track, then W: the first key sounds about 2 s in.
    assert 1.8 <= first_tone_s <= 2.4, first_tone_s
