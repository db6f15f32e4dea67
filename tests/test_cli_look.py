"""A call's Events (every request made to the app, with its answer) and the commands that look
around a running server: ``phonograph calls``, ``recordings``, ``notifications``,
``configurations`` and ``callbacks``, run as users run them against a test server."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from phonograph.testing.audio import Audio, assert_tone
from phonograph.testing.kit import add_phone, fresh_number, wait_for_call, wait_for_recording
from phonograph.testing.server import ServerProcess
from phonograph.testing.webapp import WebApp
from tests.conftest import TestAccount
from tests.support.api import API, ok_json
from tests.support.callflow import CALLER
from tests.support.calls import tone_wav
from tests.support.cli import Run, as_account, phonograph

WAIT_S = 20.0
TONE_HZ = 440.0
SAY = "<Response><Say>Thank you for calling.</Say></Response>"
on_sqlite = pytest.mark.parametrize("server", ["sqlite"], indirect=True)


def events_of(account: TestAccount, call_sid: str, count: int) -> list[Any]:
    """The call's events once there are ``count`` (the log writes them within half a second),
    oldest first."""
    deadline = time.monotonic() + WAIT_S
    while True:
        events = account.client.calls(call_sid).events.list()
        if len(events) >= count:
            return list(reversed(events))
        assert time.monotonic() < deadline, f"{len(events)} events of {call_sid}, wanted {count}"
        time.sleep(0.05)


def completed_call(account: TestAccount, webapp: WebApp, **create: Any) -> str:
    """A call fetching ``/voice`` (speech, then hang-up) with its status callbacks to ``/status``."""
    voice = webapp.twiml("/voice", SAY)
    status = webapp.twiml("/status", "<Response/>")
    to = fresh_number()
    add_phone(account.http, to, answer_after_s=0)
    call = account.client.calls.create(
        to=to, from_=CALLER, url=voice, status_callback=status, status_callback_event=["completed"], **create
    )
    assert wait_for_call(account.client, call.sid).status == "completed"
    webapp.wait_for("/status")
    return str(call.sid)


def test_a_calls_events_are_the_requests_to_the_app_and_its_answers(
    account: TestAccount, other_account: TestAccount, webapp: WebApp
) -> None:
    sid = completed_call(account, webapp)
    fetch, callback = events_of(account, sid, 2)
    assert fetch.request["method"] == "POST"
    assert fetch.request["url"] == webapp.url("/voice")
    assert fetch.request["parameters"]["call_sid"] == sid
    assert fetch.request["parameters"]["account_sid"] == account.sid
    assert fetch.response["response_code"] == 200
    assert fetch.response["response_body"] == SAY
    assert fetch.response["content_type"].startswith("text/xml")
    assert fetch.response["request_duration"] >= 0
    assert callback.request["url"] == webapp.url("/status")
    assert callback.request["parameters"]["call_status"] == "completed"
    assert callback.response["response_code"] == 200
    # Another account's call is not found, as every call subresource.
    missing = other_account.http.get(f"{API}/Accounts/{other_account.sid}/Calls/{sid}/Events.json")
    assert missing.status_code == 404


def test_a_request_the_app_failed_is_an_event_with_its_answer(account: TestAccount, webapp: WebApp) -> None:
    url = webapp.fail("/voice", 503)
    call = account.client.calls.create(to=fresh_number(), from_=CALLER, url=url)
    wait_for_call(account.client, call.sid)
    [failed] = events_of(account, call.sid, 1)
    assert failed.response["response_code"] == 503
    assert "failing on purpose" in failed.response["response_body"]


def test_an_unanswered_request_is_an_event_without_a_response_code(account: TestAccount) -> None:
    # Nothing listens on port 9 (discard) of the loopback: the connection is refused.
    call = account.client.calls.create(to=fresh_number(), from_=CALLER, url="http://127.0.0.1:9/voice")
    wait_for_call(account.client, call.sid)
    [failed] = events_of(account, call.sid, 1)
    assert failed.request["url"] == "http://127.0.0.1:9/voice"
    assert failed.response["response_code"] is None


def test_the_account_events_list_filters_by_kind_and_refuses_an_unknown_one(
    account: TestAccount, webapp: WebApp
) -> None:
    sid = completed_call(account, webapp)
    events_of(account, sid, 2)
    path = f"/phonograph/v1/Accounts/{account.sid}/Events"
    callbacks = ok_json(account.http.get(path, params={"Kind": "callback"}))["events"]
    assert [(event["call_sid"], event["kind"]) for event in callbacks] == [(sid, "callback")]
    everything = ok_json(account.http.get(path, params={"CallSid": sid}))["events"]
    assert [event["kind"] for event in everything] == ["callback", "twiml"]  # newest first
    refused = account.http.get(path, params={"Kind": "sms"})
    assert refused.status_code == 400
    assert "Invalid 'Kind'" in refused.json()["message"]


# --- the command line ----------------------------------------------------------------------------


def run(server: ServerProcess, account: TestAccount, cwd: Path, *args: str) -> Run:
    done = phonograph(cwd, *args, *as_account(server, account))
    assert done.code == 0, done.err
    return done


def in_order(text: str, *parts: str) -> bool:
    """Whether every part appears in ``text``, each after the one before."""
    position = 0
    for part in parts:
        position = text.find(part, position)
        if position < 0:
            return False
        position += len(part)
    return True


@on_sqlite
def test_calls_and_recordings_can_be_listed_shown_and_downloaded(
    server: ServerProcess, account: TestAccount, webapp: WebApp, tmp_path: Path
) -> None:
    tone = webapp.respond("/tone.wav", tone_wav(TONE_HZ, 1.0), content_type="audio/wav")
    webapp.twiml("/voice", f"<Response><Play loop='3'>{tone}</Play></Response>")
    status = webapp.twiml("/status", "<Response/>")
    to = fresh_number()
    add_phone(account.http, to, answer_after_s=0)
    call = account.client.calls.create(
        to=to, from_=CALLER, url=webapp.url("/voice"), record=True, status_callback=status
    )
    assert wait_for_call(account.client, call.sid).status == "completed"
    [recording] = account.client.recordings.list(call_sid=call.sid)
    assert wait_for_recording(account.client, recording.sid).status == "completed"
    events_of(account, call.sid, 2)

    listed = run(server, account, tmp_path, "calls", "list").out
    assert call.sid in listed
    assert "completed" in listed
    shown = run(server, account, tmp_path, "calls", "show", call.sid).out
    assert in_order(
        shown,
        "created",
        "started",
        f"recording {recording.sid} started",
        f"POST {webapp.url('/voice')}",
        "200",
        "ended: completed",
        f"recording {recording.sid} completed",
    ), shown
    assert recording.sid in run(server, account, tmp_path, "recordings", "list", "--call", call.sid).out
    assert "OutboundAPI" in run(server, account, tmp_path, "recordings", "show", recording.sid).out

    downloaded = run(server, account, tmp_path, "recordings", "download", recording.sid)
    wav = tmp_path / f"{recording.sid}.wav"
    assert f"wrote {wav.name}" in downloaded.out
    audio = Audio.from_wav(wav.read_bytes())
    assert_tone(audio, TONE_HZ)  # what the call played, in the mono mix
    mp3 = tmp_path / "call.mp3"
    run(server, account, tmp_path, "recordings", "download", recording.sid, "--mp3", "-o", str(mp3))
    assert mp3.read_bytes()[:3] == b"ID3" or mp3.read_bytes()[0] == 0xFF


@on_sqlite
def test_callbacks_and_notifications_show_what_was_sent_and_what_failed(
    server: ServerProcess, account: TestAccount, webapp: WebApp, tmp_path: Path
) -> None:
    sid = completed_call(account, webapp)
    events_of(account, sid, 2)
    sent = run(server, account, tmp_path, "callbacks", "list").out
    assert in_order(sent, sid, f"POST {webapp.url('/status')}", "CallStatus=completed", "delivered", "200"), (
        sent
    )
    assert webapp.url("/voice") not in sent  # a TwiML fetch is not a callback
    [logged] = account.http.get("/phonograph/v1/Callbacks", params={"CallSid": sid}).json()["callbacks"]
    before = webapp.count("/status")
    replayed = run(server, account, tmp_path, "callbacks", "replay", str(logged["id"])).out
    assert f"callback {logged['id']} queued again" in replayed, replayed
    webapp.wait_for("/status", count=before + 1)

    failing = webapp.fail("/broken", 500)
    broken = account.client.calls.create(to=fresh_number(), from_=CALLER, url=failing)
    wait_for_call(account.client, broken.sid)
    deadline = time.monotonic() + WAIT_S
    while not (
        notes := run(server, account, tmp_path, "notifications", "list", "--call", broken.sid).out
    ).count("11200"):
        assert time.monotonic() < deadline, notes
        time.sleep(0.1)
    assert failing in notes


@on_sqlite
def test_configurations_are_listed_with_the_default_marked_and_shown(
    server: ServerProcess, account: TestAccount, tmp_path: Path
) -> None:
    made = ok_json(
        account.http.post(
            "/v2/Configurations/Recording",
            json={
                "unique_name": "dual",
                "configuration": {
                    "configurationType": "Recording",
                    "compositionPolicy": {"channels": "dual"},
                },
            },
        ),
        201,
    )
    assert account.http.post(
        "/v2/Configurations/Recording/Default", json={"configuration_id": made["id"]}
    ).is_success
    listed = run(server, account, tmp_path, "configurations", "list").out
    assert in_order(listed, made["id"], "dual", "yes"), listed
    shown = run(server, account, tmp_path, "configurations", "show", "dual").out
    assert made["id"] in shown
    assert "compositionPolicy" in shown


@on_sqlite
def test_bad_arguments_end_with_the_servers_error_and_status_1(
    server: ServerProcess, account: TestAccount, tmp_path: Path
) -> None:
    missing = phonograph(tmp_path, "recordings", "show", "RE" + "0" * 32, *as_account(server, account))
    assert missing.code == 1
    assert "HTTP 404" in missing.err
    unknown = phonograph(tmp_path, "configurations", "list", "--type", "Fax", *as_account(server, account))
    assert unknown.code == 1
    assert "Unknown configuration type" in unknown.err
    nobody = phonograph(tmp_path, "calls", "list", "--server", server.base_url)
    assert nobody.code == 2
    assert "no credentials" in nobody.err
