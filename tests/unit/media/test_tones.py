"""Tones and DTMF clips, checked by spectrum and by a Goertzel detector that knows nothing of how
they were made."""

from __future__ import annotations

import numpy as np
import pytest

from phonograph.core.errors import PhonographError
from phonograph.media import (
    SAMPLE_RATE_HZ,
    SAMPLES_PER_FRAME,
    DtmfEvent,
    InvalidDigits,
    dtmf_clip,
    tone,
)
from phonograph.testing.audio import active_spans, detect_dtmf, dominant_frequency_hz, rms_dbfs

FRAMES_PER_100_MS = 5


@pytest.mark.parametrize("frequency_hz", [350.0, 440.0, 1000.0, 2600.0, 3400.0])
def test_tone_has_its_frequency_length_and_level(frequency_hz: float) -> None:
    samples = tone(frequency_hz, 500, amplitude=0.5)
    assert samples.dtype == np.int16
    assert len(samples) == SAMPLE_RATE_HZ // 2
    assert dominant_frequency_hz(samples, SAMPLE_RATE_HZ) == pytest.approx(frequency_hz, abs=1.0)
    assert int(np.max(np.abs(samples))) == pytest.approx(16384, abs=2)
    assert rms_dbfs(samples) == pytest.approx(-9.03, abs=0.1)  # 0.5 of full scale is -6 dB peak


def test_dtmf_digits_decode_in_order_with_events_on_their_tone_frames() -> None:
    clip = dtmf_clip("123#w9")
    assert detect_dtmf(clip.samples, SAMPLE_RATE_HZ) == "123#9"
    # 1 gap 2 gap 3 gap # pause 9: 100 ms tones and gaps, 500 ms for the pause.
    starts = {"1": 0, "2": 10, "3": 20, "#": 30, "9": 60}
    assert clip.frame_count == 65
    expected = {
        start + offset: DtmfEvent(digit, end=offset == FRAMES_PER_100_MS - 1)
        for digit, start in starts.items()
        for offset in range(FRAMES_PER_100_MS)
    }
    assert dict(clip.dtmf) == expected
    assert sum(event.end for event in clip.dtmf.values()) == 5


def test_event_frames_carry_the_tone_and_other_frames_are_silent() -> None:
    clip = dtmf_clip("123#w9")
    for index in range(clip.frame_count):
        frame = clip.frame(index)
        assert frame.dtmf == clip.dtmf.get(index)
        if frame.dtmf is None:
            assert not frame.samples.any()
        else:
            assert detect_dtmf(np.tile(frame.samples, 2), SAMPLE_RATE_HZ) == frame.dtmf.digit


def test_w_is_half_a_second_of_silence() -> None:
    clip = dtmf_clip("#w9")
    spans = active_spans(clip.samples, SAMPLE_RATE_HZ)
    assert spans == [(0.0, 0.1), (0.6, 0.7)]
    assert len(dtmf_clip("w").samples) == SAMPLE_RATE_HZ // 2
    assert len(dtmf_clip("W").samples) == SAMPLE_RATE_HZ
    assert not dtmf_clip("ww").samples.any()


def test_every_key_is_recognised() -> None:
    keys = "0123456789*#ABCD"
    assert detect_dtmf(dtmf_clip(keys).samples, SAMPLE_RATE_HZ) == keys


def test_repeated_digits_are_separated_by_the_gap() -> None:
    clip = dtmf_clip("55", tone_ms=60, gap_ms=40)
    assert detect_dtmf(clip.samples, SAMPLE_RATE_HZ) == "55"
    assert clip.frame_count == 3 + 2 + 3


def test_lengths_round_up_to_whole_frames() -> None:
    clip = dtmf_clip("1", tone_ms=50)
    assert len(clip.samples) == 3 * SAMPLES_PER_FRAME
    assert [event.end for _, event in sorted(clip.dtmf.items())] == [False, False, True]


def test_empty_digits_give_an_empty_clip() -> None:
    clip = dtmf_clip("")
    assert len(clip.samples) == 0
    assert not clip.dtmf


@pytest.mark.parametrize(("digits", "bad"), [("12x3", "'x'"), ("a", "'a'"), ("1 2", "' '"), ("V", "'V'")])
def test_bad_digit_is_rejected_by_name(digits: str, bad: str) -> None:
    with pytest.raises(InvalidDigits) as raised:
        dtmf_clip(digits)
    assert isinstance(raised.value, PhonographError)
    assert (raised.value.code, raised.value.status) == (20001, 400)
    assert bad in raised.value.message
