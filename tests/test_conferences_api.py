"""The Conference, Participant and conference Recording resources at the edge
(twilio.com/docs/voice/api/conference-resource; twilio.com/docs/voice/api/conference-participant-resource):
empty lists, 404s for unknown or unreachable conferences, and parameters refused with 400 before anything is
dialled or changed. Tests with live conferences are in the conference tests proper.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from twilio.base.exceptions import TwilioException

from tests.conftest import TestAccount
from tests.support.api import (
    API,
    assert_error,
    assert_invalid,
    assert_not_found,
    assert_unauthorized,
    ok_json,
    rest_error,
    unique_name,
)

UNKNOWN_CF = "CF" + "0" * 32
UNKNOWN_RE = "RE" + "0" * 32
UNKNOWN_CA = "CA" + "0" * 32
FROM = "+15550109999"
TO = "+14155550100"
BASE = {"To": TO, "From": FROM}
PAGE_KEYS = {
    "page",
    "page_size",
    "start",
    "end",
    "uri",
    "first_page_uri",
    "next_page_uri",
    "previous_page_uri",
}


def conferences_path(account_sid: str, sid: str | None = None) -> str:
    base = f"{API}/Accounts/{account_sid}/Conferences"
    return f"{base}.json" if sid is None else f"{base}/{sid}.json"


def participants_path(account_sid: str, conference: str, who: str | None = None) -> str:
    base = f"{API}/Accounts/{account_sid}/Conferences/{conference}/Participants"
    return f"{base}.json" if who is None else f"{base}/{who}.json"


def conference_recordings_path(account_sid: str, conference_sid: str, sid: str | None = None) -> str:
    base = f"{API}/Accounts/{account_sid}/Conferences/{conference_sid}/Recordings"
    return f"{base}.json" if sid is None else f"{base}/{sid}.json"


def list_error(call: Callable[[], object]) -> tuple[int, int]:
    """The status and Twilio code of a refused list: the SDK's pages raise a bare
    ``TwilioException("Unable to fetch page", response)``, not a ``TwilioRestException``."""
    with pytest.raises(TwilioException) as info:
        call()
    _, response = info.value.args
    return response.status_code, json.loads(response.text)["code"]


def assert_nothing_happened(account: TestAccount) -> None:
    """A refused request dialled nobody and made no conference."""
    assert account.client.calls.list() == []
    assert account.client.conferences.list() == []


# --- lists and fetches ------------------------------------------------------------------------------


def test_an_empty_account_lists_no_conferences(account: TestAccount) -> None:
    assert account.client.conferences.list() == []
    body = ok_json(account.http.get(conferences_path(account.sid), params={"PageSize": "5"}))
    assert set(body) == PAGE_KEYS | {"conferences"}
    assert body["conferences"] == []
    assert (body["page"], body["page_size"], body["start"], body["end"]) == (0, 5, 0, 0)
    assert body["uri"].startswith(conferences_path(account.sid) + "?")
    assert (body["next_page_uri"], body["previous_page_uri"]) == (None, None)


def test_list_filters_are_kept_in_the_page_uris(account: TestAccount) -> None:
    name = unique_name("room")
    params = {"FriendlyName": name, "Status": "in-progress", "DateCreated>": "2024-01-01"}
    body = ok_json(account.http.get(conferences_path(account.sid), params=params))
    assert body["conferences"] == []
    for uri in (body["uri"], body["first_page_uri"]):
        assert f"FriendlyName={name}" in uri
        assert "Status=in-progress" in uri
        assert "DateCreated%3E=2024-01-01" in uri
    sdk = account.client.conferences.list(friendly_name=name, status="completed", date_updated="2024-01-01")
    assert sdk == []


@pytest.mark.parametrize(
    ("name", "value"),
    [("Status", "running"), ("Status", "INIT"), ("DateCreated", "yesterday"), ("DateUpdated<", "2024-13-01")],
)
def test_bad_list_filters_are_refused(account: TestAccount, name: str, value: str) -> None:
    assert_invalid(account.http.get(conferences_path(account.sid), params={name: value}), name)


def test_the_sdk_sees_a_bad_status_filter_as_400(account: TestAccount) -> None:
    assert list_error(lambda: account.client.conferences.list(status="ended")) == (400, 20001)


def test_an_unknown_conference_is_not_found(account: TestAccount) -> None:
    assert_not_found(account.http.get(conferences_path(account.sid, UNKNOWN_CF)))
    assert_not_found(account.http.get(conferences_path(account.sid, "not-a-sid")))
    error = rest_error(lambda: account.client.conferences(UNKNOWN_CF).fetch())
    assert (error.status, error.code) == (404, 20404)


def test_another_accounts_conferences_are_not_reachable(
    account: TestAccount, other_account: TestAccount
) -> None:
    # The path names the other account: 404, never 401 or 403, so nothing is confirmed to exist.
    for path in (
        conferences_path(other_account.sid),
        conferences_path(other_account.sid, UNKNOWN_CF),
        participants_path(other_account.sid, UNKNOWN_CF),
        conference_recordings_path(other_account.sid, UNKNOWN_CF),
    ):
        assert_not_found(account.http.get(path))
    other_room = participants_path(other_account.sid, unique_name("room"))
    assert_not_found(account.http.post(other_room, data=BASE))
    assert other_account.client.calls.list() == []
    assert other_account.client.conferences.list() == []


def test_conferences_need_credentials(account: TestAccount) -> None:
    path = conferences_path(account.sid)
    assert_unauthorized(account.http.get(path, auth=(account.sid, "wrong")))
    anonymous = httpx.Auth()  # sends no Authorization header
    create = account.http.post(participants_path(account.sid, "room"), data=BASE, auth=anonymous)
    assert_unauthorized(create)
    assert_nothing_happened(account)


# --- conference update ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "code", "mentions"),
    [
        ({"Status": "foo"}, 20001, "Status"),
        ({"Status": "in-progress"}, 20001, "Status"),
        ({"AnnounceUrl": "/hello.xml"}, 21205, "AnnounceUrl"),
        ({"AnnounceUrl": "https://example.com/a.xml", "AnnounceMethod": "PUT"}, 20001, "AnnounceMethod"),
    ],
)
def test_bad_conference_updates_are_refused(
    account: TestAccount, data: dict[str, str], code: int, mentions: str
) -> None:
    response = account.http.post(conferences_path(account.sid, UNKNOWN_CF), data=data)
    assert_error(response, 400, code, mentions=mentions)


def test_the_sdk_sees_a_bad_update_status_as_400(account: TestAccount) -> None:
    error = rest_error(lambda: account.client.conferences(UNKNOWN_CF).update(status="foo"))
    assert (error.status, error.code) == (400, 20001)


# --- participants -----------------------------------------------------------------------------------


def test_participants_of_an_unknown_conference_are_not_found(account: TestAccount) -> None:
    assert_not_found(account.http.get(participants_path(account.sid, UNKNOWN_CF)))
    assert_not_found(account.http.get(participants_path(account.sid, UNKNOWN_CF, UNKNOWN_CA)))
    assert_not_found(account.http.get(participants_path(account.sid, UNKNOWN_CF, "a%20label")))
    assert list_error(account.client.conferences(UNKNOWN_CF).participants.list) == (404, 20404)
    error = rest_error(lambda: account.client.conferences(UNKNOWN_CF).participants(UNKNOWN_CA).fetch())
    assert (error.status, error.code) == (404, 20404)


@pytest.mark.parametrize(("name", "value"), [("Muted", "yes"), ("Hold", "2"), ("Coaching", "no")])
def test_bad_participant_list_filters_are_refused(account: TestAccount, name: str, value: str) -> None:
    assert_invalid(account.http.get(participants_path(account.sid, UNKNOWN_CF), params={name: value}), name)


def without(name: str) -> dict[str, str]:
    return {key: value for key, value in BASE.items() if key != name}


BAD_CREATES: list[tuple[str, dict[str, Any], int, str]] = [
    ("no-to", without("To"), 21201, "To"),
    ("no-from", without("From"), 21603, "From"),
    ("empty-to", {**BASE, "To": ""}, 21201, "To"),
    ("beep", {**BASE, "Beep": "loud"}, 20001, "Beep"),
    ("beep-case", {**BASE, "Beep": "onenter"}, 20001, "Beep"),
    ("conference-record", {**BASE, "ConferenceRecord": "record-from-answer"}, 20001, "ConferenceRecord"),
    ("max-participants-1", {**BASE, "MaxParticipants": "1"}, 20001, "MaxParticipants"),
    ("max-participants-251", {**BASE, "MaxParticipants": "251"}, 20001, "MaxParticipants"),
    ("max-participants-text", {**BASE, "MaxParticipants": "many"}, 20001, "MaxParticipants"),
    ("timeout-4", {**BASE, "Timeout": "4"}, 20001, "Timeout"),
    ("timeout-601", {**BASE, "Timeout": "601"}, 20001, "Timeout"),
    ("timeout-text", {**BASE, "Timeout": "soon"}, 20001, "Timeout"),
    ("time-limit-0", {**BASE, "TimeLimit": "0"}, 20001, "TimeLimit"),
    ("muted", {**BASE, "Muted": "maybe"}, 20001, "Muted"),
    ("start-on-enter", {**BASE, "StartConferenceOnEnter": "yes"}, 20001, "StartConferenceOnEnter"),
    ("end-on-exit", {**BASE, "EndConferenceOnExit": "1x"}, 20001, "EndConferenceOnExit"),
    ("record", {**BASE, "Record": "maybe"}, 20001, "Record"),
    ("label-129", {**BASE, "Label": "x" * 129}, 20001, "Label"),
    ("region", {**BASE, "Region": "eu1"}, 20001, "Region"),
    ("wait-url", {**BASE, "WaitUrl": "music.mp3"}, 21205, "WaitUrl"),
    ("wait-method", {**BASE, "WaitMethod": "PUT"}, 20001, "WaitMethod"),
    ("status-callback", {**BASE, "StatusCallback": "example.com/cb"}, 21205, "StatusCallback"),
    ("call-event", {**BASE, "StatusCallbackEvent": "initiated start"}, 20001, "StatusCallbackEvent"),
    (
        "conference-event",
        {**BASE, "ConferenceStatusCallbackEvent": "start finish"},
        20001,
        "ConferenceStatusCallbackEvent",
    ),
    (
        "conference-callback",
        {**BASE, "ConferenceStatusCallback": "/conference"},
        21205,
        "ConferenceStatusCallback",
    ),
    ("conference-trim", {**BASE, "ConferenceTrim": "trim"}, 20001, "ConferenceTrim"),
    (
        "conference-recording-event",
        {**BASE, "ConferenceRecordingStatusCallbackEvent": "completed paused"},
        20001,
        "ConferenceRecordingStatusCallbackEvent",
    ),
    (
        "recording-event",
        {**BASE, "RecordingStatusCallbackEvent": "started ended"},
        20001,
        "RecordingStatusCallbackEvent",
    ),
    ("recording-channels", {**BASE, "RecordingChannels": "stereo"}, 20001, "RecordingChannels"),
    ("recording-track", {**BASE, "RecordingTrack": "left"}, 20001, "RecordingTrack"),
    ("trim", {**BASE, "Trim": "yes"}, 20001, "Trim"),
    ("coaching-alone", {**BASE, "Coaching": "true"}, 20001, "CallSidToCoach"),
    ("call-sid-to-coach", {**BASE, "CallSidToCoach": "CA123"}, 20001, "CallSidToCoach"),
]


@pytest.mark.parametrize(
    ("data", "code", "mentions"), [case[1:] for case in BAD_CREATES], ids=[case[0] for case in BAD_CREATES]
)
def test_bad_participant_creates_are_refused_and_nothing_is_dialled(
    account: TestAccount, data: dict[str, Any], code: int, mentions: str
) -> None:
    path = participants_path(account.sid, unique_name("room"))
    assert_error(account.http.post(path, data=data), 400, code, mentions=mentions)
    assert_nothing_happened(account)


def test_a_conference_name_longer_than_128_characters_is_refused(account: TestAccount) -> None:
    response = account.http.post(participants_path(account.sid, "r" * 129), data=BASE)
    assert_error(response, 400, 20001, mentions="128")
    assert_nothing_happened(account)


def test_the_sdk_sees_a_bad_beep_as_400(account: TestAccount) -> None:
    participants = account.client.conferences(unique_name("room")).participants
    error = rest_error(lambda: participants.create(from_=FROM, to=TO, beep="twice"))
    assert (error.status, error.code) == (400, 20001)
    error = rest_error(lambda: participants.create(from_=FROM, to=TO, max_participants=300))
    assert (error.status, error.code) == (400, 20001)
    assert_nothing_happened(account)


@pytest.mark.parametrize(
    ("data", "code", "mentions"),
    [
        ({"Muted": "maybe"}, 20001, "Muted"),
        ({"Hold": "on"}, 20001, "Hold"),
        ({"HoldUrl": "hold.xml"}, 21205, "HoldUrl"),
        ({"HoldMethod": "PATCH"}, 20001, "HoldMethod"),
        ({"AnnounceUrl": "/announce"}, 21205, "AnnounceUrl"),
        ({"WaitUrl": "ftp://example.com/x.mp3"}, 21205, "WaitUrl"),
        ({"BeepOnExit": "sometimes"}, 20001, "BeepOnExit"),
        ({"EndConferenceOnExit": "sure"}, 20001, "EndConferenceOnExit"),
        ({"Coaching": "yes"}, 20001, "Coaching"),
        ({"CallSidToCoach": "CF" + "1" * 32}, 20001, "CallSidToCoach"),
    ],
)
def test_bad_participant_updates_are_refused(
    account: TestAccount, data: dict[str, str], code: int, mentions: str
) -> None:
    response = account.http.post(participants_path(account.sid, UNKNOWN_CF, UNKNOWN_CA), data=data)
    assert_error(response, 400, code, mentions=mentions)


# --- a conference's recordings ----------------------------------------------------------------------


def test_recordings_of_an_unknown_conference_are_not_found(account: TestAccount) -> None:
    assert_not_found(account.http.get(conference_recordings_path(account.sid, UNKNOWN_CF)))
    assert_not_found(account.http.get(conference_recordings_path(account.sid, UNKNOWN_CF, UNKNOWN_RE)))
    assert_not_found(account.http.delete(conference_recordings_path(account.sid, UNKNOWN_CF, UNKNOWN_RE)))
    recordings = account.client.conferences(UNKNOWN_CF).recordings
    assert list_error(recordings.list) == (404, 20404)
    recording = recordings(UNKNOWN_RE)
    for attempt in (recording.fetch, recording.delete):
        error = rest_error(attempt)
        assert (error.status, error.code) == (404, 20404)


@pytest.mark.parametrize(
    ("data", "mentions"),
    [
        ({"Status": "stopped"}, "Status"),
        ({"Status": "completed"}, "Status"),
        ({"Status": "bogus"}, "Status"),
        ({}, "Status"),
        ({"Status": "paused", "PauseBehavior": "mute"}, "PauseBehavior"),
    ],
)
def test_bad_conference_recording_controls_are_refused(
    account: TestAccount, data: dict[str, str], mentions: str
) -> None:
    for sid in (UNKNOWN_RE, "Twilio.CURRENT"):
        response = account.http.post(conference_recordings_path(account.sid, UNKNOWN_CF, sid), data=data)
        assert_invalid(response, mentions)


def test_the_sdk_cannot_stop_a_conference_recording(account: TestAccount) -> None:
    recording = account.client.conferences(UNKNOWN_CF).recordings("Twilio.CURRENT")
    error = rest_error(lambda: recording.update(status="stopped"))
    assert (error.status, error.code) == (400, 20001)
    assert "stopped" in error.msg
