"""How fast and how well phonograph's offline engine transcribes phone-quality speech.

A fixed set of clips, made here at run time and identical on every run: sentences spoken by
espeak-ng at 8 kHz (``EspeakEngine``, the voice of ``<Say>``), some sent through a G.711 µ-law
round trip as a phone line would carry them, some with white noise added at a fixed seed and
signal-to-noise ratio, and one longer clip of several sentences. Each clip becomes a 16-bit 8 kHz
WAV, the format recordings are stored in, and goes the worker's way: ``decode_wav`` (to float32 at
16 kHz) then ``WhisperEngine.transcribe``, with the model the tests use (Whisper base for
CTranslate2, from the test wheels; ``--model`` for another).

Per clip it prints the audio length, the time to transcribe it (best of ``--repeat``, after one
warm-up run that loads the model), the real-time factor (transcribe time / audio time: below 1
is faster than real time) and the word error rate against the text spoken (tests/support/wer.py:
case and punctuation ignored). The totals row sums the times and pools the word errors. No peer
tool runs on this machine, so there is no ratio.

    .venv/bin/python bench/transcribe.py [--model DIR] [--threads 2] [--repeat 1] [--show-text]
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.support

from tests.support.stt_model import model_dir
from tests.support.wer import edit_distance, words

from phonograph.media.g711 import ulaw_decode, ulaw_encode
from phonograph.media.tts import EspeakEngine
from phonograph.transcription.audio import decode_wav
from phonograph.transcription.engine import WhisperEngine

RATE_HZ = 8000
LANGUAGE = "en-US"
Int16s = npt.NDArray[np.int16]


@dataclass(frozen=True)
class Clip:
    """One recording: what is said, whether it crosses a µ-law line, and the noise added (None:
    none; else the signal-to-noise ratio in dB, with its own seed)."""

    name: str
    text: str
    ulaw: bool = False
    snr_db: float | None = None
    seed: int = 0


CLIPS = (
    Clip("clean-booking", "Good morning, I would like to book a table for dinner."),
    Clip("clean-transfer", "Please hold while I transfer you to the billing team."),
    Clip("ulaw-delivery", "Your package will be delivered on Friday afternoon.", ulaw=True),
    Clip("ulaw-flight", "My flight was cancelled and I need a new ticket.", ulaw=True),
    Clip("noise20-address", "I need to change the address on my account.", ulaw=True, snr_db=20, seed=1),
    Clip("noise10-store", "Can you tell me when the store opens on Sunday?", ulaw=True, snr_db=10, seed=2),
    Clip(
        "ulaw-long",
        "Thank you for calling, how can I help you today? I would like to pay my bill with a credit"
        " card. Please send me a copy of the contract by email. The meeting has been moved to next"
        " Monday. We will send a new card to your home address.",
        ulaw=True,
    ),
)


@dataclass(frozen=True)
class Row:
    clip: Clip
    audio_s: float
    transcribe_s: float
    errors: int
    reference_words: int
    heard: str


def speak(tts: EspeakEngine, clip: Clip) -> Int16s:
    """The clip's 8 kHz samples: espeak, then the line (µ-law) and the noise it asks for."""
    samples: Int16s = np.asarray(tts.synthesize(clip.text), dtype=np.int16)
    if clip.snr_db is not None:
        speech = samples.astype(np.float64)
        noise_rms = np.sqrt(np.mean(speech**2)) / 10 ** (clip.snr_db / 20)
        noise = np.random.default_rng(clip.seed).normal(0.0, noise_rms, len(speech))
        samples = np.clip(np.rint(speech + noise), -32768, 32767).astype(np.int16)
    if clip.ulaw:
        samples = np.asarray(ulaw_decode(ulaw_encode(samples)), dtype=np.int16)
    return samples


def wav_bytes(samples: Int16s) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(RATE_HZ)
        writer.writeframes(samples.astype("<i2").tobytes())
    return buffer.getvalue()


def transcribe(engine: WhisperEngine, wav: bytes) -> tuple[str, float]:
    """The text heard and the seconds it took, from WAV bytes (decoding included)."""
    started = time.perf_counter()
    [channel] = decode_wav(wav).channels
    segments = engine.transcribe(channel, LANGUAGE, lambda _done: None)
    return " ".join(segment.text for segment in segments), time.perf_counter() - started


def run(engine: WhisperEngine, repeat: int) -> list[Row]:
    tts = EspeakEngine()
    rows = []
    for clip in CLIPS:
        samples = speak(tts, clip)
        wav = wav_bytes(samples)
        heard, best_s = "", float("inf")
        for _ in range(repeat):
            heard, took_s = transcribe(engine, wav)
            best_s = min(best_s, took_s)
        reference = words(clip.text)
        errors = edit_distance(reference, words(heard))
        rows.append(Row(clip, len(samples) / RATE_HZ, best_s, errors, len(reference), heard))
    return rows


def line(cells: list[str]) -> str:
    widths = (16, 6, 6, 8, 12, 6, 6)
    return "  ".join(
        cell.ljust(width) if index == 0 else cell.rjust(width)
        for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
    )


def print_table(rows: list[Row], show_text: bool) -> None:
    print(line(["clip", "line", "SNR dB", "audio s", "transcribe s", "RTF", "WER"]))
    for row in rows:
        snr = "-" if row.clip.snr_db is None else f"{row.clip.snr_db:g}"
        cells = [
            row.clip.name,
            "µ-law" if row.clip.ulaw else "pcm",
            snr,
            f"{row.audio_s:.2f}",
            f"{row.transcribe_s:.2f}",
            f"{row.transcribe_s / row.audio_s:.2f}",
            f"{row.errors / row.reference_words:.2f}",
        ]
        print(line(cells))
        if show_text:
            print(f"    said:  {row.clip.text}\n    heard: {row.heard}")
    audio_s = sum(row.audio_s for row in rows)
    took_s = sum(row.transcribe_s for row in rows)
    errors = sum(row.errors for row in rows)
    reference_words = sum(row.reference_words for row in rows)
    total = ["total", "", "", f"{audio_s:.2f}", f"{took_s:.2f}", f"{took_s / audio_s:.2f}"]
    print(line([*total, f"{errors / reference_words:.2f}"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--model", help="a Whisper model name or CTranslate2 folder (default: the test model)"
    )
    parser.add_argument(
        "--threads", type=int, default=2, help="CTranslate2 CPU threads (PHONOGRAPH_STT_THREADS)"
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="transcribe each clip this many times, keep the best"
    )
    parser.add_argument("--show-text", action="store_true", help="print what was said and what was heard")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    model = args.model or str(model_dir())
    engine = WhisperEngine(model, args.threads)
    started = time.perf_counter()
    engine.load()
    load_s = time.perf_counter() - started
    # A warm-up run: the first transcription pays for allocations that later ones do not.
    engine.transcribe(
        decode_wav(wav_bytes(speak(EspeakEngine(), CLIPS[0]))).channels[0], LANGUAGE, lambda _d: None
    )
    print(f"model {model}  threads {args.threads}  load {load_s:.2f} s  cpus {os.cpu_count()}")
    print_table(run(engine, max(1, args.repeat)), args.show_text)


if __name__ == "__main__":
    main()
