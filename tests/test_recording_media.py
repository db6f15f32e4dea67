"""Recording media (twilio.com/docs/voice/api/recording): WAV and MP3 downloads checked by analysing the
audio, metadata as ``.json``, 21501 until the recording is completed, byte ranges, ``RequestedChannels``, and
HTTP auth on media with the account's ``MediaSettings`` (``/phonograph/v1``).
"""

from __future__ import annotations

import io
import wave
from typing import Any

import httpx
import miniaudio
import numpy as np
import pytest

from phonograph.api.v2010.recording_media import ByteRange, RangeNotSatisfiable, byte_range
from phonograph.testing.audio import dominant_frequency_hz, read_wav, rms_dbfs
from phonograph.testing.server import ServerProcess
from phonograph.testing.webapp import WebApp
from tests.conftest import TestAccount
from tests.support.api import assert_error, assert_invalid, assert_not_found, assert_unauthorized, ok_json
from tests.support.recordings import (
    TONE_HZ,
    completed_recording,
    control,
    live_call,
    recording_path,
    start_recording,
)

RATE_HZ = 8000
WAV_HEADER_BYTES = 44


def settings_path(account_sid: str) -> str:
    return f"/phonograph/v1/Accounts/{account_sid}/MediaSettings"


def media(
    http: httpx.Client, account: TestAccount, sid: str, extension: str = "", **kw: Any
) -> httpx.Response:
    return http.get(recording_path(account.sid, sid, extension), **kw)


def wav_of(response: httpx.Response) -> tuple[int, int, int]:
    """(channels, rate, frames) of a WAV answer, read with the stdlib."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "audio/x-wav"
    with wave.open(io.BytesIO(response.content), "rb") as wav:
        return wav.getnchannels(), wav.getframerate(), wav.getnframes()


@pytest.fixture
def recorded(account: TestAccount, webapp: WebApp) -> str:
    """A completed mono recording of 2 s of a 440 Hz tone."""
    return completed_recording(account, webapp, 2.0)[1]


# --- formats ----------------------------------------------------------------------------------------


def test_wav_with_and_without_extension(account: TestAccount, recorded: str) -> None:
    plain, wav = media(account.http, account, recorded), media(account.http, account, recorded, ".wav")
    assert plain.content == wav.content
    channels, rate, frames = wav_of(wav)
    assert (channels, rate) == (1, RATE_HZ)
    duration = int(account.client.recordings(recorded).fetch().duration)
    assert abs(frames / RATE_HZ - duration) <= 1
    samples, _ = read_wav(wav.content)
    assert abs(dominant_frequency_hz(samples[0], RATE_HZ) - TONE_HZ) < 5
    assert wav.headers["accept-ranges"] == "bytes"
    assert int(wav.headers["content-length"]) == len(wav.content)


def test_mp3_decodes_to_the_same_tone(account: TestAccount, recorded: str) -> None:
    response = media(account.http, account, recorded, ".mp3")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "audio/mpeg"
    assert response.headers["accept-ranges"] == "bytes"
    decoded = miniaudio.mp3_read_s16(response.content)
    assert (decoded.nchannels, decoded.sample_rate) == (1, RATE_HZ)
    samples = np.frombuffer(decoded.samples, dtype=np.int16)
    assert abs(dominant_frequency_hz(samples, RATE_HZ) - TONE_HZ) < 5
    # Made once, then served as stored.
    assert media(account.http, account, recorded, ".mp3").content == response.content


def test_json_is_the_metadata(account: TestAccount, recorded: str) -> None:
    body = ok_json(media(account.http, account, recorded, ".json"))
    assert (body["sid"], body["status"]) == (recorded, "completed")
    assert body["media_url"].endswith(recording_path(account.sid, recorded, ""))


def test_unknown_extension_and_unknown_sid_are_not_found(account: TestAccount, recorded: str) -> None:
    assert_not_found(media(account.http, account, recorded, ".ogg"))
    assert_not_found(media(account.http, account, "RE" + "0" * 32, ".wav"))


# --- not yet available ------------------------------------------------------------------------------


def test_media_of_a_live_recording_is_21501_with_retry_after(account: TestAccount, webapp: WebApp) -> None:
    call_sid = live_call(account, webapp)
    sid = start_recording(account, call_sid)["sid"]
    for extension in ("", ".wav", ".mp3"):
        response = media(account.http, account, sid, extension)
        assert_error(response, 404, 21501, mentions="in-progress")
        assert response.headers["retry-after"] == "1"
    control(account, call_sid, sid, "paused")
    assert_error(media(account.http, account, sid), 404, 21501, mentions="paused")
    account.client.calls(call_sid).update(status="completed")


# --- byte ranges ------------------------------------------------------------------------------------


def test_byte_ranges(account: TestAccount, recorded: str) -> None:
    whole = media(account.http, account, recorded).content
    size = len(whole)

    def ranged(value: str) -> httpx.Response:
        return media(account.http, account, recorded, ".wav", headers={"Range": value})

    header = ranged("bytes=0-43")
    assert header.status_code == 206, header.text
    assert header.content == whole[:WAV_HEADER_BYTES]
    assert header.headers["content-range"] == f"bytes 0-43/{size}"
    assert header.headers["content-type"] == "audio/x-wav"
    assert header.headers["accept-ranges"] == "bytes"
    tail = ranged("bytes=100-")
    assert (tail.status_code, tail.content) == (206, whole[100:])
    assert tail.headers["content-range"] == f"bytes 100-{size - 1}/{size}"
    suffix = ranged("bytes=-10")
    assert (suffix.status_code, suffix.content) == (206, whole[-10:])
    past_end = ranged(f"bytes={size - 5}-{size + 1000}")
    assert (past_end.status_code, past_end.content) == (206, whole[-5:])
    unsatisfiable = ranged(f"bytes={size}-")
    assert_error(unsatisfiable, 416, 20416)
    assert unsatisfiable.headers["content-range"] == f"bytes */{size}"
    assert unsatisfiable.headers["accept-ranges"] == "bytes"
    # Several ranges, other units and malformed ones are ignored: the whole file.
    for ignored in ("bytes=0-1,5-6", "items=0-1", "bytes=9-3", "bytes=x-"):
        response = ranged(ignored)
        assert (response.status_code, response.content) == (200, whole), ignored


def test_head_answers_the_headers_only(account: TestAccount, recorded: str) -> None:
    size = len(media(account.http, account, recorded).content)
    head = account.http.head(recording_path(account.sid, recorded, ".wav"))
    assert head.status_code == 200
    assert head.content == b""
    assert (head.headers["content-length"], head.headers["content-type"]) == (str(size), "audio/x-wav")
    assert head.headers["accept-ranges"] == "bytes"
    ranged = account.http.head(recording_path(account.sid, recorded, ""), headers={"Range": "bytes=0-9"})
    assert (ranged.status_code, ranged.headers["content-length"]) == (206, "10")
    assert ranged.headers["content-range"] == f"bytes 0-9/{size}"


@pytest.mark.parametrize(
    ("header", "size", "expected"),
    [
        (None, 10, None),
        ("bytes=0-0", 10, ByteRange(0, 1)),
        ("bytes=2-4", 10, ByteRange(2, 5)),
        ("BYTES=2-", 10, ByteRange(2, 10)),
        ("bytes=-3", 10, ByteRange(7, 10)),
        ("bytes=-30", 10, ByteRange(0, 10)),
        ("bytes=8-30", 10, ByteRange(8, 10)),
        ("bytes=-", 10, None),
        ("bytes=4-2", 10, None),
        ("bytes=1-2,4-5", 10, None),
        ("bytes=\u00b2-3", 10, None),
        ("pages=1-2", 10, None),
    ],
)
def test_byte_range_parsing(header: str | None, size: int, expected: ByteRange | None) -> None:
    assert byte_range(header, size) == expected


@pytest.mark.parametrize(
    ("header", "size"), [("bytes=10-", 10), ("bytes=-0", 10), ("bytes=-5", 0), ("bytes=0-", 0)]
)
def test_unsatisfiable_byte_ranges(header: str, size: int) -> None:
    with pytest.raises(RangeNotSatisfiable):
        byte_range(header, size)


# --- RequestedChannels ------------------------------------------------------------------------------


def test_requested_channels(account: TestAccount, webapp: WebApp) -> None:
    _, dual = completed_recording(account, webapp, 2.0, RecordingChannels="dual")
    assert wav_of(media(account.http, account, dual))[0] == 2
    assert wav_of(media(account.http, account, dual, params={"RequestedChannels": "2"}))[0] == 2
    mixed = media(account.http, account, dual, ".wav", params={"RequestedChannels": "1"})
    assert wav_of(mixed)[0] == 1
    samples, _ = read_wav(mixed.content)
    assert abs(dominant_frequency_hz(samples[0], RATE_HZ) - TONE_HZ) < 5
    mp3 = media(account.http, account, dual, ".mp3", params={"RequestedChannels": "1"})
    assert miniaudio.mp3_read_s16(mp3.content).nchannels == 1
    # Channel 1 holds the inbound track (the far end's tone), channel 2 the outbound (silence).
    stereo, _ = read_wav(media(account.http, account, dual).content)
    assert rms_dbfs(stereo[0]) > rms_dbfs(stereo[1]) + 20

    _, mono = completed_recording(account, webapp)
    assert_invalid(media(account.http, account, mono, params={"RequestedChannels": "2"}), "RequestedChannels")
    assert wav_of(media(account.http, account, mono, params={"RequestedChannels": "1"}))[0] == 1
    assert_invalid(media(account.http, account, mono, params={"RequestedChannels": "3"}), "RequestedChannels")


# --- auth on media ----------------------------------------------------------------------------------


def test_media_needs_credentials_by_default(
    server: ServerProcess, account: TestAccount, other_account: TestAccount, recorded: str
) -> None:
    with httpx.Client(base_url=server.base_url, timeout=10) as anonymous:
        for extension in ("", ".wav", ".mp3", ".json"):
            assert_unauthorized(media(anonymous, account, recorded, extension))
        head = anonymous.head(recording_path(account.sid, recorded, ""))
        assert (head.status_code, head.content) == (401, b"")
        assert head.headers["www-authenticate"].startswith("Basic ")
    with httpx.Client(base_url=server.base_url, auth=(account.sid, "wrong"), timeout=10) as wrong:
        assert_unauthorized(media(wrong, account, recorded))
    assert_not_found(media(other_account.http, account, recorded))
    key = account.client.api.v2010.accounts(account.sid).new_keys.create(friendly_name="media")
    with httpx.Client(base_url=server.base_url, auth=(key.sid, key.secret), timeout=10) as with_key:
        assert wav_of(media(with_key, account, recorded))[0] == 1


def test_opening_media_serves_it_without_credentials(
    server: ServerProcess, account: TestAccount, recorded: str
) -> None:
    assert ok_json(account.http.get(settings_path(account.sid))) == {
        "account_sid": account.sid,
        "enforce_media_auth": True,
        "hipaa": False,
        "dual_channel_conference_recording": False,
        "pci_mode": False,
        "durable_callbacks": False,
    }
    opened = ok_json(account.http.post(settings_path(account.sid), json={"enforce_media_auth": False}))
    assert (opened["enforce_media_auth"], opened["hipaa"]) == (False, False)
    with httpx.Client(base_url=server.base_url, timeout=10) as anonymous:
        assert wav_of(media(anonymous, account, recorded))[0] == 1
        assert media(anonymous, account, recorded, ".mp3").status_code == 200
        # The metadata is the API's, not media: it still needs credentials.
        assert_unauthorized(media(anonymous, account, recorded, ".json"))
    with httpx.Client(base_url=server.base_url, auth=(account.sid, "wrong"), timeout=10) as wrong:
        assert_unauthorized(media(wrong, account, recorded))
    closed = ok_json(account.http.post(settings_path(account.sid), json={"enforce_media_auth": True}))
    assert closed["enforce_media_auth"] is True
    with httpx.Client(base_url=server.base_url, timeout=10) as anonymous:
        assert_unauthorized(media(anonymous, account, recorded))


def test_hipaa_keeps_media_auth_on(server: ServerProcess, account: TestAccount, recorded: str) -> None:
    path = settings_path(account.sid)
    ok_json(account.http.post(path, json={"enforce_media_auth": False}))
    hipaa = ok_json(account.owner.post(path, json={"hipaa": True}))
    assert (hipaa["hipaa"], hipaa["enforce_media_auth"]) == (True, True)
    with httpx.Client(base_url=server.base_url, timeout=10) as anonymous:
        assert_unauthorized(media(anonymous, account, recorded))
    assert_invalid(account.http.post(path, json={"enforce_media_auth": False}), "enforce_media_auth")
    assert_invalid(account.owner.post(path, json={"hipaa": True, "enforce_media_auth": False}), "HIPAA")
    assert ok_json(account.http.get(path))["enforce_media_auth"] is True
    both_off = ok_json(account.owner.post(path, json={"hipaa": False, "enforce_media_auth": False}))
    assert (both_off["hipaa"], both_off["enforce_media_auth"]) == (False, False)


def test_a_subaccount_cannot_lift_the_compliance_its_parent_set(
    server: ServerProcess, account: TestAccount, recorded: str
) -> None:
    """The audit: a subaccount turned HIPAA off, then opened its media to anonymous access."""
    path = settings_path(account.sid)
    ok_json(account.owner.post(path, json={"hipaa": True, "pci_mode": True}))
    for change in ({"hipaa": False}, {"hipaa": False, "enforce_media_auth": False}, {"pci_mode": False}):
        assert_error(account.http.post(path, json=change), 403, 20403)
    # Setting what is already set, or settings that are the subaccount's own, stays allowed.
    assert ok_json(account.http.post(path, json={"hipaa": True, "dual_channel_conference_recording": True}))
    with httpx.Client(base_url=server.base_url, timeout=10) as anonymous:
        assert_unauthorized(media(anonymous, account, recorded))
    # PCI mode is one-way, for the owner too ("Once PCI Mode is enabled, it cannot be disabled").
    assert_invalid(account.owner.post(path, json={"pci_mode": False}), "pci_mode")
    assert ok_json(account.http.get(path))["pci_mode"] is True


def test_only_a_main_account_sees_or_resets_the_media_clock(account: TestAccount) -> None:
    assert_error(account.http.get("/phonograph/v1/Media"), 403, 20403)
    assert_error(account.http.get("/phonograph/v1/Media", params={"Reset": "true"}), 403, 20403)
    assert "frames" in ok_json(account.owner.get("/phonograph/v1/Media"))


def test_media_settings_requests(
    server: ServerProcess, account: TestAccount, other_account: TestAccount
) -> None:
    path = settings_path(account.sid)
    assert_invalid(account.http.post(path, json={"enforce_media_auth": "no"}), "enforce_media_auth")
    assert_invalid(account.http.post(path, json={"public": True}), "public")
    assert_error(account.http.post(path, content=b"[]"), 400, 20001)
    assert_not_found(other_account.http.get(path))
    assert_not_found(other_account.http.post(path, json={"enforce_media_auth": False}))
    # The parent account reaches its subaccount's settings, as the API's auth rules allow.
    creds = server.credentials
    with httpx.Client(
        base_url=server.base_url, auth=(creds.account_sid, creds.auth_token), timeout=10
    ) as main:
        assert ok_json(main.post(path, json={"enforce_media_auth": False}))["enforce_media_auth"] is False
    key = account.client.api.v2010.accounts(account.sid).new_keys.create(friendly_name="settings")
    with httpx.Client(base_url=server.base_url, auth=(key.sid, key.secret), timeout=10) as with_key:
        assert ok_json(with_key.get(path))["enforce_media_auth"] is False
        assert_unauthorized(with_key.post(path, json={"enforce_media_auth": True}))
    with httpx.Client(base_url=server.base_url, timeout=10) as anonymous:
        assert_unauthorized(anonymous.get(path))


def test_dual_channel_conference_recording_setting(account: TestAccount) -> None:
    """Twilio's "Dual-channel Recording for Conference" (twilio.com/docs/voice/api/recording): off by default,
    set on its own."""
    path = settings_path(account.sid)
    assert ok_json(account.http.get(path))["dual_channel_conference_recording"] is False
    dual = ok_json(account.http.post(path, json={"dual_channel_conference_recording": True}))
    assert dual == {
        "account_sid": account.sid,
        "enforce_media_auth": True,
        "hipaa": False,
        "dual_channel_conference_recording": True,
        "pci_mode": False,
        "durable_callbacks": False,
    }
    # A field left out keeps its setting, and HIPAA mode leaves this one alone.
    assert (
        ok_json(account.owner.post(path, json={"hipaa": True}))["dual_channel_conference_recording"] is True
    )
    assert ok_json(account.http.get(path))["dual_channel_conference_recording"] is True
    assert_invalid(
        account.http.post(path, json={"dual_channel_conference_recording": "yes"}),
        "dual_channel_conference_recording",
    )
    mono = ok_json(account.http.post(path, json={"dual_channel_conference_recording": False}))
    assert (mono["dual_channel_conference_recording"], mono["hipaa"]) == (False, True)
