"""The TwiML ways to record, end to end: ``<Dial record>``, ``<Start>``/``<Stop><Recording>``, and
recording configurations named from TwiML (twilio.com/docs/voice/api/recording;
twilio.com/docs/voice/twiml/record, /dial, /conference, /recording; docs/compatibility.md). ``<Record>`` is in
``test_twiml_record_verb.py``, with the helpers both files use.

Every recording is checked by analysing its WAV (length, channel count, which channel holds which
tone), never by trusting the server's own metadata. Callers and callees are virtual phones that
play tones; the parent call's party is the caller (its inbound track), the dialled party reaches it
through the bridge (its outbound track).
"""

from __future__ import annotations

from typing import Any

from phonograph.testing.audio import active_spans
from phonograph.testing.kit import wait_for_call
from phonograph.testing.webapp import Hit, WebApp
from tests.conftest import TestAccount
from tests.support.api import RFC2822_RE
from tests.support.callflow import CALLER, outbound_of, place
from tests.support.notifications import ERROR, WARNING, call_notifications
from tests.support.recordings import CALLBACK_KEYS, finished_recordings, recording_path
from tests.test_twiml_record_verb import (
    CALLEE_HZ,
    CALLER_HZ,
    RATE_HZ,
    STOP_LATENCY_S,
    after_s,
    assert_tone,
    looping_phone,
    media,
    notification_codes,
    onset_s,
    phone,
    played_s,
    recording_url_path,
    seconds,
    speech_heard,
    tone_share,
    tone_url,
    whole_seconds,
)

HANGUP = "<Response><Hangup/></Response>"
CONFIGURATIONS = "/v2/Configurations/Recording"
ACCOUNT_DEFAULT = "/v2/AccountDefaultConfiguration/Recording"
CONFIGURATION_NOT_FOUND = 46004
DOCUMENT_ERROR = 12200


# --- <Dial record> ----------------------------------------------------------------------------


def dial_call(account: TestAccount, webapp: WebApp, dial_attributes: str, callee: str) -> tuple[str, Hit]:
    """A call from a caller phone playing CALLER_HZ whose TwiML dials ``callee`` with these
    attributes; (parent CallSid, the Dial action request)."""
    caller = looping_phone(account, webapp, CALLER_HZ)
    action = webapp.twiml("/dialed", HANGUP)
    twiml = f"<Response><Dial action='{action}' {dial_attributes}><Number>{callee}</Number></Dial></Response>"
    sid = str(account.client.calls.create(to=caller, from_=CALLER, twiml=twiml).sid)
    [hit] = webapp.wait_for("/dialed")
    assert wait_for_call(account.client, sid).status == "completed"
    return sid, hit


def callee_playing(account: TestAccount, webapp: WebApp, duration_s: float, **fields: Any) -> str:
    """A callee that plays CALLEE_HZ for ``duration_s`` and hangs up."""
    play = f"<Response><Play>{tone_url(webapp, CALLEE_HZ, duration_s)}</Play><Hangup/></Response>"
    return phone(account, play, **fields)


def test_dial_record_from_answer_dual_puts_the_caller_on_channel_1_and_the_callee_on_2(
    account: TestAccount, webapp: WebApp
) -> None:
    callee = callee_playing(account, webapp, 2)
    events = webapp.respond("/recording-events", b"")
    attributes = f"record='record-from-answer-dual' recordingStatusCallback='{events}'"
    sid, hit = dial_call(account, webapp, attributes, callee)
    [recording] = finished_recordings(account, sid)
    assert (recording.status, recording.source, recording.channels) == ("completed", "DialVerb", 2)
    # The callback names the parent call (twilio.com/docs/voice/api/recording).
    [completed] = webapp.wait_for("/recording-events")
    assert set(completed.params()) == CALLBACK_KEYS | {"RecordingDuration"}
    reported = ("CallSid", "RecordingSid", "RecordingSource", "RecordingChannels")
    assert [completed.param(name) for name in reported] == [sid, recording.sid, "DialVerb", "2"]
    assert webapp.valid_signature(hit, account.auth_token)
    assert hit.param("RecordingSid") == recording.sid
    assert recording_url_path(hit.param("RecordingUrl")) == recording_path(account.sid, recording.sid, "")
    parent, dialled = media(account, recording.sid)
    assert 1.5 < seconds(parent) < 2.4  # the bridged time: the callee's 2 s tone
    assert_tone(parent, CALLER_HZ)
    assert_tone(dialled, CALLEE_HZ)
    assert tone_share(parent, CALLEE_HZ) < 0.01
    assert tone_share(dialled, CALLER_HZ) < 0.01


def test_dial_record_from_answer_mixes_both_parties_into_one_channel(
    account: TestAccount, webapp: WebApp
) -> None:
    callee = callee_playing(account, webapp, 2)
    sid, hit = dial_call(account, webapp, "record='record-from-answer'", callee)
    [recording] = finished_recordings(account, sid)
    assert (recording.status, recording.source, recording.channels) == ("completed", "DialVerb", 1)
    [mixed] = media(account, recording.sid)
    assert tone_share(mixed, CALLER_HZ) > 0.3
    assert tone_share(mixed, CALLEE_HZ) > 0.3
    assert hit.param("RecordingSid") == recording.sid


def test_dial_record_from_ringing_also_holds_the_ringing(account: TestAccount, webapp: WebApp) -> None:
    ringing_s = 2
    callee = callee_playing(account, webapp, 2, answer_after_s=ringing_s)
    sid, hit = dial_call(account, webapp, "record='record-from-ringing'", callee)
    [recording] = finished_recordings(account, sid)
    [mixed] = media(account, recording.sid)
    # The bridged time, measured on what the caller heard: the callee's tone.
    bridged = [end - start for start, end in active_spans(outbound_of(account, sid), RATE_HZ)]
    assert bridged, "the caller heard nothing"
    assert abs(max(bridged) - int(hit.param("DialCallDuration") or -1)) < 0.6
    # Longer than the bridge by the ringing (and by the few frames the server takes to start the
    # recording and, once the callee hangs up, to stop it: each a STOP_LATENCY_S at most).
    extra_s = seconds(mixed) - max(bridged)
    assert ringing_s - 0.2 < extra_s < ringing_s + 2 * STOP_LATENCY_S
    # The callee comes in once it answers, after the ringing.
    assert abs(onset_s(mixed, CALLEE_HZ) - ringing_s) < 0.4


def test_dial_recording_track_inbound_records_only_the_caller(account: TestAccount, webapp: WebApp) -> None:
    callee = callee_playing(account, webapp, 2)
    sid, _ = dial_call(account, webapp, "record='record-from-answer-dual' recordingTrack='inbound'", callee)
    [recording] = finished_recordings(account, sid)
    assert recording.channels == 1
    [only] = media(account, recording.sid)
    assert_tone(only, CALLER_HZ)
    assert tone_share(only, CALLEE_HZ) < 0.01


# --- <Start><Recording> and <Stop><Recording> -------------------------------------------------


def start_call(account: TestAccount, webapp: WebApp, body: str) -> str:
    """A call to a phone playing CALLER_HZ (inbound) while the TwiML ``body`` runs; it has ended."""
    sid = place(account, f"<Response>{body}</Response>", to=looping_phone(account, webapp, CALLER_HZ))
    assert wait_for_call(account.client, sid).status == "completed"
    return sid


def test_start_recording_callbacks_carry_exactly_twilios_parameters(
    account: TestAccount, webapp: WebApp
) -> None:
    events = webapp.respond("/recording-events", b"")
    start = (
        f"<Start><Recording name='main' channels='dual' recordingStatusCallback='{events}' "
        "recordingStatusCallbackEvent='in-progress completed'/></Start>"
    )
    play = f"<Play>{tone_url(webapp, CALLEE_HZ, 2)}</Play>"
    sid = start_call(
        account, webapp, f"{start}{play}<Stop><Recording name='main'/></Stop><Pause length='1'/>"
    )
    started, completed = webapp.wait_for("/recording-events", count=2)
    [recording] = finished_recordings(account, sid)
    assert (recording.status, recording.source, recording.channels) == (
        "completed",
        "StartCallRecordingTwiML",
        2,
    )
    assert set(started.params()) == CALLBACK_KEYS
    assert set(completed.params()) == CALLBACK_KEYS | {"RecordingDuration"}
    for hit, status in ((started, "in-progress"), (completed, "completed")):
        assert webapp.valid_signature(hit, account.auth_token), hit.summary()
        assert {name: hit.param(name) for name in CALLBACK_KEYS - {"RecordingUrl", "RecordingStartTime"}} == {
            "AccountSid": account.sid,
            "CallSid": sid,
            "RecordingSid": recording.sid,
            "RecordingStatus": status,
            "RecordingChannels": "2",
            "RecordingSource": "StartCallRecordingTwiML",
            "RecordingTrack": "both",
            "ErrorCode": "0",
        }
        assert recording_url_path(hit.param("RecordingUrl")) == recording_path(account.sid, recording.sid, "")
        assert RFC2822_RE.fullmatch(hit.param("RecordingStartTime") or ""), hit.param("RecordingStartTime")
    # Stopped by name as soon as the Play ended, a second before the call did.
    parent, app = media(account, recording.sid)
    assert 1.9 < played_s(app) < 2.1
    assert after_s(app) < STOP_LATENCY_S
    assert completed.param("RecordingDuration") == str(whole_seconds(parent))
    assert_tone(parent, CALLER_HZ)
    assert_tone(app, CALLEE_HZ)
    assert tone_share(parent, CALLEE_HZ) < 0.01


def test_two_named_recordings_run_at_once_and_each_stop_stops_its_own(
    account: TestAccount, webapp: WebApp
) -> None:
    second_hz = 700
    sid = start_call(
        account,
        webapp,
        "<Start><Recording name='short'/><Recording name='long'/></Start>"
        f"<Play>{tone_url(webapp, CALLEE_HZ, 1)}</Play><Stop><Recording name='short'/></Stop>"
        f"<Play>{tone_url(webapp, second_hz, 2)}</Play><Stop><Recording name='long'/></Stop>"
        "<Pause length='1'/>",
    )
    recordings = finished_recordings(account, sid, count=2)
    # Both two channels: dual is <Start><Recording>'s default (twilio.com/docs/voice/twiml/recording;
    # docs/compatibility.md).
    assert [(r.status, r.channels) for r in recordings] == [("completed", 2), ("completed", 2)]
    short, long = (app for _, app in sorted((media(account, r.sid) for r in recordings), key=seconds))
    # "short" stopped after the first Play: it holds that tone, whole, and nothing after.
    assert 0.9 < played_s(short) < 1.1
    assert after_s(short) < STOP_LATENCY_S
    assert tone_share(short, CALLEE_HZ) > 0.9
    # "long" went on through the second Play and stopped after it.
    first, second = active_spans(long, RATE_HZ)
    assert 0.9 < first[1] - first[0] < 1.1
    assert 1.9 < second[1] - second[0] < 2.1
    assert_tone(long[int(first[0] * RATE_HZ) : int(first[1] * RATE_HZ)], CALLEE_HZ)
    assert_tone(long[int(second[0] * RATE_HZ) :], second_hz)
    assert after_s(long) < STOP_LATENCY_S


def test_a_duplicate_recording_name_is_a_warning_and_records_once(
    account: TestAccount, webapp: WebApp
) -> None:
    sid = start_call(
        account,
        webapp,
        "<Start><Recording name='dup'/></Start><Start><Recording name='dup'/></Start><Pause length='1'/>",
    )
    [recording] = finished_recordings(account, sid)
    assert recording.status == "completed"
    notices = [n for n in call_notifications(account.client, sid) if n.log == WARNING]
    assert [n.error_code for n in notices] == [DOCUMENT_ERROR]
    assert "dup" in notices[0].message_text


# --- recording configurations named from TwiML ------------------------------------------------


def create_configuration(account: TestAccount, callback_url: str, **policy: str) -> str:
    """A Recording configuration made over plain JSON (the SDK's create raises, README.md); its id."""
    body = {
        "configuration": {
            "configurationType": "Recording",
            "compositionPolicy": policy,
            "callRecordingStatusCallback": {"url": callback_url},
        }
    }
    response = account.http.post(CONFIGURATIONS, json=body)
    assert response.status_code == 201, response.text
    created: str = response.json()["id"]
    return created


def test_start_recording_with_a_configuration_takes_its_layout_trim_and_callback(
    account: TestAccount, webapp: WebApp
) -> None:
    events = webapp.respond("/configured-events", b"")
    configuration = create_configuration(account, events, channels="dual", trim="do-not-trim")
    tone = tone_url(webapp, CALLER_HZ, 1)
    number = phone(account, f"<Response><Pause length='2'/><Play loop='0'>{tone}</Play></Response>")
    twiml = f"<Start><Recording recordingConfigurationId='{configuration}'/></Start><Pause length='3'/>"
    sid = place(account, f"<Response>{twiml}</Response>", to=number)
    [hit] = webapp.wait_for("/configured-events")
    [recording] = finished_recordings(account, sid)
    assert (hit.param("RecordingSid"), hit.param("RecordingStatus")) == (recording.sid, "completed")
    assert webapp.valid_signature(hit, account.auth_token)
    parent, app = media(account, recording.sid)
    # Not trimmed (the configuration's trim; <Start><Recording>'s own default trims): the caller's
    # silent first seconds are kept.
    [(tone_start_s, _), *_] = active_spans(parent, RATE_HZ)
    assert tone_start_s > 0.5
    assert_tone(parent[int(tone_start_s * RATE_HZ) :], CALLER_HZ)
    assert active_spans(app, RATE_HZ) == []


def test_dial_with_a_configuration_records_in_its_channels_and_calls_its_callback(
    account: TestAccount, webapp: WebApp
) -> None:
    events = webapp.respond("/configured-events", b"")
    configuration = create_configuration(account, events, channels="dual")
    callee = callee_playing(account, webapp, 2)
    attributes = f"record='record-from-answer' recordingConfigurationId='{configuration}'"
    sid, dialled = dial_call(account, webapp, attributes, callee)
    [recording] = finished_recordings(account, sid)
    assert (recording.source, recording.channels) == ("DialVerb", 2)
    assert dialled.param("RecordingSid") == recording.sid
    [hit] = webapp.wait_for("/configured-events")
    assert (hit.param("RecordingSid"), hit.param("RecordingChannels")) == (recording.sid, "2")
    parent, callee_channel = media(account, recording.sid)
    assert_tone(parent, CALLER_HZ)
    assert_tone(callee_channel, CALLEE_HZ)


def assert_application_error(account: TestAccount, sid: str, code: int) -> None:
    """The call ended with the application-error speech, an error Notification ``code``, and no
    recording."""
    assert speech_heard(account, sid)
    assert code in notification_codes(account, sid, ERROR)
    assert account.client.recordings.list(call_sid=sid) == []


def test_an_unknown_configuration_id_is_an_application_error(account: TestAccount) -> None:
    unknown = "voice_recordingconfiguration_01h455vb4pex5vsknk084sn02q"
    sid = place(
        account, f"<Response><Start><Recording recordingConfigurationId='{unknown}'/></Start></Response>"
    )
    assert_application_error(account, sid, CONFIGURATION_NOT_FOUND)


def test_another_accounts_configuration_is_unknown(
    account: TestAccount, other_account: TestAccount, webapp: WebApp
) -> None:
    theirs = create_configuration(other_account, webapp.url("/theirs"), channels="dual")
    sid = place(
        account, f"<Response><Start><Recording recordingConfigurationId='{theirs}'/></Start></Response>"
    )
    assert_application_error(account, sid, CONFIGURATION_NOT_FOUND)
    assert webapp.count("/theirs") == 0


def test_a_configuration_id_with_trim_does_not_parse(account: TestAccount, webapp: WebApp) -> None:
    configuration = create_configuration(account, webapp.url("/unused"), channels="dual")
    recording = f"<Recording recordingConfigurationId='{configuration}' trim='do-not-trim'/>"
    sid = place(account, f"<Response><Start>{recording}</Start></Response>")
    assert_application_error(account, sid, DOCUMENT_ERROR)


def test_the_account_default_applies_to_a_start_recording_without_attributes(
    account: TestAccount, webapp: WebApp
) -> None:
    events = webapp.respond("/default-events", b"")
    body = {
        "configuration": {
            "configurationType": "Recording",
            "compositionPolicy": {"channels": "mono"},
            "callRecordingStatusCallback": {"url": events},
        }
    }
    created = account.http.post(ACCOUNT_DEFAULT, json=body)
    assert created.status_code == 201, created.text
    play = f"<Play>{tone_url(webapp, CALLEE_HZ, 2)}</Play>"
    sid = start_call(account, webapp, f"<Start><Recording/></Start>{play}")
    [recording] = finished_recordings(account, sid)
    [hit] = webapp.wait_for("/default-events")
    assert (hit.param("RecordingSid"), hit.param("RecordingChannels")) == (recording.sid, "1")
    # Mono (the account default), where <Start><Recording>'s own default is dual: both in one.
    [mixed] = media(account, recording.sid)
    assert tone_share(mixed, CALLER_HZ) > 0.3
    assert tone_share(mixed, CALLEE_HZ) > 0.3
