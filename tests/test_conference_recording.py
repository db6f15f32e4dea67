"""Conference recordings end to end, checked on the audio (twilio.com/docs/voice/api/conference-resource;
twilio.com/docs/voice/api/recording; twilio.com/docs/voice/twiml/conference).

A conference recording is a mono mix of everyone who is heard (``<Conference record>``:
``source`` ``Conference``; Participants ``ConferenceRecord``: ``StartConferenceRecordingAPI``),
or two channels with the account's dual-channel setting: the first participant, then the rest.
Its WAV is read back over the authenticated media URL and its tones are found frame by frame;
a skipped pause is measured by finding the recording's first and last frames in a talker's
captured noise. https://www.twilio.com/docs/voice/api/conference-recording-resource
"""

from __future__ import annotations

from typing import Any

import numpy as np

from phonograph.testing.kit import add_phone, fresh_number, wait_for_recording
from phonograph.testing.webapp import WebApp
from tests.conftest import TestAccount
from tests.support.api import rest_error, unique_name
from tests.support.callflow import CALLER
from tests.support.calls import tracks
from tests.support.conferences import (
    FRAMES_PER_S,
    QUIET,
    RATE_HZ,
    SAMPLES_PER_FRAME,
    Tones,
    assert_run_within,
    bracketed,
    conference_in,
    conference_twiml,
    connected,
    frames_between,
    join_all,
    locate,
    longest_run,
    media_settings,
    noise_wav,
    recording_media,
    settle_calls,
    signed_params,
    silent_phone,
    the_run,
    tone_phone,
    wait_until,
)
from tests.support.recordings import CALLBACK_KEYS, wait_media_s

P1_HZ, P2_HZ, P3_HZ = 500.0, 900.0, 1400.0
PHONE_TONES = (P1_HZ, P2_HZ, P3_HZ)
CALLBACK = "/conference-recording-status"
TOGETHER_S = 2.0
MUTED_S = 2.0
SKIPPED_S = 2.0
HEARD_FRAMES = int(1.5 * FRAMES_PER_S)
TRANSITION_FRAMES = FRAMES_PER_S // 2
NOISE_S = 120.0
"""As long as a leg's capture (PHONOGRAPH_CAPTURE_S): looped, no frame repeats within one."""
# What a conference recording's callback carries: ConferenceSid for CallSid
# (twilio.com/docs/voice/api/recording, twilio.com/docs/voice/twiml/conference).
CONFERENCE_CALLBACK_KEYS = (CALLBACK_KEYS - {"CallSid"}) | {"ConferenceSid"}


def the_recording(account: TestAccount, conference_sid: str) -> Any:
    """The conference's one recording, once it has started."""

    def listed() -> Any:
        recordings = account.client.conferences(conference_sid).recordings.list()
        return recordings[0] if len(recordings) == 1 else None

    return wait_until(listed, f"the recording of {conference_sid}")


def assert_conference_recording(recording: Any, conference_sid: str, source: str, channels: int) -> None:
    assert (recording.conference_sid, recording.call_sid, recording.source, recording.channels) == (
        conference_sid,
        None,
        source,
        channels,
    )


def assert_callback(params: dict[str, str], recording: Any, status: str, source: str) -> None:
    """A conference recording's status callback (twilio.com/docs/voice/api/recording): ConferenceSid and no
    CallSid."""
    expected = CONFERENCE_CALLBACK_KEYS | ({"RecordingDuration"} if status == "completed" else set())
    assert set(params) == expected, params
    assert (params["ConferenceSid"], params["RecordingSid"], params["RecordingStatus"]) == (
        recording.conference_sid,
        recording.sid,
        status,
    )
    assert (params["RecordingSource"], params["RecordingChannels"]) == (source, "1")
    assert params["RecordingUrl"].endswith(f"/Recordings/{recording.sid}")


def test_a_conference_recorded_from_start_holds_every_voice_but_a_muted_one(
    account: TestAccount, webapp: WebApp
) -> None:
    client = account.client
    callback = webapp.respond(CALLBACK, b"")
    room = unique_name("room")
    record = (
        f"record='record-from-start' recordingStatusCallback='{callback}' "
        "recordingStatusCallbackEvent='in-progress completed'"
    )
    phones = [tone_phone(account, webapp, hz) for hz in PHONE_TONES]
    conference_sid, calls = join_all(account, room, phones, conference_twiml(room, f"{QUIET} {record}"))
    recording = the_recording(account, conference_sid)
    assert_conference_recording(recording, conference_sid, "Conference", 1)
    assert recording.status == "in-progress"
    participants = client.conferences(conference_sid).participants
    wait_media_s(account.owner, TOGETHER_S)
    mute = bracketed(account, lambda: participants(calls[0]).update(muted=True))
    wait_media_s(account.owner, MUTED_S)
    unmute = bracketed(account, lambda: participants(calls[0]).update(muted=False))
    wait_media_s(account.owner, 1)

    # Kicked one by one, the muted one last: the conference ends, and its recording with it.
    for sid in reversed(calls):
        participants(sid).delete()
    ended = conference_in(client, conference_sid, "completed")
    assert ended.reason_conference_ended == "last-participant-kicked"
    settle_calls(client, calls)
    done = wait_for_recording(client, recording.sid)
    assert done.status == "completed"
    assert_conference_recording(done, conference_sid, "Conference", 1)
    [listed] = client.recordings.list(conference_sid=conference_sid)
    assert listed.sid == recording.sid
    assert_conference_recording(listed, conference_sid, "Conference", 1)

    [mixed] = recording_media(account, recording.sid)
    assert abs(len(mixed) / RATE_HZ - int(done.duration)) <= 0.5
    tones = Tones.of(mixed, PHONE_TONES)
    assert longest_run(tones.frames(present=PHONE_TONES)) >= HEARD_FRAMES
    muted = the_run(tones.frames(present=[P2_HZ, P3_HZ], absent=[P1_HZ]), TRANSITION_FRAMES)
    assert_run_within(muted, frames_between(mute, unmute))

    hits = webapp.wait_for(CALLBACK, count=2)
    started, completed = signed_params(webapp, hits, account.auth_token)
    assert_callback(started, recording, "in-progress", "Conference")
    assert_callback(completed, recording, "completed", "Conference")
    assert completed["RecordingDuration"] == done.duration


def test_participants_create_with_conference_record_records_the_conference(
    account: TestAccount, webapp: WebApp
) -> None:
    client = account.client
    callback = webapp.respond(CALLBACK, b"")
    room = unique_name("room")
    participants = client.conferences(room).participants
    asks: dict[str, Any] = {
        "conference_record": "record-from-start",
        "conference_recording_status_callback": callback,
    }
    created = [
        participants.create(
            from_=CALLER,
            to=tone_phone(account, webapp, hz),
            beep="false",
            wait_url="",
            **(asks if hz == P1_HZ else {}),
        )
        for hz in PHONE_TONES
    ]
    conference_sid = created[0].conference_sid
    connected(client, conference_sid, 3)
    recording = the_recording(account, conference_sid)
    assert_conference_recording(recording, conference_sid, "StartConferenceRecordingAPI", 1)
    wait_media_s(account.owner, TOGETHER_S)
    client.conferences(conference_sid).update(status="completed")
    assert conference_in(client, conference_sid, "completed").reason_conference_ended == (
        "conference-ended-via-api"
    )
    settle_calls(client, [p.call_sid for p in created])

    done = wait_for_recording(client, recording.sid)
    assert done.status == "completed"
    [listed] = client.recordings.list(conference_sid=conference_sid)
    assert_conference_recording(listed, conference_sid, "StartConferenceRecordingAPI", 1)
    [mixed] = recording_media(account, recording.sid)
    assert longest_run(Tones.of(mixed, PHONE_TONES).frames(present=PHONE_TONES)) >= HEARD_FRAMES
    # ConferenceRecordingStatusCallbackEvent defaults to completed alone.
    [hit] = webapp.wait_for(CALLBACK)
    [params] = signed_params(webapp, [hit], account.auth_token)
    assert_callback(params, recording, "completed", "StartConferenceRecordingAPI")


def test_a_skipped_pause_is_cut_from_the_conference_recording_and_it_cannot_be_stopped(
    account: TestAccount, webapp: WebApp
) -> None:
    client = account.client
    noise = webapp.respond("/conference-noise.wav", noise_wav(NOISE_S, seed=5), content_type="audio/wav")
    talker = fresh_number()
    add_phone(account.http, talker, f"<Response><Play loop='0'>{noise}</Play></Response>", answer_after_s=0)
    room = unique_name("room")
    twiml = conference_twiml(room, f"{QUIET} record='record-from-start'")
    conference_sid, calls = join_all(account, room, [talker, silent_phone(account)], twiml)
    conference = client.conferences(conference_sid)
    recording = the_recording(account, conference_sid)
    current = conference.recordings("Twilio.CURRENT")
    wait_media_s(account.owner, 1)
    pause = bracketed(account, lambda: current.update(status="paused", pause_behavior="skip"))
    assert conference.recordings(recording.sid).fetch().status == "paused"
    wait_media_s(account.owner, SKIPPED_S)
    resume = bracketed(account, lambda: current.update(status="in-progress"))
    wait_media_s(account.owner, 1)
    error = rest_error(lambda: current.update(status="stopped"))
    assert (error.status, error.code) == (400, 20001)
    assert conference.recordings(recording.sid).fetch().status == "in-progress"
    conference.update(status="completed")
    settle_calls(client, calls)
    assert wait_for_recording(client, recording.sid).status == "completed"

    # The recording is the talker's noise as the server heard it, less the skipped frames: found
    # in the talker's captured inbound, it spans the skip more than its own length.
    [recorded] = recording_media(account, recording.sid)
    captured = tracks(account.http, calls[0])[0]
    assert len(recorded) % SAMPLES_PER_FRAME == 0
    start = locate(recorded[:SAMPLES_PER_FRAME], captured)
    end = locate(recorded[-SAMPLES_PER_FRAME:], captured) + SAMPLES_PER_FRAME
    skipped = end - start - len(recorded)
    assert skipped % SAMPLES_PER_FRAME == 0
    fewest, most = frames_between(pause, resume)
    assert fewest <= skipped // SAMPLES_PER_FRAME <= most, (skipped, fewest, most)
    # One cut: before it the recording runs as the capture did from its start, after it to its end.
    cut = int(np.flatnonzero(recorded != captured[start : start + len(recorded)])[0])
    assert cut % SAMPLES_PER_FRAME == 0
    assert np.array_equal(recorded[cut:], captured[end - (len(recorded) - cut) : end])


def test_with_dual_channel_conference_recording_the_first_participant_is_channel_one(
    account: TestAccount, webapp: WebApp
) -> None:
    assert media_settings(account, dual_channel_conference_recording=True)[
        "dual_channel_conference_recording"
    ]
    client = account.client
    room = unique_name("room")
    phones = [tone_phone(account, webapp, hz) for hz in PHONE_TONES]
    twiml = conference_twiml(room, f"{QUIET} record='record-from-start'")
    conference_sid, calls = join_all(account, room, phones, twiml)
    recording = the_recording(account, conference_sid)
    assert_conference_recording(recording, conference_sid, "Conference", 2)
    wait_media_s(account.owner, TOGETHER_S)
    client.conferences(conference_sid).update(status="completed")
    settle_calls(client, calls)
    assert wait_for_recording(client, recording.sid).status == "completed"

    first, rest = (Tones.of(channel, PHONE_TONES) for channel in recording_media(account, recording.sid))
    assert longest_run(first.frames(present=[P1_HZ])) >= HEARD_FRAMES
    assert first.never(P2_HZ)
    assert first.never(P3_HZ)
    assert longest_run(rest.frames(present=[P2_HZ, P3_HZ])) >= HEARD_FRAMES
    assert rest.never(P1_HZ)


def test_an_unknown_recording_configuration_is_refused_before_anything_is_dialled(
    account: TestAccount,
) -> None:
    """With ConferenceRecord on, RecordingConfigurationId names the conference recording's
    configuration: an unknown one is 46004, and the refused create dials nobody and makes no
    conference (compatibility.md, "Conference recordings")."""
    client = account.client
    room = unique_name("room")
    participants = client.conferences(room).participants
    error = rest_error(
        lambda: participants.create(
            from_=CALLER,
            to=silent_phone(account),
            conference_record="true",
            recording_configuration_id="no-such-configuration",
        )
    )
    assert (error.status, error.code) == (400, 46004)
    assert client.calls.list() == []
    assert client.conferences.list(friendly_name=room) == []


def test_a_recording_configuration_sends_the_conference_recording_callback_where_it_says(
    account: TestAccount, webapp: WebApp
) -> None:
    client = account.client
    conference_callback = webapp.respond(CALLBACK, b"")
    call_callback = webapp.respond("/call-recording-status", b"")
    body = {
        "configuration": {
            "configurationType": "Recording",
            "callRecordingStatusCallback": {"url": call_callback},
            "conferenceRecordingStatusCallback": {"url": conference_callback, "events": ["completed"]},
        }
    }
    response = account.http.post("/v2/Configurations/Recording", json=body)
    assert response.status_code == 201, response.text
    configuration_id = response.json()["id"]
    room = unique_name("room")
    phones = [tone_phone(account, webapp, hz) for hz in (P1_HZ, P2_HZ)]
    record = f"record='record-from-start' recordingConfigurationId='{configuration_id}'"
    conference_sid, calls = join_all(account, room, phones, conference_twiml(room, f"{QUIET} {record}"))
    recording = the_recording(account, conference_sid)
    wait_media_s(account.owner, 1)
    client.conferences(conference_sid).update(status="completed")
    settle_calls(client, calls)

    # The configuration's conference callback, not its call callback
    # (twilio.com/docs/configurations/recording-configuration-resource,
    # twilio.com/docs/configurations/recording-configuration-resource).
    [hit] = webapp.wait_for(CALLBACK)
    [params] = signed_params(webapp, [hit], account.auth_token)
    assert_callback(params, recording, "completed", "Conference")
    assert webapp.hits("/call-recording-status") == []
