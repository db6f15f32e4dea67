"""How fast phonograph turns one hour of a call's two tracks into a dual-channel recording.

The input is a one-hour call leg at 8 kHz: the inbound track a 1 kHz tone and the outbound track a
400 Hz tone, taking turns in 3 s bursts with gaps between, and both silent for the first 2.5 s and
the last 4 s so that trimming has work. The bench times, best of ``--repeat`` runs:

- compose: the two tracks ► dual channels, trim-silence (arrays in memory);
- encode WAV / encode MP3: the composed samples ► file bytes (in memory);
- WAV file / MP3 file: end to end, from the two mono WAV files on disk to the recording file on
  disk (read, compose, trim, encode, write), the same work as the sox command beside it.

Where ``sox`` is on PATH each row also runs its sox equivalent on the same input files and prints
sox's time and ours/sox (below 1: phonograph is faster). sox trims with ``silence 1 0.02 0.6%`` at
both ends (0.6 % of full scale is our SILENCE_PEAK); MP3 is ``-C 64.7`` (64 kbps, LAME quality 7,
as ours). sox has no in-memory step, so the compose row runs sox to the null output.

    .venv/bin/python bench/compose.py [--minutes 60] [--repeat 3] [--no-sox]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
import wave
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt

from phonograph.recording.compose import Layout, compose
from phonograph.recording.encode import encode_mp3, encode_wav
from phonograph.recording.enums import Channels, Track, Trim

RATE_HZ = 8000
WAV_HEADER_BYTES = 44
DUAL = Layout(Track.BOTH, Channels.DUAL)
SOX_TRIM = ["silence", "1", "0.02", "0.6%", "reverse", "silence", "1", "0.02", "0.6%", "reverse"]
Int16s = npt.NDArray[np.int16]


def turns(frequency_hz: float, count: int, phase_s: float) -> Int16s:
    """A tone that sounds for 3 s of every 5 s, starting ``phase_s`` into the cycle."""
    t = np.arange(count, dtype=np.float64) / RATE_HZ
    values = 8000 * np.sin(2 * np.pi * frequency_hz * t)
    values[((t + phase_s) % 5.0) >= 3.0] = 0
    samples: Int16s = np.rint(values).astype(np.int16)
    return samples


def call_leg(minutes: float) -> tuple[Int16s, Int16s]:
    count = round(minutes * 60 * RATE_HZ)
    inbound, outbound = turns(1000.0, count, 0.0), turns(400.0, count, 2.5)
    for track in (inbound, outbound):
        track[: round(2.5 * RATE_HZ)] = 0
        track[-4 * RATE_HZ :] = 0
    return inbound, outbound


def best_s(work: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def read_track(path: Path) -> Int16s:
    return np.fromfile(path, dtype="<i2", offset=WAV_HEADER_BYTES).astype(np.int16, copy=False)


def end_to_end(folder: Path, encode: Callable[[Int16s], bytes], suffix: str) -> None:
    inbound, outbound = read_track(folder / "inbound.wav"), read_track(folder / "outbound.wav")
    composition = compose(inbound, outbound, DUAL, Trim.TRIM_SILENCE)
    (folder / f"ours.{suffix}").write_bytes(encode(composition.samples))


def sox(*arguments: str) -> Callable[[], object]:
    return lambda: subprocess.run(["sox", "-V1", *arguments], check=True)


def sox_has_mp3() -> bool:
    formats = subprocess.run(["sox", "-h"], capture_output=True, text=True).stdout
    return any(line.startswith("AUDIO FILE FORMATS") and " mp3" in line for line in formats.splitlines())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-sox", action="store_true", help="skip sox even when it is on PATH")
    args = parser.parse_args()
    audio_s = args.minutes * 60
    inbound, outbound = call_leg(args.minutes)
    composition = compose(inbound, outbound, DUAL, Trim.TRIM_SILENCE)
    samples = composition.samples
    have_sox = not args.no_sox and shutil.which("sox") is not None
    have_sox_mp3 = have_sox and sox_has_mp3()
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        ins, outs = str(folder / "inbound.wav"), str(folder / "outbound.wav")
        (folder / "inbound.wav").write_bytes(encode_wav(inbound[:, None]))
        (folder / "outbound.wav").write_bytes(encode_wav(outbound[:, None]))
        rows: list[tuple[str, Callable[[], object], Callable[[], object] | None]] = [
            (
                "compose (dual, trim-silence)",
                lambda: compose(inbound, outbound, DUAL, Trim.TRIM_SILENCE),
                sox("-M", ins, outs, "-n", *SOX_TRIM) if have_sox else None,
            ),
            (
                "encode WAV",
                lambda: encode_wav(samples),
                sox("-M", ins, outs, str(folder / "sox.wav")) if have_sox else None,
            ),
            (
                "encode MP3",
                lambda: encode_mp3(samples),
                sox("-M", ins, outs, "-C", "64.7", str(folder / "sox.mp3")) if have_sox_mp3 else None,
            ),
            (
                "WAV file, end to end",
                lambda: end_to_end(folder, encode_wav, "wav"),
                sox("-M", ins, outs, str(folder / "sox-trim.wav"), *SOX_TRIM) if have_sox else None,
            ),
            (
                "MP3 file, end to end",
                lambda: end_to_end(folder, encode_mp3, "mp3"),
                sox("-M", ins, outs, "-C", "64.7", str(folder / "sox-trim.mp3"), *SOX_TRIM)
                if have_sox_mp3
                else None,
            ),
        ]
        print(
            f"input: {args.minutes:g} min dual at {RATE_HZ} Hz, {len(inbound):,} samples a track; "
            f"trimmed to {len(samples) / RATE_HZ:.2f} s; best of {args.repeat}"
        )
        print(
            f"{'step':<30} {'ours s':>8} {'× real time':>12} {'sox s':>8} {'× real time':>12} {'ours/sox':>9}"
        )
        for name, ours, theirs in rows:
            ours_s = best_s(ours, args.repeat)
            line = f"{name:<30} {ours_s:>8.3f} {audio_s / ours_s:>12,.0f}"
            if theirs is not None:
                sox_s = best_s(theirs, args.repeat)
                line += f" {sox_s:>8.3f} {audio_s / sox_s:>12,.0f} {ours_s / sox_s:>9.3f}"
            else:
                line += f" {'-':>8} {'-':>12} {'-':>9}"
            print(line, flush=True)
        if not have_sox:
            print("sox is not on PATH (or --no-sox): no ratio against it.")
            return
        if not have_sox_mp3:
            print("this sox cannot write MP3 (install libsox-fmt-mp3): no MP3 ratio.")
        with wave.open(str(folder / "sox-trim.wav"), "rb") as trimmed:
            print(f"sox trimmed the same input to {trimmed.getnframes() / RATE_HZ:.2f} s.")


if __name__ == "__main__":
    main()
