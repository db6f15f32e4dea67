"""Audio analysis for tests: read WAV, find tones, DTMF digits, levels, active spans and speech.

Written independently of ``phonograph.media`` (docs/style.md rule 10: recordings are checked by
analysing the audio, not by trusting the code that made it), so nothing here imports it (an
import contract in pyproject.toml keeps it so). The functions take int16-range numpy arrays, one
channel at a time; :class:`Audio` and the ``assert_*`` functions below are the pytest kit's face
of them, with channels numbered from 1 as Twilio numbers a dual recording's.
"""

from __future__ import annotations

import io
import math
import wave
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Samples = npt.NDArray[np.int16] | npt.NDArray[np.floating] | npt.NDArray[np.integer]
_FULL_SCALE = 32768.0

# DTMF (ITU-T Q.23) rows and columns and the keys where they cross.
_DTMF_LOW_HZ = (697.0, 770.0, 852.0, 941.0)
_DTMF_HIGH_HZ = (1209.0, 1336.0, 1477.0, 1633.0)
_DTMF_KEYS = ("123A", "456B", "789C", "*0#D")
_DTMF_BLOCK_S = 0.020
_DTMF_MIN_LEVEL_DBFS = -45.0
_DTMF_MIN_TONE_SHARE = 0.6  # both tones together carry this share of the block's energy
_DTMF_MIN_PEAK_RATIO = 4.0  # best tone of a group vs the group's runner-up (6 dB)
# Twist limits as in Asterisk's dsp.c: the high tone up to 4 dB above the low ("reverse") and up
# to 8 dB below it ("normal").
_DTMF_MAX_REVERSE_TWIST_DB = 4.0
_DTMF_MAX_NORMAL_TWIST_DB = 8.0
_DTMF_MIN_BLOCKS = 2  # 40 ms, the shortest digit ITU-T Q.24 requires receivers to accept

_SPEECH_BAND_HZ = (300.0, 3400.0)
_SPEECH_FRAME_S = 0.032
_SPEECH_MIN_LEVEL_DBFS = -45.0
_SPEECH_MIN_BAND_SHARE = 0.5
_SPEECH_MAX_PEAK_SHARE = 0.97  # top 8 bins of the band: a tone or DTMF puts nearly all there
_SPEECH_MAX_FLATNESS = 0.45  # white noise is flat (~0.56); voiced speech is peaky (~0.01)
_SPEECH_MIN_RUN_FRAMES = 5  # 5 hops of 16 ms: about a syllable


def read_wav(data: bytes) -> tuple[npt.NDArray[np.int16], int]:
    """The samples of a PCM WAV file as an int16 array shaped (channels, samples), and its rate."""
    with wave.open(io.BytesIO(data), "rb") as wav:
        channels, width, rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
        raw = wav.readframes(wav.getnframes())
    if width == 1:
        values = (np.frombuffer(raw, dtype=np.uint8).astype(np.int32) - 128) << 8
    elif width == 2:
        values = np.frombuffer(raw, dtype="<i2").astype(np.int32)
    elif width == 3:
        bytes3 = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        values = ((bytes3[:, 0] << 8) | (bytes3[:, 1] << 16) | (bytes3[:, 2] << 24)) >> 16
    elif width == 4:
        values = np.frombuffer(raw, dtype="<i4") >> 16
    else:
        raise ValueError(f"unsupported sample width {width}")
    frames = len(values) // channels
    return values[: frames * channels].reshape(frames, channels).T.astype(np.int16), rate


def _floats(samples: Samples) -> npt.NDArray[np.float64]:
    return np.asarray(samples, dtype=np.float64).reshape(-1)


def rms_dbfs(samples: Samples) -> float:
    """RMS level in dB against int16 full scale (a full-scale sine reads about -3 dBFS); -inf for
    silence or no samples."""
    values = _floats(samples)
    if len(values) == 0:
        return -math.inf
    rms = math.sqrt(float(np.mean(values**2)))
    return 20 * math.log10(rms / _FULL_SCALE) if rms > 0 else -math.inf


def dominant_frequency_hz(samples: Samples, rate: int) -> float:
    """The frequency of the strongest spectral peak (Hann window, zero-padded FFT, parabolic
    interpolation between bins)."""
    values = _floats(samples)
    if len(values) < 2:
        raise ValueError("need at least two samples")
    size = max(1 << 16, 1 << math.ceil(math.log2(len(values))))
    spectrum = np.abs(np.fft.rfft((values - values.mean()) * np.hanning(len(values)), n=size))
    peak = int(np.argmax(spectrum[1:])) + 1
    offset = 0.0
    if peak + 1 < len(spectrum):
        left, centre, right = np.log(spectrum[peak - 1 : peak + 2] + 1e-12)
        denominator = left - 2 * centre + right
        offset = 0.5 * (left - right) / denominator if denominator else 0.0
    return (peak + offset) * rate / size


def _goertzel_powers(
    blocks: npt.NDArray[np.float64], frequencies_hz: npt.NDArray[np.float64], rate: int
) -> npt.NDArray[np.float64]:
    """Power at each frequency in each block, by the Goertzel recurrence run on all blocks and
    frequencies at once; scaled by 2/N so that a sine of amplitude A reads its own energy, A² N / 2."""
    coefficients = 2 * np.cos(2 * np.pi * frequencies_hz / rate)
    previous = np.zeros((blocks.shape[0], len(frequencies_hz)))
    before = np.zeros_like(previous)
    for column in range(blocks.shape[1]):
        previous, before = blocks[:, column, None] + coefficients * previous - before, previous
    power: npt.NDArray[np.float64] = previous**2 + before**2 - coefficients * previous * before
    scaled: npt.NDArray[np.float64] = power * (2 / blocks.shape[1])
    return scaled


def _dtmf_key(powers: npt.NDArray[np.float64], energy: float) -> str | None:
    """The key one block holds, given its power at the four low then four high frequencies."""
    low, high = powers[:4], powers[4:]
    row, column = int(np.argmax(low)), int(np.argmax(high))
    for group, best in ((low, row), (high, column)):
        if group[best] < _DTMF_MIN_PEAK_RATIO * np.max(np.delete(group, best)):
            return None
    if low[row] <= 0 or high[column] <= 0:
        return None
    twist_db = 10 * math.log10(high[column] / low[row])
    if not -_DTMF_MAX_NORMAL_TWIST_DB <= twist_db <= _DTMF_MAX_REVERSE_TWIST_DB:
        return None
    if low[row] + high[column] < _DTMF_MIN_TONE_SHARE * energy:
        return None
    return _DTMF_KEYS[row][column]


def detect_dtmf(samples: Samples, rate: int) -> str:
    """The DTMF keys in the audio, in order, from Goertzel filters on 20 ms blocks. A key must
    hold for two blocks (40 ms); the same key twice needs a gap (a block without it) between."""
    values = _floats(samples)
    block_size = round(rate * _DTMF_BLOCK_S)
    count = len(values) // block_size
    blocks = values[: count * block_size].reshape(count, block_size)
    powers = _goertzel_powers(blocks, np.array(_DTMF_LOW_HZ + _DTMF_HIGH_HZ), rate)
    energies = np.sum(blocks**2, axis=1)
    keys: list[str] = []
    held: str | None = None  # the key already reported and still sounding
    candidate: str | None = None
    run = 0
    for index in range(count):
        loud = rms_dbfs(blocks[index]) >= _DTMF_MIN_LEVEL_DBFS
        key = _dtmf_key(powers[index], float(energies[index])) if loud else None
        run = run + 1 if key is not None and key == candidate else 1
        candidate = key
        if key is None:
            held = None
        elif run >= _DTMF_MIN_BLOCKS and key != held:
            keys.append(key)
            held = key
    return "".join(keys)


def active_spans(
    samples: Samples, rate: int, threshold_dbfs: float = -40.0, *, block_s: float = 0.010
) -> list[tuple[float, float]]:
    """(start, end) seconds of each stretch whose ``block_s`` blocks are all above the threshold."""
    values = _floats(samples)
    block_size = max(1, round(rate * block_s))
    spans: list[tuple[float, float]] = []
    start: int | None = None
    for offset in range(0, len(values), block_size):
        active = rms_dbfs(values[offset : offset + block_size]) > threshold_dbfs
        if active and start is None:
            start = offset
        elif not active and start is not None:
            spans.append((start / rate, offset / rate))
            start = None
    if start is not None:
        spans.append((start / rate, len(values) / rate))
    return spans


def has_speech(samples: Samples, rate: int, min_duration_s: float = 0.3) -> bool:
    """Whether at least ``min_duration_s`` of the audio looks like speech.

    A 32 ms frame looks like speech when it is loud enough, holds most of its energy in the
    telephone band (300–3400 Hz), spreads it over many harmonics rather than one or two tones, and
    is not flat like noise. Only runs of such frames as long as a syllable count, which rules out
    the clicks at the edges of tones and DTMF digits.
    """
    values = _floats(samples)
    size = max(16, round(rate * _SPEECH_FRAME_S))
    hop = size // 2
    looks_like_speech = [
        _speech_frame(values[start : start + size], rate) for start in range(0, len(values) - size + 1, hop)
    ]
    counted = run = 0
    for flag in [*looks_like_speech, False]:
        if flag:
            run += 1
            continue
        if run >= _SPEECH_MIN_RUN_FRAMES:
            counted += run
        run = 0
    return counted * hop / rate >= min_duration_s


def _speech_frame(frame: npt.NDArray[np.float64], rate: int) -> bool:
    if rms_dbfs(frame) < _SPEECH_MIN_LEVEL_DBFS:
        return False
    power = np.abs(np.fft.rfft(frame * np.hanning(len(frame)))) ** 2
    frequencies = np.fft.rfftfreq(len(frame), 1 / rate)
    in_band = power[(frequencies >= _SPEECH_BAND_HZ[0]) & (frequencies <= _SPEECH_BAND_HZ[1])]
    band_energy = float(in_band.sum())
    if band_energy == 0 or band_energy < _SPEECH_MIN_BAND_SHARE * float(power.sum()):
        return False
    peak_share = float(np.sort(in_band)[-8:].sum()) / band_energy
    flatness = float(np.exp(np.mean(np.log(in_band + 1e-12)))) / float(np.mean(in_band))
    return peak_share < _SPEECH_MAX_PEAK_SHARE and flatness < _SPEECH_MAX_FLATNESS


@dataclass(frozen=True)
class Audio:
    """A decoded recording: int16 samples shaped (channels, frames) at ``rate_hz``."""

    samples: npt.NDArray[np.int16]
    rate_hz: int

    @classmethod
    def from_wav(cls, data: bytes) -> Audio:
        samples, rate = read_wav(data)
        return cls(samples, rate)

    @property
    def channels(self) -> int:
        return int(self.samples.shape[0])

    @property
    def duration_s(self) -> float:
        return int(self.samples.shape[1]) / self.rate_hz

    def channel(self, number: int) -> npt.NDArray[np.int16]:
        """Channel ``number``, counted from 1 (in a dual call recording, 1 is the parent leg)."""
        if not 1 <= number <= self.channels:
            raise ValueError(f"channel {number} of a {self.channels}-channel recording")
        channel: npt.NDArray[np.int16] = self.samples[number - 1]
        return channel

    def between(self, start_s: float, end_s: float) -> Audio:
        """The stretch from ``start_s`` to ``end_s`` seconds."""
        first, last = round(start_s * self.rate_hz), round(end_s * self.rate_hz)
        return Audio(self.samples[:, first:last], self.rate_hz)


def silent_spans(
    audio: Audio, channel: int = 1, *, min_s: float = 0.2, threshold_dbfs: float = -50.0
) -> list[tuple[float, float]]:
    """(start, end) seconds of each stretch of at least ``min_s`` below ``threshold_dbfs`` on
    ``channel``: where a pause with ``PauseBehavior=silence`` put silence, say."""
    loud = active_spans(audio.channel(channel), audio.rate_hz, threshold_dbfs)
    edges = [0.0, *(edge for span in loud for edge in span), audio.duration_s]
    gaps = zip(edges[::2], edges[1::2], strict=True)
    return [(start, end) for start, end in gaps if end - start >= min_s]


def assert_duration(audio: Audio, expected_s: float, *, tolerance_s: float = 0.1) -> None:
    assert abs(audio.duration_s - expected_s) <= tolerance_s, (
        f"audio lasts {audio.duration_s:.3f} s, expected {expected_s:.3f} ± {tolerance_s} s"
    )


def assert_tone(audio: Audio, frequency_hz: float, *, channel: int = 1, tolerance_hz: float = 5.0) -> None:
    """The strongest frequency on ``channel`` is ``frequency_hz``."""
    found = dominant_frequency_hz(audio.channel(channel), audio.rate_hz)
    assert abs(found - frequency_hz) <= tolerance_hz, (
        f"channel {channel} is loudest at {found:.1f} Hz, expected {frequency_hz:g} ± {tolerance_hz:g} Hz"
    )


def assert_speech(audio: Audio, *, channel: int = 1, min_s: float = 0.3) -> None:
    """``channel`` holds at least ``min_s`` of speech."""
    assert has_speech(audio.channel(channel), audio.rate_hz, min_s), f"no speech on channel {channel}"


def assert_no_speech(audio: Audio, *, channel: int = 1, min_s: float = 0.3) -> None:
    """``channel`` holds less than ``min_s`` of speech (the other party's channel, say)."""
    assert not has_speech(audio.channel(channel), audio.rate_hz, min_s), f"speech on channel {channel}"


def assert_dtmf(audio: Audio, digits: str, *, channel: int = 1) -> None:
    """``channel`` carries exactly the DTMF ``digits``, in order."""
    found = detect_dtmf(audio.channel(channel), audio.rate_hz)
    assert found == digits, f"channel {channel} carries DTMF {found!r}, expected {digits!r}"


def assert_silent(audio: Audio, start_s: float, end_s: float, *, channel: int = 1) -> None:
    """``channel`` is silent (below -50 dBFS) from ``start_s`` to ``end_s``."""
    level = rms_dbfs(audio.between(start_s, end_s).channel(channel))
    assert level < -50.0, f"channel {channel} is at {level:.1f} dBFS between {start_s} s and {end_s} s"
