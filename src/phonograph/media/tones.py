"""Pure tones, dual-tone DTMF clips (as ``<Play digits>`` and ``sendDigits`` send them), and the
built-in conference sounds: hold/wait music and the enter/leave beep.

Each DTMF digit is the sum of one low-group and one high-group sine (ITU-T Q.23), sent with its
events beside the audio the way RFC 4733 sends telephone-events beside RTP: every tone frame
carries ``DtmfEvent(digit, end=False)`` and the digit's last tone frame ``end=True`` (RFC 4733
§2.3.2, the "E" bit).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from phonograph.core.errors import InvalidParameter
from phonograph.media.frames import (
    FRAME_MS,
    SAMPLE_RATE_HZ,
    SAMPLES_PER_FRAME,
    Clip,
    DtmfEvent,
    Pcm,
    frames_in,
    silence,
)

# ITU-T Q.23: (low group Hz, high group Hz) per key.
DTMF_FREQUENCIES_HZ: Mapping[str, tuple[int, int]] = MappingProxyType({
    "1": (697, 1209), "2": (697, 1336), "3": (697, 1477), "A": (697, 1633),
    "4": (770, 1209), "5": (770, 1336), "6": (770, 1477), "B": (770, 1633),
    "7": (852, 1209), "8": (852, 1336), "9": (852, 1477), "C": (852, 1633),
    "*": (941, 1209), "0": (941, 1336), "#": (941, 1477), "D": (941, 1633),
})  # fmt: skip

PAUSE = "w"
"""A half-second pause, as in ``sendDigits`` and ``<Play digits>``
(https://www.twilio.com/docs/voice/twiml/play#attributes-digits); ``W`` waits a whole second
(OpenAPI CreateCall ``SendDigits`` example ``W1234#``)."""
PAUSE_MS = 500
PAUSES_MS = {PAUSE: PAUSE_MS, "W": 2 * PAUSE_MS}

# Each group at -9 dBFS keeps the sum below -3 dBFS; equal levels mean zero twist (ITU-T Q.24).
_DTMF_COMPONENT_AMPLITUDE = 0.35
_FULL_SCALE = 32767

# Hold/wait music: C-E-G-E, F-A-C-A, G-B-D-B (equal temperament, rounded to the hertz), then a rest.
HOLD_MUSIC_NOTES_HZ = (262, 330, 392, 330, 349, 440, 523, 440, 392, 494, 587, 494)
HOLD_MUSIC_NOTE_MS = 500
HOLD_MUSIC_FADE_MS = 20
HOLD_MUSIC_REST_MS = 500
HOLD_MUSIC_AMPLITUDE = 0.15  # about -16 dBFS peak: background, below any voice

CONFERENCE_BEEP_HZ = 800
CONFERENCE_BEEP_MS = 200
CONFERENCE_BEEP_AMPLITUDE = 0.3
_BEEP_FADE_MS = 5


class InvalidDigits(InvalidParameter):
    """A digit string holds a character that is neither a DTMF key nor ``w``."""


def tone(frequency_hz: float, duration_ms: int, amplitude: float = 0.5) -> Pcm:
    """A sine at ``frequency_hz`` for ``duration_ms``, peak ``amplitude`` × full scale, phase 0."""
    return _to_pcm(_sine(frequency_hz, duration_ms * SAMPLE_RATE_HZ // 1000) * amplitude)


def dtmf_tone(digit: str, duration_ms: int) -> Pcm:
    """The dual tone of one DTMF key (``0-9 * # A-D``)."""
    low_hz, high_hz = DTMF_FREQUENCIES_HZ[digit]
    length = duration_ms * SAMPLE_RATE_HZ // 1000
    mixed = (_sine(low_hz, length) + _sine(high_hz, length)) * _DTMF_COMPONENT_AMPLITUDE
    return _to_pcm(mixed)


def dtmf_clip(digits: str, tone_ms: int = 100, gap_ms: int = 100) -> Clip:
    """The keys of ``digits`` as DTMF with ``gap_ms`` between keys; ``w`` pauses 500 ms, ``W`` 1 s.

    ``tone_ms`` and ``gap_ms`` are rounded up to whole 20 ms frames so that every event sits on
    the frames that carry its tone. A pause takes the place of the gap around it. Raises
    ``InvalidDigits`` naming the first character that is not a key or ``w``.
    """
    _check_digits(digits)
    tone_frames = frames_in(tone_ms)
    gap_frames = frames_in(gap_ms)
    parts: list[Pcm] = []
    events: dict[int, DtmfEvent] = {}
    frame = 0
    previous_was_key = False
    for char in digits:
        if char in PAUSES_MS:
            parts.append(silence(frames_in(PAUSES_MS[char]) * SAMPLES_PER_FRAME))
            frame += frames_in(PAUSES_MS[char])
            previous_was_key = False
            continue
        if previous_was_key:
            parts.append(silence(gap_frames * SAMPLES_PER_FRAME))
            frame += gap_frames
        parts.append(dtmf_tone(char, tone_frames * FRAME_MS))
        for index in range(tone_frames):
            events[frame + index] = DtmfEvent(char, end=index == tone_frames - 1)
        frame += tone_frames
        previous_was_key = True
    samples = np.concatenate(parts) if parts else silence(0)
    return Clip(samples, MappingProxyType(events))


@cache
def hold_music() -> Clip:
    """Phonograph's own hold and wait music: a gentle 6.5 s loop, made once and read-only.

    Twilio's default ``waitUrl`` and ``holdUrl`` point at twimlets on the internet
    (https://www.twilio.com/docs/voice/twiml/conference#attributes-waiturl), which a server that
    works offline cannot fetch; this stands in for them. Broken-chord arpeggios over C, F and G
    major, each note faded in and out so that no note starts or ends with a click, then a rest.
    """
    fade = np.linspace(0.0, 1.0, HOLD_MUSIC_FADE_MS * SAMPLE_RATE_HZ // 1000)
    notes: list[npt.NDArray[np.float64]] = []
    for frequency_hz in HOLD_MUSIC_NOTES_HZ:
        note = _sine(frequency_hz, HOLD_MUSIC_NOTE_MS * SAMPLE_RATE_HZ // 1000) * HOLD_MUSIC_AMPLITUDE
        note[: len(fade)] *= fade
        note[len(note) - len(fade) :] *= fade[::-1]
        notes.append(note)
    notes.append(np.zeros(HOLD_MUSIC_REST_MS * SAMPLE_RATE_HZ // 1000))
    return _read_only_clip(_to_pcm(np.concatenate(notes)))


@cache
def conference_beep() -> Clip:
    """The short beep a conference plays when a participant enters or leaves
    (``<Conference beep>``, https://www.twilio.com/docs/voice/twiml/conference#attributes-beep);
    made once and read-only."""
    length = CONFERENCE_BEEP_MS * SAMPLE_RATE_HZ // 1000
    fade = np.linspace(0.0, 1.0, _BEEP_FADE_MS * SAMPLE_RATE_HZ // 1000)
    beep = _sine(CONFERENCE_BEEP_HZ, length) * CONFERENCE_BEEP_AMPLITUDE
    beep[: len(fade)] *= fade
    beep[length - len(fade) :] *= fade[::-1]
    return _read_only_clip(_to_pcm(beep))


def _read_only_clip(samples: Pcm) -> Clip:
    """A clip shared by every conference: nobody may write into its samples."""
    samples.setflags(write=False)
    return Clip(samples)


def _check_digits(digits: str) -> None:
    for position, char in enumerate(digits):
        if char not in PAUSES_MS and char not in DTMF_FREQUENCIES_HZ:
            raise InvalidDigits(
                f"Invalid digits {digits!r}: {char!r} at position {position} is not one of "
                "0-9, *, #, A-D, w or W"
            )


def _sine(frequency_hz: float, length: int) -> npt.NDArray[np.float64]:
    t = np.arange(length, dtype=np.float64) / SAMPLE_RATE_HZ
    return np.sin(2 * np.pi * frequency_hz * t)


def _to_pcm(signal: npt.NDArray[np.float64]) -> Pcm:
    return np.clip(np.rint(signal * _FULL_SCALE), -32768, 32767).astype(np.int16)
