"""espeak-ng speech for ``<Say>``: real synthesis, checked by analysing the audio."""

from __future__ import annotations

import threading
import time

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from phonograph.media import SAMPLE_RATE_HZ, EspeakEngine, SpeechEngine, speech_pieces
from phonograph.media.tts import MAX_PIECE_CHARS
from phonograph.testing.audio import has_speech

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


# -- long text: pieces, and fair sharing of the one espeak-ng ------------------------------------

words = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Z", "Cc")), min_size=1, max_size=40
)
separators = st.sampled_from([" ", "  ", ". ", "! ", "? ", "; ", ".\n", ", "])


@given(st.lists(st.tuples(words, separators), max_size=60), st.integers(0, 3 * MAX_PIECE_CHARS))
def test_speech_pieces_keep_every_character_in_order_and_cut_again_to_themselves(
    parts: list[tuple[str, str]], long_word_chars: int
) -> None:
    text = "".join(word + separator for word, separator in parts) + "x" * long_word_chars
    pieces = speech_pieces(text)
    assert "".join("".join(pieces).split()) == "".join(text.split())
    for piece in pieces:
        assert 0 < len(piece) <= MAX_PIECE_CHARS
        assert speech_pieces(piece) == [piece]


def test_a_short_prompt_is_one_piece_and_a_long_text_is_cut_between_sentences() -> None:
    assert speech_pieces("  Thanks for calling. Please hold.  ") == ["Thanks for calling. Please hold."]
    sentence = "This sentence is about sixty characters long, give or take a few."
    pieces = speech_pieces(" ".join([sentence] * 10))
    assert len(pieces) == 4
    assert all(piece.endswith(sentence) for piece in pieces)


def test_a_long_text_does_not_hold_espeak_while_another_call_waits() -> None:
    """A short prompt asked for while a long text is being spoken waits for one piece of it, not
    for all of it (the waits are compared with each other, so a busy machine slows both alike)."""
    engine = EspeakEngine()
    long_text = " ".join(f"Clause number {n} of the terms you agreed to." for n in range(600))
    started = threading.Event()
    long_s: list[float] = []

    def speak_long() -> None:
        started.set()
        began = time.perf_counter()
        engine.synthesize(long_text, "man", "en-US")
        long_s.append(time.perf_counter() - began)

    thread = threading.Thread(target=speak_long)
    thread.start()
    started.wait()
    began = time.perf_counter()
    short = engine.synthesize("Press one for sales.", "woman", "en-US")
    short_s = time.perf_counter() - began
    thread.join()
    assert has_speech(short, SAMPLE_RATE_HZ)
    assert short_s < long_s[0] / 10
