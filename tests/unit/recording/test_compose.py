"""Composition: which channel holds which track, the mono mix, silence trimming and duration,
checked on the samples (and by spectrum where a channel's content is a tone)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phonograph.recording.compose import SILENCE_PEAK, Composition, Layout, compose
from phonograph.recording.enums import Channels, Track, Trim
from phonograph.testing.audio import dominant_frequency_hz

RATE_HZ = 8000
WINDOW = 160  # samples in 20 ms at 8 kHz, written out rather than imported
INBOUND_HZ = 1000.0
OUTBOUND_HZ = 400.0
Int16s = npt.NDArray[np.int16]


def sine(frequency_hz: float, count: int, amplitude: int = 8000) -> Int16s:
    t = np.arange(count) / RATE_HZ
    samples: Int16s = np.rint(amplitude * np.sin(2 * np.pi * frequency_hz * t)).astype(np.int16)
    return samples


def constant(value: int, count: int) -> Int16s:
    return np.full(count, value, dtype=np.int16)


def zeros(count: int) -> Int16s:
    return np.zeros(count, dtype=np.int16)


def tracks(count: int = RATE_HZ) -> tuple[Int16s, Int16s]:
    return sine(INBOUND_HZ, count), sine(OUTBOUND_HZ, count)


@pytest.mark.parametrize(
    ("track", "channels", "expected"),
    [
        (Track.INBOUND, Channels.MONO, 1),
        (Track.INBOUND, Channels.DUAL, 1),
        (Track.OUTBOUND, Channels.MONO, 1),
        (Track.OUTBOUND, Channels.DUAL, 1),
        (Track.BOTH, Channels.MONO, 1),
        (Track.BOTH, Channels.DUAL, 2),
    ],
)
def test_layout_channel_count(track: Track, channels: Channels, expected: int) -> None:
    assert Layout(track, channels).channel_count == expected
    inbound, outbound = tracks(WINDOW * 4)
    composition = compose(inbound, outbound, Layout(track, channels), Trim.DO_NOT_TRIM)
    assert composition.channel_count == expected
    assert composition.samples.shape == (WINDOW * 4, expected)
    assert composition.samples.dtype == np.int16


def test_dual_puts_inbound_on_channel_one_and_outbound_on_channel_two() -> None:
    inbound, outbound = tracks()
    samples = compose(inbound, outbound, Layout(Track.BOTH, Channels.DUAL), Trim.DO_NOT_TRIM).samples
    assert dominant_frequency_hz(samples[:, 0], RATE_HZ) == pytest.approx(INBOUND_HZ, abs=2)
    assert dominant_frequency_hz(samples[:, 1], RATE_HZ) == pytest.approx(OUTBOUND_HZ, abs=2)
    np.testing.assert_array_equal(samples[:, 0], inbound)
    np.testing.assert_array_equal(samples[:, 1], outbound)


@pytest.mark.parametrize(
    ("track", "frequency_hz"), [(Track.INBOUND, INBOUND_HZ), (Track.OUTBOUND, OUTBOUND_HZ)]
)
@pytest.mark.parametrize("channels", list(Channels))
def test_single_track_is_that_track_alone(track: Track, frequency_hz: float, channels: Channels) -> None:
    inbound, outbound = tracks()
    samples = compose(inbound, outbound, Layout(track, channels), Trim.DO_NOT_TRIM).samples
    assert dominant_frequency_hz(samples[:, 0], RATE_HZ) == pytest.approx(frequency_hz, abs=2)
    np.testing.assert_array_equal(samples[:, 0], inbound if track is Track.INBOUND else outbound)


def test_mono_mix_holds_both_tones() -> None:
    inbound, outbound = tracks()
    samples = compose(inbound, outbound, Layout(Track.BOTH, Channels.MONO), Trim.DO_NOT_TRIM).samples
    spectrum = np.abs(np.fft.rfft(samples[:, 0].astype(np.float64)))
    frequencies = np.fft.rfftfreq(len(samples), 1 / RATE_HZ)
    strongest = sorted(frequencies[np.argsort(spectrum)[-2:]])
    assert strongest == pytest.approx([OUTBOUND_HZ, INBOUND_HZ], abs=1)


def test_mono_mix_saturates_instead_of_wrapping() -> None:
    inbound = np.array([30000, -30000, 30000, 32767, -32768, 100], dtype=np.int16)
    outbound = np.array([30000, -30000, -10000, 1, -1, -100], dtype=np.int16)
    samples = compose(inbound, outbound, Layout(Track.BOTH, Channels.MONO), Trim.DO_NOT_TRIM).samples
    assert samples[:, 0].tolist() == [32767, -32768, 20000, 32767, -32768, 0]


def test_trim_drops_exactly_the_silent_head_and_tail_windows_and_keeps_interior_silence() -> None:
    inbound = np.concatenate(
        [
            zeros(3 * WINDOW + 50),  # three silent windows, then audio starts inside the fourth
            sine(INBOUND_HZ, 2 * WINDOW - 50),
            zeros(5 * WINDOW),  # interior silence stays
            sine(INBOUND_HZ, WINDOW + 30),  # ends inside a window: that window stays whole
            zeros(2 * WINDOW - 30 + 4 * WINDOW),
        ]
    )
    outbound = zeros(len(inbound))
    for channels in Channels:
        composition = compose(inbound, outbound, Layout(Track.BOTH, channels), Trim.TRIM_SILENCE)
        assert composition.untrimmed_samples == len(inbound)
        assert composition.audible
        # With a silent outbound track, the mono mix is the inbound track too.
        np.testing.assert_array_equal(composition.samples[:, 0], inbound[3 * WINDOW : 12 * WINDOW])


def test_trim_judges_silence_across_both_channels() -> None:
    inbound = np.concatenate([zeros(4 * WINDOW), sine(INBOUND_HZ, 4 * WINDOW)])
    outbound = np.concatenate([sine(OUTBOUND_HZ, 2 * WINDOW), zeros(6 * WINDOW)])
    composition = compose(inbound, outbound, Layout(Track.BOTH, Channels.DUAL), Trim.TRIM_SILENCE)
    assert len(composition.samples) == 8 * WINDOW
    inbound_only = compose(inbound, outbound, Layout(Track.INBOUND, Channels.DUAL), Trim.TRIM_SILENCE)
    np.testing.assert_array_equal(inbound_only.samples[:, 0], inbound[4 * WINDOW :])


@pytest.mark.parametrize(
    ("peak", "loud"),
    [(SILENCE_PEAK - 1, False), (-(SILENCE_PEAK - 1), False), (SILENCE_PEAK, True), (-SILENCE_PEAK, True)],
)
def test_silence_threshold_is_the_peak_magnitude(peak: int, loud: bool) -> None:
    inbound = zeros(3 * WINDOW)
    inbound[WINDOW + 17] = peak
    composition = compose(
        inbound, zeros(len(inbound)), Layout(Track.INBOUND, Channels.MONO), Trim.TRIM_SILENCE
    )
    assert composition.audible is loud
    assert len(composition.samples) == (WINDOW if loud else 0)


def test_most_negative_sample_counts_as_loud() -> None:
    # abs(-32768) wraps to -32768 in int16; the detector must not call it silence.
    inbound = zeros(2 * WINDOW)
    inbound[-1] = -32768
    composition = compose(
        inbound, zeros(len(inbound)), Layout(Track.INBOUND, Channels.MONO), Trim.TRIM_SILENCE
    )
    assert composition.audible
    assert len(composition.samples) == WINDOW


def test_audio_in_a_short_last_window_is_kept_to_the_end() -> None:
    inbound = np.concatenate([zeros(2 * WINDOW), constant(1000, 7)])
    composition = compose(
        inbound, zeros(len(inbound)), Layout(Track.INBOUND, Channels.MONO), Trim.TRIM_SILENCE
    )
    np.testing.assert_array_equal(composition.samples[:, 0], constant(1000, 7))


def test_do_not_trim_leaves_samples_unchanged() -> None:
    inbound = np.concatenate([zeros(10 * WINDOW), sine(INBOUND_HZ, WINDOW), zeros(10 * WINDOW + 3)])
    composition = compose(
        inbound, zeros(len(inbound)), Layout(Track.INBOUND, Channels.MONO), Trim.DO_NOT_TRIM
    )
    np.testing.assert_array_equal(composition.samples[:, 0], inbound)
    assert composition.audible


@pytest.mark.parametrize("trim", list(Trim))
def test_all_zero_is_not_audible(trim: Trim) -> None:
    composition = compose(zeros(RATE_HZ), zeros(RATE_HZ), Layout(Track.BOTH, Channels.DUAL), trim)
    assert not composition.audible
    assert len(composition.samples) == (0 if trim is Trim.TRIM_SILENCE else RATE_HZ)
    assert composition.samples.shape[1] == 2
    assert composition.untrimmed_duration_s == 1


def test_low_level_noise_under_the_threshold_is_not_audible() -> None:
    noise = np.random.default_rng(7).integers(-SILENCE_PEAK + 1, SILENCE_PEAK, size=RATE_HZ).astype(np.int16)
    composition = compose(noise, noise[::-1].copy(), Layout(Track.BOTH, Channels.DUAL), Trim.TRIM_SILENCE)
    assert not composition.audible
    assert composition.duration_s == 0


def test_empty_tracks() -> None:
    composition = compose(zeros(0), zeros(0), Layout(Track.BOTH, Channels.MONO), Trim.TRIM_SILENCE)
    assert composition.samples.shape == (0, 1)
    assert not composition.audible
    assert composition.duration_s == 0


@pytest.mark.parametrize(
    ("count", "seconds"),
    [(0, 0), (3999, 0), (4000, 1), (8000, 1), (11999, 1), (12000, 2), (16000 + 3999, 2), (16000 + 4000, 3)],
)
def test_duration_is_whole_seconds_rounded_half_up(count: int, seconds: int) -> None:
    composition = Composition(samples=zeros(count).reshape(-1, 1), audible=False, untrimmed_samples=count)
    assert composition.duration_s == seconds
    assert composition.untrimmed_duration_s == seconds


def test_trimmed_and_untrimmed_durations_differ() -> None:
    inbound = np.concatenate([zeros(RATE_HZ), sine(INBOUND_HZ, 2 * RATE_HZ), zeros(RATE_HZ // 2)])
    composition = compose(
        inbound, zeros(len(inbound)), Layout(Track.INBOUND, Channels.MONO), Trim.TRIM_SILENCE
    )
    assert composition.duration_s == 2
    assert composition.untrimmed_duration_s == 4  # 3.5 s rounds half up


def test_samples_are_read_only() -> None:
    inbound, outbound = tracks(WINDOW)
    composition = compose(inbound, outbound, Layout(Track.INBOUND, Channels.MONO), Trim.DO_NOT_TRIM)
    with pytest.raises(ValueError, match="read-only"):
        composition.samples[0, 0] = 1
    inbound[0] = 1  # the caller's own array stays writable


def test_unequal_tracks_are_refused() -> None:
    with pytest.raises(ValueError, match="equal in length"):
        compose(zeros(10), zeros(11), Layout(Track.BOTH, Channels.DUAL), Trim.DO_NOT_TRIM)


# Segments of one level each (signs alternating sample by sample) around the silence threshold.
_LEVELS = [0, 1, SILENCE_PEAK - 1, SILENCE_PEAK, 3000, 32767]
_segments = st.lists(st.tuples(st.integers(1, 3 * WINDOW), st.sampled_from(_LEVELS)), max_size=6)


def _track(segments: list[tuple[int, int]], length: int) -> Int16s:
    parts = [
        np.resize(np.array([level, -level - (level == 32767)], dtype=np.int16), n) for n, level in segments
    ]
    track = np.concatenate([*parts, zeros(length)])[:length]
    return track.astype(np.int16)


@settings(max_examples=150, deadline=None)
@given(
    inbound_segments=_segments,
    outbound_segments=_segments,
    length=st.integers(0, 12 * WINDOW),
    channels=st.sampled_from(list(Channels)),
)
def test_trim_properties(
    inbound_segments: list[tuple[int, int]],
    outbound_segments: list[tuple[int, int]],
    length: int,
    channels: Channels,
) -> None:
    inbound, outbound = _track(inbound_segments, length), _track(outbound_segments, length)
    layout = Layout(Track.BOTH, channels)
    full = compose(inbound, outbound, layout, Trim.DO_NOT_TRIM)
    trimmed = compose(inbound, outbound, layout, Trim.TRIM_SILENCE)
    assert len(trimmed.samples) <= len(full.samples) == trimmed.untrimmed_samples == length
    assert (
        trimmed.audible == full.audible == bool(np.any(np.abs(full.samples.astype(np.int32)) >= SILENCE_PEAK))
    )
    if not trimmed.audible:
        assert len(trimmed.samples) == 0
        return
    start = next(
        index
        for index in range(0, length, WINDOW)
        if np.any(np.abs(full.samples[index : index + WINDOW].astype(np.int32)) >= SILENCE_PEAK)
    )
    np.testing.assert_array_equal(trimmed.samples, full.samples[start : start + len(trimmed.samples)])
    if channels is Channels.DUAL:
        np.testing.assert_array_equal(trimmed.samples[:, 0], inbound[start : start + len(trimmed.samples)])
    dropped_tail = full.samples[start + len(trimmed.samples) :]
    assert not np.any(np.abs(dropped_tail.astype(np.int32)) >= SILENCE_PEAK)
    last_window = trimmed.samples[(len(trimmed.samples) - 1) // WINDOW * WINDOW :]
    assert np.any(np.abs(last_window.astype(np.int32)) >= SILENCE_PEAK)
