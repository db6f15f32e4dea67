"""Call Recording Controls end to end, checked on the audio: pause to the frame, skip and silence,
the statuses a fetch shows, refused moves, recordings that end with their call, and the status
callbacks (twilio.com/docs/voice/api/recording).

Exactness is structural: the far end (and the app) play noise, so every 20 ms frame is unique, and
the recording is compared sample for sample with the leg's captured tracks
(``/phonograph/v1/Calls/{CallSid}/Tracks.wav``, the wire as the server saw it). Nothing here reads
our own metadata to check our metadata: lengths and channels are measured on the WAV.
"""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlencode, urlsplit

import httpx
import numpy as np
import numpy.typing as npt
import pytest

from phonograph.testing.audio import dominant_frequency_hz, read_wav
from phonograph.testing.kit import add_phone, fresh_number, recording_audio, wait_for_call, wait_for_recording
from phonograph.testing.webapp import Hit, WebApp, valid_signature
from tests.conftest import TEST_SPEED, TestAccount
from tests.support.api import RFC2822_RE, rest_error
from tests.support.callflow import place
from tests.support.calls import pcm_wav, tone_wav, tracks
from tests.support.recordings import (
    CALLBACK_KEYS,
    FRAMES_PER_MEDIA_S,
    LONG_PAUSE,
    call_recordings_path,
    live_call,
    media_frames,
    recording_path,
    wait_media_s,
)

T = TypeVar("T")
Track = npt.NDArray[np.int16]

RATE_HZ = 8000
SAMPLES_PER_FRAME = 160
NOISE_S = 30.0
"""Longer than any test here records: a frame of noise never repeats within one call."""
TONE_HZ = 440.0
FRAMES_PER_WALL_S = 50 * TEST_SPEED
HEADERS_READ_S = 0.01
"""Time for the server to read a request's headers once they are sent (loopback)."""
BODY_DELAY_S = 0.04
"""How late a slow control's body comes: well under the recorder's one second of media delay
line (0.1 s of wall time at speed 10), well over the spread of a bracket."""
FRAME_SLACK = 1
"""Frames a bracket may be off by: the media clock may tick between a request and its stamp."""


# --- helpers shared with the composition and crash tests ---------------------------------------------


def noise(duration_s: float, seed: int) -> Track:
    """Noise with no sample near zero: a zeroed frame in a recording can only be a pause."""
    rng = np.random.default_rng(seed)
    count = int(duration_s * RATE_HZ)
    magnitudes = rng.integers(1000, 12000, count)
    signs = rng.choice(np.array([-1, 1]), count)
    samples: Track = (magnitudes * signs).astype(np.int16)
    return samples


def noise_url(webapp: WebApp, name: str, seed: int) -> str:
    return webapp.respond(f"/{name}.wav", pcm_wav(noise(NOISE_S, seed), RATE_HZ), content_type="audio/wav")


def phone_playing(account: TestAccount, url: str, *, then: str = "") -> str:
    """A fresh number whose phone answers at once and plays ``url`` once, then ``then``."""
    number = fresh_number()
    add_phone(account.http, number, f"<Response><Play>{url}</Play>{then}</Response>", answer_after_s=0)
    return number


def tone_url(webapp: WebApp, frequency_hz: float, duration_s: float = 1.0) -> str:
    return webapp.respond(
        f"/tone-{frequency_hz:g}-{duration_s:g}.wav",
        tone_wav(frequency_hz, duration_s),
        content_type="audio/wav",
    )


@dataclass(frozen=True)
class Bracket:
    """The media frames just before a request was sent and just after its answer came back."""

    before: int
    after: int


def bracketed(account: TestAccount, request: Callable[[], T]) -> tuple[T, Bracket]:
    before = media_frames(account.owner)
    result = request()
    return result, Bracket(before, media_frames(account.owner))


def frames_between(first: Bracket, second: Bracket) -> tuple[int, int]:
    """The fewest and most media frames that can lie between two requests' arrivals."""
    return second.before - first.after - FRAME_SLACK, second.after - first.before + FRAME_SLACK


def recording_wav(account: TestAccount, sid: str) -> tuple[npt.NDArray[np.int16], int]:
    """The recording's media as (channels, samples) and its rate."""
    audio = recording_audio(account.http, account.sid, sid)
    return audio.samples, audio.rate_hz


def locate(window: Track, track: Track) -> int:
    """The one offset of ``window`` in ``track`` (noise: any frame of it occurs once)."""
    views = np.lib.stride_tricks.sliding_window_view(track, len(window))
    found = np.flatnonzero(np.all(views == window, axis=1))
    assert len(found) == 1, f"window found at {found.tolist()[:5]} (want exactly once)"
    return int(found[0])


def frequency_share(samples: Track, frequency_hz: float, width_hz: float = 15.0) -> float:
    """The share of the signal's energy within ``width_hz`` of ``frequency_hz``."""
    values = samples.astype(np.float64)
    power = np.abs(np.fft.rfft(values * np.hanning(len(values)))) ** 2
    frequencies = np.fft.rfftfreq(len(values), 1 / RATE_HZ)
    total = float(power.sum())
    if total == 0:
        return 0.0
    return float(power[np.abs(frequencies - frequency_hz) <= width_hz].sum()) / total


def assert_tone(samples: Track, frequency_hz: float) -> None:
    assert abs(dominant_frequency_hz(samples, RATE_HZ) - frequency_hz) < 5
    assert frequency_share(samples, frequency_hz) > 0.5


def end_call(account: TestAccount, call_sid: str) -> None:
    if account.client.calls(call_sid).fetch().status == "in-progress":
        account.client.calls(call_sid).update(status="completed")


# --- pause to the frame: the recording is the captured wire, cut exactly ----------------------------


@dataclass(frozen=True)
class PausedRun:
    """A recording started, paused with ``behavior``, resumed and stopped, with its audio."""

    channels: npt.NDArray[np.int16]
    captured: tuple[Track, Track]
    start: Bracket
    pause: Bracket
    resume: Bracket
    stop: Bracket

    def pairs(self) -> list[tuple[Track, Track]]:
        """Each recorded channel with the captured track it holds (1 = inbound, 2 = outbound)."""
        return list(zip(self.channels, self.captured[: len(self.channels)], strict=True))


def paused_run(account: TestAccount, webapp: WebApp, behavior: str, channels: str, track: str) -> PausedRun:
    phone = phone_playing(account, noise_url(webapp, "far-noise", seed=1))
    app = noise_url(webapp, "app-noise", seed=2)
    call_sid = place(account, f"<Response><Play>{app}</Play></Response>", to=phone)
    wait_for_call(account.client, call_sid, ("in-progress",))
    wait_media_s(account.owner, 0.5)
    recordings = account.client.calls(call_sid).recordings
    created, start = bracketed(
        account, lambda: recordings.create(recording_channels=channels, recording_track=track)
    )
    recording = recordings(created.sid)
    wait_media_s(account.owner, 1)
    _, pause = bracketed(account, lambda: recording.update(status="paused", pause_behavior=behavior))
    wait_media_s(account.owner, 1)
    _, resume = bracketed(account, lambda: recording.update(status="in-progress"))
    wait_media_s(account.owner, 1)
    _, stop = bracketed(account, lambda: recording.update(status="stopped"))
    assert wait_for_recording(account.client, created.sid).status == "completed"
    end_call(account, call_sid)
    wav, rate = recording_wav(account, created.sid)
    assert rate == RATE_HZ
    return PausedRun(wav, tracks(account.http, call_sid), start, pause, resume, stop)


def zeroed_spans(recorded: Track, captured: Track) -> list[tuple[int, int]]:
    """``recorded`` is one contiguous slice of ``captured`` except for zeroed spans, each on frame
    boundaries; the spans' (start, end) in samples of the recording."""
    offset = locate(recorded[:SAMPLES_PER_FRAME], captured)
    assert offset % SAMPLES_PER_FRAME == 0
    wire = captured[offset : offset + len(recorded)]
    assert len(wire) == len(recorded), "the recording runs past what was captured"
    assert len(recorded) % SAMPLES_PER_FRAME == 0
    # The noise never holds a zero frame, so a zero frame of the recording can only be a pause.
    zero = ~recorded.reshape(-1, SAMPLES_PER_FRAME).any(axis=1)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], zero.astype(np.int8), [0]])))
    spans = [
        (int(start) * SAMPLES_PER_FRAME, int(end) * SAMPLES_PER_FRAME) for start, end in edges.reshape(-1, 2)
    ]
    kept = np.repeat(~zero, SAMPLES_PER_FRAME)
    assert np.array_equal(recorded[kept], wire[kept]), "outside the pauses, the recording is not the wire"
    return spans


def check_zeroed(recorded: Track, captured: Track) -> tuple[int, int]:
    """``recorded`` is one contiguous slice of ``captured`` with one zeroed span, on frame
    boundaries; the span's (start, end) in samples of the recording."""
    [span] = zeroed_spans(recorded, captured)
    return span


def check_skipped(recorded: Track, captured: Track) -> tuple[int, int]:
    """``recorded`` is two contiguous slices of ``captured`` with a gap between, on frame
    boundaries; (where the gap is in the recording, how many samples it left out)."""
    offset = locate(recorded[:SAMPLES_PER_FRAME], captured)
    assert offset % SAMPLES_PER_FRAME == 0
    wire = captured[offset : offset + len(recorded)]
    differs = np.flatnonzero(recorded != wire)
    assert len(differs), "nothing was skipped"
    cut = int(differs[0])
    assert cut % SAMPLES_PER_FRAME == 0, cut
    resumed = locate(recorded[cut : cut + SAMPLES_PER_FRAME], captured)
    gap = resumed - (offset + cut)
    assert gap > 0
    assert gap % SAMPLES_PER_FRAME == 0, gap
    assert np.array_equal(recorded[cut:], captured[resumed : resumed + len(recorded) - cut])
    return cut, gap


def assert_within(value: int, bounds: tuple[int, int]) -> None:
    assert bounds[0] <= value <= bounds[1], f"{value} not in {bounds}"


def slow_post(account: TestAccount, path: str, params: dict[str, str]) -> tuple[Bracket, int, bytes]:
    """POST ``params`` to ``path`` with the body arriving ``BODY_DELAY_S`` after the headers, so
    that the server handles it about that much media time after it arrived (the server sees a
    request, and stamps its frame, once its headers are in). (when the headers arrived, the frame
    when it was answered, the raw answer)"""
    body = urlencode(params).encode()
    base = urlsplit(str(account.http.base_url))
    credentials = base64.b64encode(f"{account.sid}:{account.auth_token}".encode()).decode()
    head = (
        f"POST {path} HTTP/1.1\r\n"
        f"Host: {base.netloc}\r\nAuthorization: Basic {credentials}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    assert base.hostname is not None
    assert base.port is not None
    with socket.create_connection((base.hostname, base.port), timeout=10) as connection:
        before = media_frames(account.owner)
        connection.sendall(head)
        time.sleep(HEADERS_READ_S)
        arrived = Bracket(before, media_frames(account.owner))
        time.sleep(BODY_DELAY_S)
        connection.sendall(body)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return arrived, media_frames(account.owner), answer


def assert_handled_late(arrived: Bracket, handled: int) -> None:
    """A slow request is meaningful only when the server acted on it well after its frame was known."""
    assert handled - arrived.after >= 0.6 * BODY_DELAY_S * FRAMES_PER_WALL_S, (arrived, handled)


def test_a_control_cuts_at_the_frame_its_request_arrived_on_not_when_it_was_handled(
    account: TestAccount, webapp: WebApp
) -> None:
    """A resume on a well-known frame, then a pause whose body is late: the audio between them
    ends where the pause arrived, although the server could only act on it frames later."""
    phone = phone_playing(account, noise_url(webapp, "far-noise", seed=3))
    call_sid = place(account, LONG_PAUSE, to=phone)
    wait_for_call(account.client, call_sid, ("in-progress",))
    recordings = account.client.calls(call_sid).recordings
    sid = recordings.create(recording_track="inbound").sid
    wait_media_s(account.owner, 0.5)
    recordings(sid).update(status="paused")
    wait_media_s(account.owner, 0.5)
    _, resumed = bracketed(account, lambda: recordings(sid).update(status="in-progress"))
    wait_media_s(account.owner, 0.5)
    paused, handled, answer = slow_post(
        account,
        call_recordings_path(account.sid, call_sid, sid),
        {"Status": "paused", "PauseBehavior": "silence"},
    )
    assert answer.startswith(b"HTTP/1.1 200 "), answer
    assert_handled_late(paused, handled)
    wait_media_s(account.owner, 0.5)
    recordings(sid).update(status="stopped")
    assert wait_for_recording(account.client, sid).status == "completed"
    end_call(account, call_sid)
    [samples], _ = recording_wav(account, sid)
    inbound, _ = tracks(account.http, call_sid)
    (_, first_end), (second_start, _) = zeroed_spans(samples, inbound)
    assert_within((second_start - first_end) // SAMPLES_PER_FRAME, frames_between(resumed, paused))


def test_a_start_records_from_the_frame_its_request_arrived_on_not_when_it_was_handled(
    account: TestAccount, webapp: WebApp
) -> None:
    """A start whose body is late: the recording begins where the request arrived (the call kept
    its frames meanwhile), and is the captured wire from there to its stop."""
    phone = phone_playing(account, noise_url(webapp, "far-noise", seed=4))
    call_sid = place(account, LONG_PAUSE, to=phone)
    wait_for_call(account.client, call_sid, ("in-progress",))
    wait_media_s(account.owner, 0.5)
    started, handled, answer = slow_post(
        account, call_recordings_path(account.sid, call_sid), {"RecordingTrack": "inbound"}
    )
    assert answer.startswith(b"HTTP/1.1 201 "), answer
    assert_handled_late(started, handled)
    sid = json.loads(answer.partition(b"\r\n\r\n")[2])["sid"]
    wait_media_s(account.owner, 0.5)
    _, stopped = bracketed(
        account, lambda: account.client.calls(call_sid).recordings(sid).update(status="stopped")
    )
    assert wait_for_recording(account.client, sid).status == "completed"
    end_call(account, call_sid)
    [samples], _ = recording_wav(account, sid)
    inbound, _ = tracks(account.http, call_sid)
    assert zeroed_spans(samples, inbound) == []
    assert_within(len(samples) // SAMPLES_PER_FRAME, frames_between(started, stopped))


LAYOUTS = pytest.mark.parametrize(("channels", "track"), [("dual", "both"), ("mono", "inbound")])


@LAYOUTS
def test_pause_with_silence_zeroes_exactly_the_paused_frames(
    account: TestAccount, webapp: WebApp, channels: str, track: str
) -> None:
    run = paused_run(account, webapp, "silence", channels, track)
    assert len(run.channels) == (2 if channels == "dual" else 1)
    spans = {check_zeroed(recorded, captured) for recorded, captured in run.pairs()}
    [(start, end)] = spans  # both channels are cut at the same frames
    assert_within((end - start) // SAMPLES_PER_FRAME, frames_between(run.pause, run.resume))
    # Silence keeps the elapsed length: the WAV spans start to stop.
    assert_within(len(run.channels[0]) // SAMPLES_PER_FRAME, frames_between(run.start, run.stop))
    assert len(run.channels[0]) % SAMPLES_PER_FRAME == 0


@LAYOUTS
def test_pause_with_skip_leaves_exactly_the_paused_frames_out(
    account: TestAccount, webapp: WebApp, channels: str, track: str
) -> None:
    run = paused_run(account, webapp, "skip", channels, track)
    assert len(run.channels) == (2 if channels == "dual" else 1)
    cuts = {check_skipped(recorded, captured) for recorded, captured in run.pairs()}
    [(cut, gap)] = cuts
    gap_frames = gap // SAMPLES_PER_FRAME
    assert_within(gap_frames, frames_between(run.pause, run.resume))
    assert_within(cut // SAMPLES_PER_FRAME, frames_between(run.start, run.pause))
    # Skip shortens the WAV by the paused time.
    length_frames = len(run.channels[0]) // SAMPLES_PER_FRAME
    assert_within(length_frames + gap_frames, frames_between(run.start, run.stop))


def test_skip_and_silence_differ_in_length_by_the_pause(account: TestAccount, webapp: WebApp) -> None:
    """Two recordings of one call, paused and resumed together, one skipping and one writing
    silence: the silent one is longer by the skipped time (both measured on the WAVs)."""
    call_sid = live_call(account, webapp)
    recordings = account.client.calls(call_sid).recordings
    (skipping, silent), started = bracketed(
        account, lambda: (recordings.create().sid, recordings.create().sid)
    )
    wait_media_s(account.owner, 1)
    _, paused = bracketed(
        account, lambda: recordings(skipping).update(status="paused", pause_behavior="skip")
    )
    recordings(silent).update(status="paused", pause_behavior="silence")
    wait_media_s(account.owner, 2)
    _, resumed = bracketed(account, lambda: recordings(skipping).update(status="in-progress"))
    recordings(silent).update(status="in-progress")
    wait_media_s(account.owner, 1)
    _, stopped = bracketed(
        account, lambda: [recordings(sid).update(status="stopped") for sid in (skipping, silent)]
    )
    frames = {}
    for sid in (skipping, silent):
        assert wait_for_recording(account.client, sid).status == "completed"
        [samples], _ = recording_wav(account, sid)
        frames[sid] = len(samples) // SAMPLES_PER_FRAME
    end_call(account, call_sid)
    # The two starts (and the two stops) are a few frames apart: that spread, plus the pause's own.
    spread = (started.after - started.before) + (stopped.after - stopped.before)
    fewest, most = frames_between(paused, resumed)
    assert_within(frames[silent] - frames[skipping], (fewest - spread, most + spread))
    assert fewest >= 2 * FRAMES_PER_MEDIA_S - FRAME_SLACK


# --- the life of a recording as a fetch shows it ----------------------------------------------------


def test_fetch_follows_the_lifecycle_and_refuses_moves_out_of_the_end(
    account: TestAccount, webapp: WebApp
) -> None:
    call_sid = live_call(account, webapp)
    recordings = account.client.calls(call_sid).recordings
    sid = recordings.create().sid
    recording = recordings(sid)

    def fetched() -> str:
        """The status both variants (the call's and the account's) fetch; only for steady states."""
        status: str = recording.fetch().status
        assert account.client.recordings(sid).fetch().status == status
        return status

    assert fetched() == "in-progress"
    assert recording.update(status="paused", pause_behavior="skip").status == "paused"
    assert fetched() == "paused"
    # Pausing a paused recording is harmless, whatever the behaviour asked.
    assert recording.update(status="paused").status == "paused"
    assert fetched() == "paused"
    assert recording.update(status="in-progress").status == "in-progress"
    assert fetched() == "in-progress"
    # Resuming a running recording is harmless too.
    assert recording.update(status="in-progress").status == "in-progress"
    wait_media_s(account.owner, 1)
    assert recording.update(status="stopped").status == "stopped"
    late_pause = rest_error(lambda: recording.update(status="paused"))
    assert (late_pause.status, late_pause.code) == (400, 21220)
    assert recording.fetch().status in ("stopped", "processing", "completed")
    assert wait_for_recording(account.client, sid).status == "completed"
    assert fetched() == "completed"
    for status in ("in-progress", "paused", "stopped"):
        refused = rest_error(lambda status=status: recording.update(status=status))  # type: ignore[misc]
        assert (refused.status, refused.code) == (400, 21220), status
    assert fetched() == "completed"
    end_call(account, call_sid)


ENDINGS = {
    "the phone hangs up": ("<Hangup/>", "<Response><Pause length='600'/></Response>"),
    "the app's document ends": ("<Pause length='600'/>", "<Response><Pause length='3'/></Response>"),
}


@pytest.mark.parametrize("ending", ENDINGS)
def test_a_recording_completes_when_its_call_ends(account: TestAccount, webapp: WebApp, ending: str) -> None:
    phone_after, app_twiml = ENDINGS[ending]
    phone = phone_playing(account, tone_url(webapp, TONE_HZ, 2.5), then=phone_after)
    call_sid = place(account, app_twiml, to=phone)
    wait_for_call(account.client, call_sid, ("in-progress",))
    sid = account.client.calls(call_sid).recordings.create().sid
    assert wait_for_call(account.client, call_sid).status == "completed"
    assert wait_for_recording(account.client, sid).status == "completed"
    [samples], _ = recording_wav(account, sid)
    loud = samples[np.abs(samples) > 1000]
    assert len(loud) > RATE_HZ
    assert_tone(samples[:RATE_HZ], TONE_HZ)
    if ending == "the app's document ends":
        # The REST start does not trim by default (twilio.com/docs/voice/api/recording): the phone's last half
        # second of silence before the call ended is kept.
        # About the half second between the tone's end and the document's (each starts when its
        # side is ready, so it is not exact).
        last_loud = int(np.flatnonzero(np.abs(samples) > 1000)[-1])
        assert 0.1 <= (len(samples) - last_loud) / RATE_HZ <= 1.0


def test_a_call_ended_over_rest_completes_its_recordings(account: TestAccount, webapp: WebApp) -> None:
    call_sid = live_call(account, webapp)
    sids = [account.client.calls(call_sid).recordings.create(recording_channels="dual").sid for _ in range(2)]
    wait_media_s(account.owner, 1)
    account.client.calls(call_sid).update(status="completed")
    for sid in sids:
        assert wait_for_recording(account.client, sid).status == "completed"
        wav, _ = recording_wav(account, sid)
        assert len(wav) == 2
        assert_tone(wav[0], TONE_HZ)
        assert not wav[1].any()


STARTING_CLIENTS = 8
FIRST_START_WAIT_S = 60.0
"""Only a bound for a test that fails: a start on a live call answers at once."""


def test_a_recording_started_as_its_call_ends_finishes_with_it(account: TestAccount, webapp: WebApp) -> None:
    """Starts race the call's end from several clients: each one either makes a recording, which
    then ends with the call, or is refused with 21220; none is left in-progress for good. The call
    ends once a start has succeeded, however long that took on a busy machine."""
    phone = phone_playing(account, tone_url(webapp, TONE_HZ, 60.0))
    call_sid = place(account, LONG_PAUSE, to=phone)
    wait_for_call(account.client, call_sid, ("in-progress",))
    one_started = threading.Event()

    def keep_starting() -> list[str]:
        started: list[str] = []
        auth = (account.sid, account.auth_token)
        with httpx.Client(base_url=account.http.base_url, auth=auth, timeout=10) as http:
            while True:
                response = http.post(call_recordings_path(account.sid, call_sid))
                if response.status_code != 201:
                    assert (response.status_code, response.json()["code"]) == (400, 21220), response.text
                    return started
                started.append(response.json()["sid"])
                one_started.set()

    with ThreadPoolExecutor(STARTING_CLIENTS) as pool:
        runs = [pool.submit(keep_starting) for _ in range(STARTING_CLIENTS)]
        assert one_started.wait(FIRST_START_WAIT_S), "no start succeeded on a live call"
        account.client.calls(call_sid).update(status="completed")
        created = [sid for run in runs for sid in run.result()]
    assert wait_for_call(account.client, call_sid).status == "completed"
    assert created
    for sid in created:
        assert wait_for_recording(account.client, sid).status in ("completed", "absent")


# --- status callbacks -------------------------------------------------------------------------------


def assert_callback(hit: Hit, account: TestAccount, call_sid: str, sid: str, status: str) -> dict[str, str]:
    """A signed POST with exactly the parameters of twilio.com/docs/voice/api/recording for ``status``."""
    assert hit.method == "POST"
    assert valid_signature(hit, account.auth_token), hit.summary()
    params = hit.params()
    expected_keys = CALLBACK_KEYS | ({"RecordingDuration"} if status == "completed" else set())
    assert set(params) == expected_keys, hit.summary()
    assert (params["AccountSid"], params["CallSid"], params["RecordingSid"]) == (account.sid, call_sid, sid)
    assert params["RecordingStatus"] == status
    assert params["RecordingUrl"].endswith(recording_path(account.sid, sid, ""))
    assert RFC2822_RE.fullmatch(params["RecordingStartTime"]), params["RecordingStartTime"]
    return params


def test_callbacks_arrive_in_order_signed_with_exactly_twilios_parameters(
    account: TestAccount, webapp: WebApp
) -> None:
    webapp.respond("/recording-status", b"")
    call_sid = live_call(account, webapp)
    created = account.client.calls(call_sid).recordings.create(
        recording_channels="dual",
        recording_status_callback=webapp.url("/recording-status"),
        recording_status_callback_event=["in-progress", "completed", "absent"],
    )
    wait_media_s(account.owner, 2)
    account.client.calls(call_sid).recordings(created.sid).update(status="stopped")
    first, second = webapp.wait_for("/recording-status", count=2)
    started = assert_callback(first, account, call_sid, created.sid, "in-progress")
    finished = assert_callback(second, account, call_sid, created.sid, "completed")
    for params in (started, finished):
        assert (params["RecordingChannels"], params["RecordingTrack"]) == ("2", "both")
        assert (params["RecordingSource"], params["ErrorCode"]) == ("StartCallRecordingAPI", "0")
    assert started["RecordingStartTime"] == finished["RecordingStartTime"]
    # RecordingDuration is the WAV's length in whole seconds; the URL serves the WAV.
    media = account.http.get(finished["RecordingUrl"] + ".wav")
    assert media.status_code == 200
    wav, _ = read_wav(media.content)
    assert abs(int(finished["RecordingDuration"]) - wav.shape[1] / RATE_HZ) <= 0.5
    end_call(account, call_sid)
    time.sleep(0.3)
    assert webapp.count("/recording-status") == 2


def test_a_silent_recording_is_absent_with_16102(account: TestAccount, webapp: WebApp) -> None:
    webapp.respond("/recording-status", b"")
    call_sid = place(account, LONG_PAUSE)  # a silent line, and the app is silent too
    wait_for_call(account.client, call_sid, ("in-progress",))
    created = account.client.calls(call_sid).recordings.create(
        recording_status_callback=webapp.url("/recording-status"),
        recording_status_callback_event=["completed", "absent"],
    )
    wait_media_s(account.owner, 1)
    account.client.calls(call_sid).recordings(created.sid).update(status="stopped")
    recording = wait_for_recording(account.client, created.sid)
    assert (recording.status, recording.error_code) == ("absent", 16102)
    [hit] = webapp.wait_for("/recording-status")
    params = assert_callback(hit, account, call_sid, created.sid, "absent")
    assert params["ErrorCode"] == "16102"
    assert account.http.get(recording_path(account.sid, created.sid, ".wav")).status_code == 404
    end_call(account, call_sid)
