"""espeak-ng speech for ``<Say>``: real synthesis, checked by analysing the audio."""

from __future__ import annotations

import threading

import numpy as np
import numpy.typing as npt
import pytest

from phonograph.media import SAMPLE_RATE_HZ, EspeakEngine, SpeechEngine
from tests.support.audio import has_speech

PEAK_AT_MINUS_3_DBFS = round(32767 * 10 ** (-3 / 20))


@pytest.fixture(scope="module")
def engine() -> EspeakEngine:
    return EspeakEngine()


def pitch_hz(pcm: npt.NDArray[np.int16]) -> float:
    """Median fundamental over loud 40 ms frames, from the autocorrelation peak in 60–400 Hz."""
    size = SAMPLE_RATE_HZ // 25
    shortest, longest = SAMPLE_RATE_HZ // 400, SAMPLE_RATE_HZ // 60
    values = pcm.astype(np.float64)
    loud = np.sqrt(np.mean(values**2)) / 2
    pitches = []
    for start in range(0, len(values) - size, size // 2):
        frame = values[start : start + size] - values[start : start + size].mean()
        if np.sqrt(np.mean(frame**2)) < loud:
            continue
        correlation = np.correlate(frame, frame, mode="full")[size - 1 :]
        lag = shortest + int(np.argmax(correlation[shortest:longest]))
        if correlation[lag] > 0.5 * correlation[0]:
            pitches.append(SAMPLE_RATE_HZ / lag)
    return float(np.median(pitches))


def test_hello_world_is_speech(engine: EspeakEngine) -> None:
    pcm = engine.synthesize("hello world", "man", "en-US")
    assert pcm.dtype == np.int16
    assert 0.4 <= len(pcm) / SAMPLE_RATE_HZ <= 3.0
    assert has_speech(pcm, SAMPLE_RATE_HZ)
    assert int(np.max(np.abs(pcm.astype(np.int32)))) == pytest.approx(PEAK_AT_MINUS_3_DBFS, abs=2)


def test_longer_text_gives_longer_audio(engine: EspeakEngine) -> None:
    short = engine.synthesize("hello world", "man", "en-US")
    long = engine.synthesize("Hello world. Thanks for calling, your call may be recorded.", "man", "en-US")
    assert len(long) > 2 * len(short)


def test_woman_speaks_higher_than_man(engine: EspeakEngine) -> None:
    text = "Thanks for calling, please hold the line."
    man = pitch_hz(engine.synthesize(text, "man", "en-US"))
    woman = pitch_hz(engine.synthesize(text, "woman", "en-US"))
    assert woman > 1.3 * man
    polly_female = pitch_hz(engine.synthesize(text, "Polly.Joanna-Neural", "en-US"))
    polly_male = pitch_hz(engine.synthesize(text, "Polly.Matthew", "en-US"))
    assert polly_female > 1.3 * polly_male


def test_french(engine: EspeakEngine) -> None:
    pcm = engine.synthesize("Bonjour, merci de votre appel.", "woman", "fr-FR")
    assert has_speech(pcm, SAMPLE_RATE_HZ)
    assert 1.0 <= len(pcm) / SAMPLE_RATE_HZ <= 4.0


def test_unknown_language_falls_back_to_english(engine: EspeakEngine) -> None:
    fallback = engine.synthesize("hello", "man", "xx-XX")
    assert has_speech(fallback, SAMPLE_RATE_HZ)
    assert engine.synthesize("hello", "man", "en-US") is fallback  # one cache entry: same voice


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_blank_text_is_no_audio(engine: EspeakEngine, text: str) -> None:
    assert len(engine.synthesize(text, "man", "en-US")) == 0


def test_cache_returns_the_same_read_only_array(engine: EspeakEngine) -> None:
    first = engine.synthesize("press one for sales", "alice", "en-US")
    assert engine.synthesize("press one for sales", "alice", "en-US") is first
    assert engine.synthesize("press one for sales", "woman", "en-US") is first  # same espeak voice
    assert not first.flags.writeable
    assert engine.synthesize("press one for sales", "man", "en-US") is not first


def test_cache_is_bounded_in_bytes_and_keeps_nothing_larger_than_its_bound() -> None:
    one_bytes = EspeakEngine().synthesize("one", "man", "en-US").nbytes
    small = EspeakEngine(cache_bytes=3 * one_bytes)
    one = small.synthesize("one", "man", "en-US")
    long_text = "this sentence is far longer than the whole cache may hold, so it is never kept"
    long = small.synthesize(long_text, "man", "en-US")
    assert long.nbytes > 3 * one_bytes
    assert small.synthesize(long_text, "man", "en-US") is not long
    assert small.synthesize("one", "man", "en-US") is one


def test_many_threads_at_once() -> None:
    engine: SpeechEngine = EspeakEngine()
    texts = [f"caller number {n}, please hold" for n in range(8)]
    results: dict[int, npt.NDArray[np.int16]] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(len(texts))

    def speak(index: int) -> None:
        start.wait()
        try:
            results[index] = engine.synthesize(texts[index], "woman" if index % 2 else "man", "en-GB")
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=speak, args=(n,)) for n in range(len(texts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(results) == list(range(len(texts)))
    # espeak-ng varies a few samples from run to run, so compare lengths and pitch with a run on
    # its own: a mix-up between threads would change both.
    for index, pcm in results.items():
        assert has_speech(pcm, SAMPLE_RATE_HZ)
        alone = EspeakEngine().synthesize(texts[index], "woman" if index % 2 else "man", "en-GB")
        assert len(pcm) == pytest.approx(len(alone), rel=0.02)
        assert pitch_hz(pcm) == pytest.approx(pitch_hz(alone), rel=0.1)
