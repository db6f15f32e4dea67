"""Helpers for the Recording API tests: live calls whose far end plays a tone, starting recordings,
waiting on media time and on a recording's status."""

from __future__ import annotations

import time
from typing import Any

import httpx

from phonograph.testing.kit import RECORDING_ENDED, add_phone, fresh_number, wait_for_call, wait_for_recording
from phonograph.testing.webapp import WebApp
from tests.conftest import TestAccount
from tests.support.api import API, ok_json
from tests.support.callflow import place
from tests.support.calls import tone_wav

# What every recording status callback carries (twilio.com/docs/voice/api/recording); RecordingDuration is
# added on completed.
CALLBACK_KEYS = {
    "AccountSid",
    "CallSid",
    "RecordingSid",
    "RecordingUrl",
    "RecordingStatus",
    "RecordingChannels",
    "RecordingStartTime",
    "RecordingSource",
    "RecordingTrack",
    "ErrorCode",
}

TONE_HZ = 440.0
LONG_PAUSE = "<Response><Pause length='600'/></Response>"
FRAMES_PER_MEDIA_S = 50  # 20 ms frames
FINISHED = RECORDING_ENDED
WAIT_S = 30.0


def tone_path(frequency_hz: float = TONE_HZ) -> str:
    return f"/tone-{frequency_hz:g}.wav"


def tone_phone(account: TestAccount, webapp: WebApp, frequency_hz: float = TONE_HZ) -> str:
    """A fresh number whose virtual phone answers at once and plays a tone until the call ends."""
    url = webapp.respond(tone_path(frequency_hz), tone_wav(frequency_hz, 1.0), content_type="audio/wav")
    number = fresh_number()
    add_phone(account.http, number, f"<Response><Play loop='0'>{url}</Play></Response>", answer_after_s=0)
    return number


def live_call(account: TestAccount, webapp: WebApp, twiml: str = LONG_PAUSE) -> str:
    """An in-progress call to a phone playing a tone (inbound) while ``twiml`` runs (outbound)."""
    sid = place(account, twiml, to=tone_phone(account, webapp))
    wait_for_call(account.client, sid, ("in-progress",))
    # The phone has its tone (the server keeps fetched audio, so later calls need no new fetch).
    webapp.wait_for(tone_path(), lambda hit: hit.status == 200)
    return sid


def call_recordings_path(account_sid: str, call_sid: str, sid: str | None = None) -> str:
    base = f"{API}/Accounts/{account_sid}/Calls/{call_sid}/Recordings"
    return f"{base}.json" if sid is None else f"{base}/{sid}.json"


def recording_path(account_sid: str, sid: str, extension: str = ".json") -> str:
    return f"{API}/Accounts/{account_sid}/Recordings/{sid}{extension}"


def start_recording(account: TestAccount, call_sid: str, **params: Any) -> dict[str, Any]:
    """``POST /Calls/{CallSid}/Recordings.json`` with PascalCase ``params``; the 201 body."""
    return ok_json(account.http.post(call_recordings_path(account.sid, call_sid), data=params), 201)


def control(account: TestAccount, call_sid: str, sid: str, status: str) -> Any:
    return account.client.calls(call_sid).recordings(sid).update(status=status)


def media_frames(http: httpx.Client) -> int:
    return int(ok_json(http.get("/phonograph/v1/Media"))["frames"])


def wait_media_s(http: httpx.Client, seconds: float) -> None:
    """Wait until the server's media clock has run ``seconds`` more of media time."""
    target = media_frames(http) + seconds * FRAMES_PER_MEDIA_S
    deadline = time.monotonic() + WAIT_S
    while media_frames(http) < target:
        assert time.monotonic() < deadline, f"the media clock did not run {seconds} s"
        time.sleep(0.02)


def completed_recording(
    account: TestAccount, webapp: WebApp, media_s: float = 2.0, **params: Any
) -> tuple[str, str]:
    """(call SID, recording SID) of a recording of ``media_s`` of a tone, stopped and completed."""
    call_sid = live_call(account, webapp)
    sid = start_recording(account, call_sid, **params)["sid"]
    wait_media_s(account.owner, media_s)
    control(account, call_sid, sid, "stopped")
    assert wait_for_recording(account.client, sid).status == "completed"
    account.client.calls(call_sid).update(status="completed")
    return call_sid, sid


def finished_recordings(account: TestAccount, call_sid: str, count: int = 1) -> list[Any]:
    """The call's ``count`` recordings once each has finished (completed, absent or failed), oldest
    first."""
    deadline = time.monotonic() + WAIT_S
    while True:
        recordings = sorted(account.client.recordings.list(call_sid=call_sid), key=lambda r: r.start_time)
        if len(recordings) >= count and all(r.status in FINISHED for r in recordings):
            assert len(recordings) == count, recordings
            return recordings
        assert time.monotonic() < deadline, f"recordings of {call_sid} not finished: {recordings}"
        time.sleep(0.05)
