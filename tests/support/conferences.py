"""Helpers for the conference tests: phones that play quiet tones, calls that join a room through
TwiML, waiting on a conference and its participants, and telling which tones each frame holds.

Audio is judged one 20 ms frame (160 samples at 8 kHz) at a time. The mixer changes what a leg
hears on frame boundaries, and captured tracks and recordings are whole frames, so a mute or a
hold shows as a run of whole frames without its tone, counted in media frames like the brackets
taken around the requests. Every tone here is a multiple of 50 Hz: it falls on one bin of a
frame's FFT, and with a periodic Hann window leaks into no bin two or more away.

Written independently of ``phonograph.media`` (docs/style.md rule 10), like ``tests.support.audio``.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
import pytest
from twilio.base.exceptions import TwilioException
from twilio.rest import Client

from phonograph.testing.kit import add_phone, fresh_number, recording_audio
from phonograph.testing.webapp import Hit, WebApp
from tests.conftest import TestAccount
from tests.support.api import ok_json
from tests.support.callflow import CALLER
from tests.support.calls import pcm_wav
from tests.support.recordings import media_frames

T = TypeVar("T")
Track = npt.NDArray[np.int16]

RATE_HZ = 8000
SAMPLES_PER_FRAME = 160
FRAMES_PER_S = 50
TONE_AMPLITUDE = 0.2
"""A fifth of full scale: three phones and a hold or wait tone summed never clip in the mix."""
BAND_HZ = 100.0
"""Two 50 Hz bins either side: the main lobe of a Hann-windowed tone on a bin."""
PRESENT_DBFS = -30.0
"""A tone at ``TONE_AMPLITUDE`` reads about -17 dBFS; one cut off mid-frame still reads above this."""
ABSENT_DBFS = -50.0
FULL_SCALE = 32768.0
WAIT_S = 30.0
POLL_S = 0.02
FRAME_SLACK = 2
"""Frames a measured run may differ from its bracket by: the mixer hears the previous frame, and
the media clock may tick between a request and the frame it takes effect on."""

QUIET = "beep='false' waitUrl=''"
"""``<Conference>`` attributes that keep the mix to the phones' own tones: no beeps, silent wait."""


# --- phones and calls -------------------------------------------------------------------------------


def tone_wav(frequency_hz: float, duration_s: float = 1.0) -> bytes:
    """A quiet 8 kHz tone (``TONE_AMPLITUDE``); a whole number of cycles, so it loops seamlessly."""
    t = np.arange(round(duration_s * RATE_HZ)) / RATE_HZ
    samples = TONE_AMPLITUDE * (FULL_SCALE - 1) * np.sin(2 * np.pi * frequency_hz * t)
    return pcm_wav(samples.astype(np.int16), RATE_HZ)


def tone_url(webapp: WebApp, frequency_hz: float, duration_s: float = 1.0) -> str:
    """The URL of a tone WAV on the web app."""
    path = f"/conference-tone-{frequency_hz:g}-{duration_s:g}.wav"
    return webapp.respond(path, tone_wav(frequency_hz, duration_s), content_type="audio/wav")


def tone_phone(
    account: TestAccount, webapp: WebApp, frequency_hz: float, *, hang_up_after_s: float | None = None
) -> str:
    """A fresh number whose phone answers at once and plays ``frequency_hz`` until the call ends,
    or for ``hang_up_after_s`` and then hangs up."""
    if hang_up_after_s is None:
        twiml = f"<Response><Play loop='0'>{tone_url(webapp, frequency_hz)}</Play></Response>"
    else:
        url = tone_url(webapp, frequency_hz, hang_up_after_s)
        twiml = f"<Response><Play>{url}</Play><Hangup/></Response>"
    number = fresh_number()
    add_phone(account.http, number, twiml, answer_after_s=0)
    return number


def silent_phone(account: TestAccount, *, answer_after_s: float = 0) -> str:
    """A fresh number whose phone answers after ``answer_after_s`` and sends nothing."""
    number = fresh_number()
    add_phone(account.http, number, None, answer_after_s=answer_after_s)
    return number


def conference_twiml(room: str, attributes: str = QUIET, after: str = "") -> str:
    """``<Dial><Conference>`` into ``room``, then ``after`` once the call leaves the conference."""
    return f"<Response><Dial><Conference {attributes}>{room}</Conference></Dial>{after}</Response>"


def dial_in(account: TestAccount, number: str, twiml: str) -> str:
    """A call from the app to ``number`` (a phone, the far end) that runs ``twiml``; its SID."""
    sid: str = account.client.calls.create(to=number, from_=CALLER, twiml=twiml).sid
    return sid


# --- waiting ----------------------------------------------------------------------------------------


def wait_until(check: Callable[[], T | None], what: str, timeout_s: float = WAIT_S) -> T:
    """The first result of ``check`` that is not None, polled until ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while True:
        result = check()
        if result is not None:
            return result
        assert time.monotonic() < deadline, f"waited {timeout_s} s for {what}"
        time.sleep(POLL_S)


def conference_named(client: Client, room: str) -> Any:
    """The account's conference called ``room``, once there is one."""

    def found() -> Any:
        conferences = client.conferences.list(friendly_name=room)
        return conferences[0] if conferences else None

    return wait_until(found, f"a conference named {room!r}")


def conference_in(client: Client, sid: str, status: str) -> Any:
    """The conference once its status is ``status``."""

    def reached() -> Any:
        conference = client.conferences(sid).fetch()
        return conference if conference.status == status else None

    return wait_until(reached, f"conference {sid} to be {status}")


def connected(client: Client, conference_sid: str, count: int) -> list[Any]:
    """The conference's participants once ``count`` of them are connected (and no others listed)."""

    def all_in() -> list[Any] | None:
        participants = client.conferences(conference_sid).participants.list()
        statuses = [participant.status for participant in participants]
        return participants if statuses == ["connected"] * count else None

    return wait_until(all_in, f"{count} connected participants in {conference_sid}")


def join_all(account: TestAccount, room: str, numbers: Iterable[str], twiml: str) -> tuple[str, list[str]]:
    """Dial each number in turn into ``room`` with ``twiml``, each once the one before is in:
    (the conference SID, the call SIDs in joining order)."""
    sids: list[str] = []
    conference_sid = ""
    for number in numbers:
        sids.append(dial_in(account, number, twiml))
        conference_sid = conference_named(account.client, room).sid
        connected(account.client, conference_sid, len(sids))
    return conference_sid, sids


def settle_calls(client: Client, sids: Iterable[str], status: str = "completed") -> None:
    """Each call has ended with ``status``."""
    for sid in sids:

        def ended(sid: str = sid) -> str | None:
            call_status: str = client.calls(sid).fetch().status
            return call_status if call_status not in ("queued", "ringing", "in-progress") else None

        assert wait_until(ended, f"call {sid} to end") == status, sid


@dataclass(frozen=True)
class Bracket:
    """The media frames just before a request was sent and just after its answer came back."""

    before: int
    after: int


def bracketed(account: TestAccount, request: Callable[[], object]) -> Bracket:
    before = media_frames(account.owner)
    request()
    return Bracket(before, media_frames(account.owner))


def frames_between(first: Bracket, second: Bracket) -> tuple[int, int]:
    """The fewest and most frames from the first request taking effect to the second's."""
    return second.before - first.after - FRAME_SLACK, second.after - first.before + FRAME_SLACK


def signed_params(webapp: WebApp, hits: Iterable[Hit], auth_token: str) -> list[dict[str, str]]:
    """Each hit's parameters, once its ``X-Twilio-Signature`` is checked."""
    checked = []
    for hit in hits:
        assert webapp.valid_signature(hit, auth_token), hit.summary()
        checked.append(hit.params())
    return checked


# --- audio ------------------------------------------------------------------------------------------


def _frames(samples: Track) -> npt.NDArray[np.float64]:
    count = len(samples) // SAMPLES_PER_FRAME
    return samples[: count * SAMPLES_PER_FRAME].astype(np.float64).reshape(count, SAMPLES_PER_FRAME)


def tone_dbfs(samples: Track, frequency_hz: float) -> npt.NDArray[np.float64]:
    """The level of ``frequency_hz`` in each whole frame, in dBFS as ``rms_dbfs`` reads a sine
    alone: the mean square of the frame's energy within ``BAND_HZ`` of it (Parseval)."""
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(SAMPLES_PER_FRAME) / SAMPLES_PER_FRAME)
    power = np.abs(np.fft.rfft(_frames(samples) * window, axis=1)) ** 2
    band = np.abs(np.fft.rfftfreq(SAMPLES_PER_FRAME, 1 / RATE_HZ) - frequency_hz) <= BAND_HZ
    mean_square = 2 * power[:, band].sum(axis=1) / (SAMPLES_PER_FRAME * float(np.sum(window**2)))
    levels: npt.NDArray[np.float64] = 10 * np.log10(mean_square / FULL_SCALE**2 + 1e-20)
    return levels


@dataclass(frozen=True)
class Tones:
    """Which of some tones each 20 ms frame of a track holds."""

    levels_dbfs: dict[float, npt.NDArray[np.float64]]
    frame_count: int

    @classmethod
    def of(cls, samples: Track, frequencies_hz: Iterable[float]) -> Tones:
        levels = {float(hz): tone_dbfs(samples, hz) for hz in frequencies_hz}
        return cls(levels, len(samples) // SAMPLES_PER_FRAME)

    def frames(self, present: Iterable[float] = (), absent: Iterable[float] = ()) -> npt.NDArray[np.bool_]:
        """The frames that hold every tone of ``present`` and none of ``absent``."""
        mask = np.ones(self.frame_count, dtype=bool)
        for hz in present:
            mask &= self.levels_dbfs[float(hz)] > PRESENT_DBFS
        for hz in absent:
            mask &= self.levels_dbfs[float(hz)] < ABSENT_DBFS
        return mask

    def never(self, frequency_hz: float) -> bool:
        """Whether no frame holds any of ``frequency_hz`` (not even a faint trace)."""
        return bool(self.frames(absent=[frequency_hz]).all())

    def loudest_dbfs(self, frequency_hz: float) -> float:
        levels = self.levels_dbfs[float(frequency_hz)]
        return float(levels.max()) if len(levels) else -math.inf


def runs(mask: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    """(first, end) frame of each run of True frames."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(np.int8), [0]])))
    return [(int(start), int(end)) for start, end in zip(edges[0::2], edges[1::2], strict=True)]


def longest_run(mask: npt.NDArray[np.bool_]) -> int:
    """The most consecutive True frames."""
    return max((end - start for start, end in runs(mask)), default=0)


def the_run(mask: npt.NDArray[np.bool_], min_frames: int) -> tuple[int, int]:
    """The one run of at least ``min_frames`` True frames (shorter ones are transitions)."""
    long_runs = [(start, end) for start, end in runs(mask) if end - start >= min_frames]
    assert len(long_runs) == 1, f"runs of {min_frames}+ frames: {long_runs} among {runs(mask)}"
    return long_runs[0]


def assert_run_within(run: tuple[int, int], fewest_most: tuple[int, int]) -> None:
    fewest, most = fewest_most
    assert fewest <= run[1] - run[0] <= most, (run, fewest_most)


# --- recordings -------------------------------------------------------------------------------------


def recording_media(account: TestAccount, sid: str) -> list[Track]:
    """The channels of a completed recording's WAV (an authenticated GET, twilio.com/docs/voice/api/recording)
    at 8 kHz."""
    audio = recording_audio(account.http, account.sid, sid)
    assert audio.rate_hz == RATE_HZ
    return list(audio.samples)


def media_settings(account: TestAccount, **settings: bool) -> dict[str, Any]:
    """Change the account's ``/phonograph/v1`` MediaSettings; the settings after."""
    path = f"/phonograph/v1/Accounts/{account.sid}/MediaSettings"
    return ok_json(account.http.post(path, json=settings))


def noise_wav(duration_s: float, seed: int) -> bytes:
    """8 kHz noise with no sample near zero: every frame of it is unique, so a frame of a
    recording can be found in a captured track (as the Recording Controls tests do)."""
    rng = np.random.default_rng(seed)
    count = round(duration_s * RATE_HZ)
    samples = rng.integers(1000, 8000, count) * rng.choice(np.array([-1, 1]), count)
    return pcm_wav(samples.astype(np.int16), RATE_HZ)


def locate(window: Track, track: Track) -> int:
    """The one offset of ``window`` in ``track``."""
    views = np.lib.stride_tricks.sliding_window_view(track, len(window))
    found = np.flatnonzero(np.all(views == window, axis=1))
    assert len(found) == 1, f"window found at {found.tolist()[:5]} (want exactly once)"
    return int(found[0])


def list_error(call: Callable[[], object]) -> tuple[int, int]:
    """The status and Twilio code of a refused list: the SDK's pages raise a bare
    ``TwilioException("Unable to fetch page", response)``, not a ``TwilioRestException``."""
    with pytest.raises(TwilioException) as info:
        call()
    _, response = info.value.args
    return response.status_code, int(json.loads(response.text)["code"])
