"""Memory under distinct prompts: RSS of one phonograph process after many distinct ``<Say>``
texts and ``<Play>`` URLs, against the byte bounds of its two caches (docs/security.md).

Calls run at high media speed; each plays a batch of distinct sentences and distinct WAV files
(one tone per URL, cacheable for an hour, so every one is kept as long as the bound allows). The
table shows the server's RSS before (after a warm-up call loaded espeak-ng and the decoders),
after, and its peak, with the growth against the caches' configured bounds plus a fixed margin.
There is no peer tool to compare with: the reference is the bound itself.

    .venv/bin/python bench/memory.py [--says 1000] [--plays 1000] [--say-cache-mb 16] [--play-cache-mb 32]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import ThreadingHTTPServer
from pathlib import Path

import httpx
from calls import free_port, serve_audio, start_server, tone_wav

MARGIN_MB = 64
"""Room for everything that is not a cache: live calls' buffers, the allocator's slack."""
PER_CALL = 20  # a Twiml parameter holds at most 4,000 characters
CONCURRENT_CALLS = 4
WORDS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "kilo")


def serve_clips(count: int, duration_s: float) -> tuple[ThreadingHTTPServer, str]:
    """``/clip/N.wav``: N's own tone, made on request (the app holds nothing)."""

    def clip(path: str) -> bytes:
        index = int(path.removeprefix("/clip/").removesuffix(".wav"))
        return tone_wav(200 + index % count, duration_s)

    return serve_audio(clip)


def sentence(index: int) -> str:
    """A distinct sentence of about five seconds."""
    words = [WORDS[(index * 7 + n * 3) % len(WORDS)] for n in range(12)]
    return f"Prompt number {index}: " + " ".join(words) + "."


def rss_mb(pid: int) -> tuple[float, float]:
    """The process's resident set now and at its peak, in MB."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line
    )
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def run_call(client: httpx.Client, account_sid: str, twiml: str) -> None:
    created = client.post(
        f"/2010-04-01/Accounts/{account_sid}/Calls.json",
        data={"To": "+15550109999", "From": "+15550108888", "Twiml": twiml},
    )
    created.raise_for_status()
    path = f"/2010-04-01/Accounts/{account_sid}/Calls/{created.json()['sid']}.json"
    deadline = time.monotonic() + 600
    while client.get(path).json()["status"] not in ("completed", "failed", "busy", "no-answer", "canceled"):
        if time.monotonic() > deadline:
            raise TimeoutError(path)
        time.sleep(0.2)


def batches(kind: str, count: int, clips_url: str) -> list[str]:
    verbs = [
        f"<Say>{sentence(n)}</Say>" if kind == "say" else f"<Play>{clips_url}/clip/{n}.wav</Play>"
        for n in range(count)
    ]
    return [
        "<Response>" + "".join(verbs[start : start + PER_CALL]) + "</Response>"
        for start in range(0, count, PER_CALL)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--says", type=int, default=1000)
    parser.add_argument("--plays", type=int, default=1000)
    parser.add_argument("--say-cache-mb", type=int, default=16)
    parser.add_argument("--play-cache-mb", type=int, default=32)
    parser.add_argument("--clip-s", type=float, default=5.0)
    parser.add_argument("--speed", type=float, default=200.0)
    args = parser.parse_args()
    clips, clips_url = serve_clips(args.plays, args.clip_s)
    settings = {
        "PHONOGRAPH_SPEED": str(args.speed),
        "PHONOGRAPH_SAY_CACHE_MB": str(args.say_cache_mb),
        "PHONOGRAPH_PLAY_CACHE_MB": str(args.play_cache_mb),
    }
    with tempfile.TemporaryDirectory() as data:
        process, client, account_sid = start_server(Path(data), free_port(), settings)
        try:
            run_call(
                client,
                account_sid,
                f"<Response><Say>Warm up.</Say><Play>{clips_url}/clip/0.wav</Play></Response>",
            )
            before_mb, _ = rss_mb(process.pid)
            rows = []
            for kind, count in (("say", args.says), ("play", args.plays)):
                started = time.monotonic()
                with ThreadPoolExecutor(CONCURRENT_CALLS) as pool:
                    list(
                        pool.map(
                            lambda twiml: run_call(client, account_sid, twiml),
                            batches(kind, count, clips_url),
                        )
                    )
                after_mb, peak_mb = rss_mb(process.pid)
                rows.append((kind, count, time.monotonic() - started, after_mb, peak_mb))
        finally:
            process.terminate()
            process.wait(timeout=60)
            clips.shutdown()
    bound_mb = args.say_cache_mb + args.play_cache_mb
    print(f"caches: <Say> {args.say_cache_mb} MB + <Play> {args.play_cache_mb} MB; margin {MARGIN_MB} MB")
    print(f"RSS before: {before_mb:.0f} MB (after a warm-up call)")
    print("| after | distinct | s | RSS MB | peak MB | growth MB | bounds + margin MB | within |")
    print("|---|---|---|---|---|---|---|---|")
    for kind, count, seconds, after_mb, peak_mb in rows:
        growth = peak_mb - before_mb
        limit = bound_mb + MARGIN_MB
        print(
            f"| {kind} | {count} | {seconds:.0f} | {after_mb:.0f} | {peak_mb:.0f} | {growth:.0f} | {limit} |"
            f" {'yes' if growth <= limit else 'NO'} |"
        )


if __name__ == "__main__":
    main()
