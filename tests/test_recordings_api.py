"""The Recording resources through the SDK: start, pause, resume and stop on a live call (Call
Recording Controls, twilio.com/docs/voice/api/recording), the account's recordings
(twilio.com/docs/voice/api/recording), both JSON variants (twilio.com/docs/voice/api/recording), lists,
deletes and ``Record=true`` on Calls create (twilio.com/docs/voice/api/call-resource).

Calls go to a virtual phone that plays a 440 Hz tone; media runs at 10× (``PHONOGRAPH_SPEED``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from phonograph.testing.kit import add_phone, wait_for_call, wait_for_recording
from phonograph.testing.webapp import WebApp
from tests.conftest import TestAccount
from tests.support.api import (
    RFC2822_RE,
    assert_error,
    assert_invalid,
    assert_not_found,
    ok_json,
    rest_error,
    sid_pattern,
)
from tests.support.callflow import place
from tests.support.recordings import (
    LONG_PAUSE,
    call_recordings_path,
    completed_recording,
    control,
    live_call,
    recording_path,
    start_recording,
    tone_phone,
    wait_media_s,
)

COMMON_FIELDS = {
    "account_sid",
    "api_version",
    "call_sid",
    "conference_sid",
    "date_created",
    "date_updated",
    "start_time",
    "duration",
    "sid",
    "price",
    "price_unit",
    "status",
    "channels",
    "source",
    "error_code",
    "uri",
    "encryption_details",
}
CALL_RECORDING_FIELDS = COMMON_FIELDS | {"track"}
RECORDING_FIELDS = COMMON_FIELDS | {"subresource_uris", "media_url"}


def assert_common_fields(body: dict[str, Any], account: TestAccount, call_sid: str) -> None:
    assert sid_pattern("RE").fullmatch(body["sid"])
    assert (body["account_sid"], body["call_sid"]) == (account.sid, call_sid)
    assert body["conference_sid"] is None
    assert body["api_version"] == "2010-04-01"
    for field in ("date_created", "date_updated", "start_time"):
        assert RFC2822_RE.fullmatch(body[field]), (field, body[field])
    assert (body["price"], body["price_unit"], body["encryption_details"]) == (None, "USD", None)
    assert isinstance(body["channels"], int)


# --- start and the two JSON variants ----------------------------------------------------------------


def test_start_answers_a_call_recording_with_every_field(account: TestAccount, webapp: WebApp) -> None:
    call_sid = live_call(account, webapp)
    body = start_recording(account, call_sid)
    assert set(body) == CALL_RECORDING_FIELDS
    assert_common_fields(body, account, call_sid)
    assert (body["status"], body["source"], body["track"]) == ("in-progress", "StartCallRecordingAPI", "both")
    assert (body["duration"], body["error_code"], body["channels"]) == (None, None, 1)
    assert body["uri"] == call_recordings_path(account.sid, call_sid, body["sid"])
    assert ok_json(account.http.get(body["uri"]))["sid"] == body["sid"]

    fetched = account.client.calls(call_sid).recordings(body["sid"]).fetch()
    assert (fetched.sid, fetched.status, fetched.track, fetched.channels) == (
        body["sid"],
        "in-progress",
        "both",
        1,
    )
    assert isinstance(fetched.start_time, datetime)
    wait_media_s(account.owner, 1)
    stopped = control(account, call_sid, body["sid"], "stopped")
    assert stopped.status == "stopped"
    account.client.calls(call_sid).update(status="completed")


def test_a_completed_recording_has_every_account_field(account: TestAccount, webapp: WebApp) -> None:
    call_sid, sid = completed_recording(account, webapp)
    body = ok_json(account.http.get(recording_path(account.sid, sid)))
    assert set(body) == RECORDING_FIELDS
    assert_common_fields(body, account, call_sid)
    assert (body["status"], body["source"], body["error_code"]) == (
        "completed",
        "StartCallRecordingAPI",
        None,
    )
    assert body["duration"].isdigit()
    assert int(body["duration"]) >= 1
    base = recording_path(account.sid, sid, "")
    assert body["uri"] == f"{base}.json"
    assert body["subresource_uris"] == {
        "add_on_results": f"{base}/AddOnResults.json",
        "transcriptions": f"{base}/Transcriptions.json",
    }
    # Absolute, from PHONOGRAPH_PUBLIC_URL (here the server's own address), without extension.
    assert body["media_url"] == str(account.http.base_url).rstrip("/") + base

    recording = account.client.recordings(sid).fetch()
    assert (recording.sid, recording.call_sid, recording.channels) == (sid, call_sid, 1)
    assert isinstance(recording.duration, str)
    assert recording.media_url == body["media_url"]
    assert isinstance(recording.date_created, datetime)
    # The call variant of the same recording.
    call_variant = ok_json(account.http.get(call_recordings_path(account.sid, call_sid, sid)))
    assert set(call_variant) == CALL_RECORDING_FIELDS
    assert call_variant["duration"] == body["duration"]


def test_start_honours_channels_and_track(account: TestAccount, webapp: WebApp) -> None:
    call_sid = live_call(account, webapp)
    dual = start_recording(account, call_sid, RecordingChannels="dual")
    inbound = start_recording(account, call_sid, RecordingTrack="inbound", Trim="trim-silence")
    assert (dual["channels"], dual["track"]) == (2, "both")
    assert (inbound["channels"], inbound["track"]) == (1, "inbound")
    account.client.calls(call_sid).update(status="completed")


def test_sdk_create_with_callback_and_ignored_examples_parameters(
    account: TestAccount, webapp: WebApp
) -> None:
    call_sid = live_call(account, webapp)
    callback = webapp.twiml("/recording-status", "<Response/>")
    created = account.client.calls(call_sid).recordings.create(
        recording_status_callback=callback,
        recording_status_callback_event=["in-progress", "completed"],
        recording_status_callback_method="POST",
    )
    assert created.status == "in-progress"
    [hit] = webapp.wait_for("/recording-status")
    assert (hit.param("RecordingSid"), hit.param("RecordingStatus")) == (created.sid, "in-progress")
    # PlayBeep, Transcribe and TranscriptionConfiguration are in Twilio's examples: accepted, ignored.
    extra = start_recording(
        account, call_sid, PlayBeep="true", Transcribe="true", TranscriptionConfiguration="x"
    )
    assert extra["status"] == "in-progress"
    account.client.calls(call_sid).update(status="completed")


# --- refusals on start ------------------------------------------------------------------------------


def test_start_needs_an_in_progress_call(account: TestAccount, webapp: WebApp) -> None:
    number = tone_phone(account, webapp)
    add_phone(account.http, "+15550107001", answer_after_s=600)
    ringing = place(account, LONG_PAUSE, to="+15550107001")
    wait_for_call(account.client, ringing, ("ringing",))
    error = rest_error(account.client.calls(ringing).recordings.create)
    assert (error.status, error.code) == (400, 21220)
    account.client.calls(ringing).update(status="canceled")

    ended = place(account, "<Response><Pause length='1'/></Response>", to=number)
    wait_for_call(account.client, ended)
    assert_error(account.http.post(call_recordings_path(account.sid, ended)), 400, 21220, mentions=ended)
    unknown = "CA" + "0" * 32
    assert_not_found(account.http.post(call_recordings_path(account.sid, unknown)))


BAD_STARTS: list[tuple[str, dict[str, str], str]] = [
    ("channels", {"RecordingChannels": "stereo"}, "RecordingChannels"),
    ("trim", {"Trim": "x"}, "Trim"),
    ("track", {"RecordingTrack": "x"}, "RecordingTrack"),
    ("event", {"RecordingStatusCallbackEvent": "foo"}, "RecordingStatusCallbackEvent"),
    ("event-failed", {"RecordingStatusCallbackEvent": "completed failed"}, "RecordingStatusCallbackEvent"),
    ("method", {"RecordingStatusCallbackMethod": "PUT"}, "RecordingStatusCallbackMethod"),
]


def test_bad_start_parameters_are_refused_and_nothing_starts(account: TestAccount, webapp: WebApp) -> None:
    call_sid = live_call(account, webapp)
    path = call_recordings_path(account.sid, call_sid)
    for _name, data, parameter in BAD_STARTS:
        assert_invalid(account.http.post(path, data=data), parameter)
    relative = account.http.post(path, data={"RecordingStatusCallback": "/status"})
    assert_error(relative, 400, 21205, mentions="RecordingStatusCallback")
    unknown = account.http.post(path, data={"RecordingConfigurationId": "no-such-configuration"})
    assert_error(unknown, 400, 46004, mentions="no-such-configuration")
    both = account.http.post(path, data={"RecordingConfigurationId": "anything", "Trim": "do-not-trim"})
    assert_error(both, 400, 20001, mentions="RecordingConfigurationId")
    assert "Trim" in both.json()["message"]
    assert account.client.calls(call_sid).recordings.list() == []
    account.client.calls(call_sid).update(status="completed")


# --- pause, resume, stop ----------------------------------------------------------------------------


def test_pause_resume_and_stop_through_the_sdk(account: TestAccount, webapp: WebApp) -> None:
    call_sid = live_call(account, webapp)
    sid = start_recording(account, call_sid)["sid"]
    recording = account.client.calls(call_sid).recordings(sid)
    assert recording.update(status="paused").status == "paused"
    assert recording.update(status="paused", pause_behavior="skip").status == "paused"
    assert recording.update(status="in-progress").status == "in-progress"
    wait_media_s(account.owner, 1)
    assert recording.update(status="stopped").status == "stopped"
    assert wait_for_recording(account.client, sid).status == "completed"
    error = rest_error(lambda: recording.update(status="paused"))
    assert (error.status, error.code) == (400, 21220)
    account.client.calls(call_sid).update(status="completed")


BAD_UPDATES: list[tuple[dict[str, str], str]] = [
    ({}, "Status"),
    ({"Status": "completed"}, "Status"),
    ({"Status": "processing"}, "Status"),
    ({"Status": "bogus"}, "Status"),
    ({"Status": "paused", "PauseBehavior": "x"}, "PauseBehavior"),
]


def test_bad_update_parameters_are_refused(account: TestAccount, webapp: WebApp) -> None:
    call_sid = live_call(account, webapp)
    sid = start_recording(account, call_sid)["sid"]
    path = call_recordings_path(account.sid, call_sid, sid)
    for data, parameter in BAD_UPDATES:
        assert_invalid(account.http.post(path, data=data), parameter)
    assert "paused, in-progress, stopped" in account.http.post(path, data={"Status": "completed"}).text
    # PlayBeep is in Twilio's update example: accepted and ignored.
    assert (
        ok_json(account.http.post(path, data={"Status": "paused", "PlayBeep": "true"}))["status"] == "paused"
    )
    account.client.calls(call_sid).update(status="completed")


def test_twilio_current_names_the_one_active_recording(account: TestAccount, webapp: WebApp) -> None:
    call_sid = live_call(account, webapp)
    current = account.client.calls(call_sid).recordings("Twilio.CURRENT")
    missing = rest_error(lambda: current.update(status="paused"))
    assert (missing.status, missing.code) == (404, 20404)

    first = start_recording(account, call_sid)["sid"]
    paused = current.update(status="paused")
    assert (paused.sid, paused.status) == (first, "paused")
    assert current.update(status="in-progress").sid == first

    second = start_recording(account, call_sid)["sid"]
    ambiguous = rest_error(lambda: current.update(status="stopped"))
    assert (ambiguous.status, ambiguous.code) == (400, 16108)
    control(account, call_sid, first, "stopped")
    assert current.update(status="stopped").sid == second
    after = rest_error(lambda: current.update(status="paused"))
    assert (after.status, after.code) == (404, 20404)
    account.client.calls(call_sid).update(status="completed")


def test_another_accounts_recording_is_not_found(
    account: TestAccount, other_account: TestAccount, webapp: WebApp
) -> None:
    call_sid, sid = completed_recording(account, webapp)
    for path in (recording_path(account.sid, sid), call_recordings_path(account.sid, call_sid, sid)):
        assert_not_found(other_account.http.get(path))
        assert_not_found(other_account.http.delete(path))
    assert_not_found(other_account.http.get(recording_path(other_account.sid, sid)))
    assert_not_found(other_account.http.get(recording_path(other_account.sid, sid, ".wav")))
    assert_not_found(other_account.http.delete(recording_path(other_account.sid, sid)))
    other_call = live_call(other_account, webapp)
    path = call_recordings_path(other_account.sid, other_call, sid)
    assert_not_found(other_account.http.post(path, data={"Status": "paused"}))
    other_account.client.calls(other_call).update(status="completed")
    # A recording of another call of the same account is not this call's either.
    assert_not_found(account.http.get(call_recordings_path(account.sid, other_call, sid)))
    assert account.client.recordings(sid).fetch().status == "completed"


# --- lists ------------------------------------------------------------------------------------------


def test_lists_per_call_and_per_account_with_filters_and_paging(account: TestAccount, webapp: WebApp) -> None:
    call_sid = live_call(account, webapp)
    sids = [start_recording(account, call_sid)["sid"] for _ in range(3)]
    other_call = live_call(account, webapp)
    other = start_recording(account, other_call)["sid"]

    per_call = account.client.calls(call_sid).recordings.list(page_size=2)
    assert [recording.sid for recording in per_call] == sids[::-1]  # newest first
    assert all(recording.track == "both" for recording in per_call)
    page = ok_json(account.http.get(call_recordings_path(account.sid, call_sid), params={"PageSize": 2}))
    assert (len(page["recordings"]), page["start"], page["end"], page["page_size"]) == (2, 0, 1, 2)
    assert page["next_page_uri"] is not None
    assert set(page["recordings"][0]) == CALL_RECORDING_FIELDS

    everything = account.client.recordings.list(page_size=3)
    assert [recording.sid for recording in everything] == [other, *sids[::-1]]
    by_call = account.client.recordings.list(call_sid=call_sid)
    assert {recording.sid for recording in by_call} == set(sids)
    now = datetime.now(UTC)
    hour = timedelta(hours=1)
    assert len(account.client.recordings.list(date_created_after=now - hour)) == 4
    assert account.client.recordings.list(date_created_before=now - hour) == []
    created_on = per_call[0].date_created.date()  # the server's UTC day, even around midnight
    assert len(account.client.calls(call_sid).recordings.list(date_created=created_on)) == 3
    # The account list's SDK sends the day as YYYY-MM-DDT00:00:00Z: still that whole day.
    assert len(account.client.recordings.list(date_created=created_on)) == 4
    assert len(account.client.recordings.list(date_created=per_call[0].date_created)) == 4
    yesterday = created_on - timedelta(days=1)
    assert account.client.calls(call_sid).recordings.list(date_created_before=yesterday) == []
    assert account.client.recordings.list(conference_sid="CF" + "0" * 32) == []
    assert_invalid(
        account.http.get(call_recordings_path(account.sid, call_sid), params={"DateCreated": "soon"}),
        "DateCreated",
    )
    assert_not_found(account.http.get(call_recordings_path(account.sid, "CA" + "0" * 32)))
    for sid in (call_sid, other_call):
        account.client.calls(sid).update(status="completed")


# --- delete -----------------------------------------------------------------------------------------


def test_delete_a_completed_recording_keeps_its_metadata_as_deleted(
    account: TestAccount, webapp: WebApp
) -> None:
    call_sid, sid = completed_recording(account, webapp)
    assert account.client.recordings(sid).delete() is True
    assert_not_found(account.http.get(recording_path(account.sid, sid)))
    assert_not_found(account.http.get(call_recordings_path(account.sid, call_sid, sid)))
    assert_not_found(account.http.get(recording_path(account.sid, sid, ".wav")))
    assert_not_found(account.http.delete(recording_path(account.sid, sid)))
    deleted = account.client.recordings(sid).fetch(include_soft_deleted=True)
    assert (deleted.sid, deleted.status) == (sid, "deleted")
    assert account.client.recordings.list(call_sid=call_sid) == []
    kept = account.client.recordings.list(call_sid=call_sid, include_soft_deleted=True)
    assert [(recording.sid, recording.status) for recording in kept] == [(sid, "deleted")]


def test_delete_through_the_call_and_refusal_while_live(account: TestAccount, webapp: WebApp) -> None:
    call_sid, done = completed_recording(account, webapp)
    assert account.client.calls(call_sid).recordings(done).delete() is True
    assert account.client.recordings(done).fetch(include_soft_deleted=True).status == "deleted"

    live = live_call(account, webapp)
    sid = start_recording(account, live)["sid"]
    for path in (recording_path(account.sid, sid), call_recordings_path(account.sid, live, sid)):
        response = account.http.delete(path)
        assert response.status_code == 400, response.text
        assert "in-progress" in response.json()["message"]
    assert account.client.recordings(sid).fetch().status == "in-progress"
    account.client.calls(live).update(status="completed")


# --- Record=true on Calls create --------------------------------------------------------------------


@pytest.mark.parametrize(("channels", "expected"), [(None, 1), ("dual", 2)])
def test_record_true_records_the_call_from_the_answer(
    account: TestAccount, webapp: WebApp, channels: str | None, expected: int
) -> None:
    extra = {} if channels is None else {"recording_channels": channels}
    call = account.client.calls.create(
        to=tone_phone(account, webapp),
        from_="+15550109999",
        twiml="<Response><Pause length='2'/></Response>",
        record=True,
        **extra,
    )
    assert wait_for_call(account.client, call.sid).status == "completed"
    [recording] = account.client.calls(call.sid).recordings.list()
    assert (recording.source, recording.channels, recording.track) == ("OutboundAPI", expected, "both")
    finished = wait_for_recording(account.client, recording.sid)
    assert finished.status == "completed"
    assert int(finished.duration) >= 1


def test_calls_without_record_true_are_not_recorded(account: TestAccount, webapp: WebApp) -> None:
    call = account.client.calls.create(
        to=tone_phone(account, webapp),
        from_="+15550109999",
        twiml="<Response><Pause length='1'/></Response>",
        recording_channels="dual",
        trim="do-not-trim",
    )
    assert wait_for_call(account.client, call.sid).status == "completed"
    assert account.client.calls(call.sid).recordings.list() == []
