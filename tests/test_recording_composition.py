"""What ends up in a recording's WAV: layouts (track × channels), trimming, and the recording
configurations that choose them over REST (twilio.com/docs/voice/api/call-resource;
twilio.com/docs/voice/api/recording; twilio.com/docs/configurations/recording-configuration-resource;
docs/compatibility.md–14.4).

The far end (a virtual phone) plays one tone and the app plays another, so a spectrum tells which
party a channel holds: channel 1 = inbound = the far end, channel 2 = outbound = the app.
Lengths and channel counts are measured on the WAV, never read from the recording's metadata.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from phonograph.testing.kit import add_phone, fresh_number, wait_for_call, wait_for_recording
from phonograph.testing.webapp import WebApp
from tests.conftest import TestAccount
from tests.support.api import rest_error
from tests.support.callflow import CALLER, place
from tests.support.recordings import wait_media_s
from tests.test_recording_controls import (
    RATE_HZ,
    SAMPLES_PER_FRAME,
    assert_tone,
    end_call,
    frequency_share,
    phone_playing,
    recording_wav,
    tone_url,
)

FAR_HZ = 440.0
APP_HZ = 1000.0
ABSENT_SHARE = 0.01
"""A tone with less than this share of a channel's energy is not in it."""
CONFIGURATIONS = "/v2/Configurations/Recording"
ACCOUNT_DEFAULT = "/v2/AccountDefaultConfiguration/Recording"


def two_tone_call(account: TestAccount, webapp: WebApp) -> str:
    """An in-progress call: the phone plays FAR_HZ and the app APP_HZ, both until the call ends."""
    far = tone_url(webapp, FAR_HZ)
    phone = fresh_number()
    add_phone(account.http, phone, f"<Response><Play loop='0'>{far}</Play></Response>", answer_after_s=0)
    app = tone_url(webapp, APP_HZ)
    call_sid = place(account, f"<Response><Play loop='0'>{app}</Play></Response>", to=phone)
    wait_for_call(account.client, call_sid, ("in-progress",))
    return call_sid


def recorded(account: TestAccount, sid: str) -> list[np.ndarray]:
    """Once ``sid`` is completed, its WAV's channels, each trimmed of 0.1 s at both ends (where
    a tone starts or stops mid-frame)."""
    assert wait_for_recording(account.client, sid).status == "completed"
    wav, rate = recording_wav(account, sid)
    assert rate == RATE_HZ
    edge = RATE_HZ // 10
    return [channel[edge:-edge] for channel in wav]


def holds_only(samples: np.ndarray, present: float, absent: float) -> None:
    assert_tone(samples, present)
    assert frequency_share(samples, absent) < ABSENT_SHARE


def stop_all(account: TestAccount, call_sid: str, sids: list[str]) -> None:
    for sid in sids:
        account.client.calls(call_sid).recordings(sid).update(status="stopped")


# --- layouts ----------------------------------------------------------------------------------------


def test_each_track_and_channel_layout_holds_the_right_parties(account: TestAccount, webapp: WebApp) -> None:
    call_sid = two_tone_call(account, webapp)
    recordings = account.client.calls(call_sid).recordings
    sids = {
        (track, channels): recordings.create(recording_track=track, recording_channels=channels).sid
        for track in ("inbound", "outbound", "both")
        for channels in ("mono", "dual")
    }
    wait_media_s(account.owner, 1.5)
    stop_all(account, call_sid, list(sids.values()))
    audio = {layout: recorded(account, sid) for layout, sid in sids.items()}
    end_call(account, call_sid)

    # A single track is always one channel, whatever RecordingChannels asks (Twilio, "How to
    # record a single side of a call").
    for channels in ("mono", "dual"):
        [inbound] = audio["inbound", channels]
        holds_only(inbound, FAR_HZ, APP_HZ)
        [outbound] = audio["outbound", channels]
        holds_only(outbound, APP_HZ, FAR_HZ)
    first, second = audio["both", "dual"]
    holds_only(first, FAR_HZ, APP_HZ)
    holds_only(second, APP_HZ, FAR_HZ)
    [mixed] = audio["both", "mono"]
    assert frequency_share(mixed, FAR_HZ) > 0.3
    assert frequency_share(mixed, APP_HZ) > 0.3


# --- trim -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("trim", "expected_s"),
    [("trim-silence", 1.0), ("do-not-trim", 3.0), (None, 1.0)],
    ids=["trim-silence", "do-not-trim", "record-true-default-trims"],
)
def test_trim_removes_leading_and_trailing_silence_only_when_asked(
    account: TestAccount, webapp: WebApp, trim: str | None, expected_s: float
) -> None:
    # Silent 1 s, a tone for 1 s, silent 1 s, then the phone hangs up (which ends the recording).
    tone = tone_url(webapp, FAR_HZ)
    phone = fresh_number()
    script = f"<Response><Pause length='1'/><Play>{tone}</Play><Pause length='1'/><Hangup/></Response>"
    add_phone(account.http, phone, script, answer_after_s=0)
    extra: dict[str, Any] = {} if trim is None else {"trim": trim}
    call = account.client.calls.create(
        to=phone, from_=CALLER, twiml="<Response><Pause length='30'/></Response>", record=True, **extra
    )
    assert wait_for_call(account.client, call.sid).status == "completed"
    [recording] = account.client.calls(call.sid).recordings.list()
    assert wait_for_recording(account.client, recording.sid).status == "completed"
    [samples], _ = recording_wav(account, recording.sid)
    length_s = len(samples) / RATE_HZ
    if expected_s == 1.0:
        # Cut to 20 ms windows: the tone's own second, and at most a window more at each end.
        assert 1.0 <= length_s <= 1.0 + 2 * SAMPLES_PER_FRAME / RATE_HZ, length_s
        assert np.abs(samples[:SAMPLES_PER_FRAME]).max() > 1000
        assert np.abs(samples[-SAMPLES_PER_FRAME:]).max() > 1000
        assert_tone(samples, FAR_HZ)
    else:
        # The whole call from the answer (the phone's script starts at it): the tone and the
        # silence on both sides of it are kept. The tone starts once its URL is fetched after the
        # 1 s pause, which on a busy machine is later in media time (tests run media ten times
        # faster): only the silence's lower bound is the phone's.
        loud = np.flatnonzero(np.abs(samples) > 1000)
        head_s, tail_s = loud[0] / RATE_HZ, (len(samples) - loud[-1]) / RATE_HZ
        assert head_s >= 0.9, head_s
        assert 0.95 <= tail_s <= 1.3, tail_s  # and the few frames until the hang-up stops it
        assert 0.95 <= (loud[-1] - loud[0]) / RATE_HZ <= 1.05


# --- configurations over REST -----------------------------------------------------------------------


def configuration(
    track: str = "both",
    channels: str = "mono",
    trim: str = "do-not-trim",
    callback: dict[str, Any] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "configurationType": "Recording",
        "compositionPolicy": {"channels": channels, "trim": trim, "track": track},
    }
    if callback is not None:
        body["callRecordingStatusCallback"] = callback
    return body


def create_configuration(account: TestAccount, body: dict[str, Any], unique_name: str | None = None) -> str:
    """Create over plain JSON (the SDK's create raises after success, README.md); the id."""
    payload: dict[str, Any] = {"configuration": body}
    if unique_name is not None:
        payload["unique_name"] = unique_name
    response = account.http.post(CONFIGURATIONS, json=payload)
    assert response.status_code == 201, response.text
    created: str = response.json()["id"]
    return created


def create_account_default(account: TestAccount, body: dict[str, Any]) -> None:
    response = account.http.post(ACCOUNT_DEFAULT, json={"configuration": body})
    assert response.status_code == 201, response.text


def point_default_at(account: TestAccount, key: str) -> None:
    response = account.http.post(f"{CONFIGURATIONS}/Default", json={"configuration_id": key})
    assert response.status_code == 204, response.text


def callback(webapp: WebApp, path: str) -> dict[str, Any]:
    webapp.respond(path, b"")
    return {"url": webapp.url(path), "method": "POST", "events": ["in-progress", "completed"]}


def test_a_configuration_named_by_id_or_unique_name_gives_its_layout_and_callback(
    account: TestAccount, webapp: WebApp
) -> None:
    dual = create_configuration(account, configuration(channels="dual", callback=callback(webapp, "/dual")))
    create_configuration(account, configuration(track="inbound"), unique_name="far-end-only")
    call_sid = two_tone_call(account, webapp)
    recordings = account.client.calls(call_sid).recordings
    by_id = recordings.create(recording_configuration_id=dual)
    by_name = recordings.create(recording_configuration_id="far-end-only")
    assert (by_id.channels, by_name.channels, by_name.track) == (2, 1, "inbound")
    wait_media_s(account.owner, 1)
    stop_all(account, call_sid, [by_id.sid, by_name.sid])
    first, second = recorded(account, by_id.sid)
    holds_only(first, FAR_HZ, APP_HZ)
    holds_only(second, APP_HZ, FAR_HZ)
    [inbound] = recorded(account, by_name.sid)
    holds_only(inbound, FAR_HZ, APP_HZ)
    hits = webapp.wait_for("/dual", count=2)
    assert [(hit.param("RecordingSid"), hit.param("RecordingStatus")) for hit in hits] == [
        (by_id.sid, "in-progress"),
        (by_id.sid, "completed"),
    ]
    end_call(account, call_sid)


def test_the_account_default_applies_only_when_nothing_is_given(account: TestAccount, webapp: WebApp) -> None:
    create_account_default(account, configuration(channels="dual", callback=callback(webapp, "/default")))
    call_sid = two_tone_call(account, webapp)
    recordings = account.client.calls(call_sid).recordings
    defaulted = recordings.create().sid
    # Any programmatic parameter replaces the whole default: Twilio's per-method defaults fill the
    # rest (mono, both tracks, no callback).
    programmatic = recordings.create(trim="do-not-trim").sid
    wait_media_s(account.owner, 1)
    stop_all(account, call_sid, [defaulted, programmatic])
    first, second = recorded(account, defaulted)
    holds_only(first, FAR_HZ, APP_HZ)
    holds_only(second, APP_HZ, FAR_HZ)
    [mixed] = recorded(account, programmatic)
    assert frequency_share(mixed, FAR_HZ) > 0.3
    assert frequency_share(mixed, APP_HZ) > 0.3
    hits = webapp.wait_for("/default", count=2)
    assert {hit.param("RecordingSid") for hit in hits} == {defaulted}
    end_call(account, call_sid)
    assert webapp.count("/default") == 2


def test_the_default_pointer_applies_when_there_is_no_account_default(
    account: TestAccount, webapp: WebApp
) -> None:
    point_default_at(account, create_configuration(account, configuration(track="outbound")))
    call_sid = two_tone_call(account, webapp)
    recordings = account.client.calls(call_sid).recordings
    pointed = recordings.create().sid
    # Once there is an account default, it wins over the pointer.
    create_account_default(account, configuration(track="inbound"))
    account_default = recordings.create().sid
    wait_media_s(account.owner, 1)
    stop_all(account, call_sid, [pointed, account_default])
    [outbound] = recorded(account, pointed)
    holds_only(outbound, APP_HZ, FAR_HZ)
    [inbound] = recorded(account, account_default)
    holds_only(inbound, FAR_HZ, APP_HZ)
    end_call(account, call_sid)


@pytest.mark.parametrize("named", [True, False], ids=["by-id", "account-default"])
def test_record_true_with_a_configuration(account: TestAccount, webapp: WebApp, named: bool) -> None:
    extra: dict[str, Any] = {}
    if named:
        extra["recording_configuration_id"] = create_configuration(account, configuration(channels="dual"))
    else:
        create_account_default(account, configuration(channels="dual"))
    phone = phone_playing(account, tone_url(webapp, FAR_HZ, 2.0), then="<Hangup/>")
    app = tone_url(webapp, APP_HZ, 3.0)
    call = account.client.calls.create(
        to=phone, from_=CALLER, twiml=f"<Response><Play>{app}</Play></Response>", record=True, **extra
    )
    assert wait_for_call(account.client, call.sid).status == "completed"
    [recording] = account.client.calls(call.sid).recordings.list()
    first, second = recorded(account, recording.sid)
    holds_only(first, FAR_HZ, APP_HZ)
    holds_only(second, APP_HZ, FAR_HZ)


def test_record_true_with_an_unknown_configuration_makes_no_call(
    account: TestAccount, webapp: WebApp
) -> None:
    phone = phone_playing(account, tone_url(webapp, FAR_HZ))
    error = rest_error(
        lambda: account.client.calls.create(
            to=phone,
            from_=CALLER,
            twiml="<Response><Pause length='1'/></Response>",
            record=True,
            recording_configuration_id="no-such-configuration",
        )
    )
    assert (error.status, error.code) == (400, 46004)
    assert account.client.calls.list(to=phone) == []
