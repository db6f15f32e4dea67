"""The console under a long history: its pages over 10,000 calls, and waveform peaks of an hour.

1. **Lists.** ``--calls`` call rows (default 10,000) are copied into the server's SQLite file from
   one real call, a second apart. The bench logs in through the console's form and times the
   calls list's first page and a page deep in the list (followed by keyset tokens, as the page's
   "Next page" link does), each ``--repeat`` times; the peer, in the same program, is the API's
   JSON list of the same page (what the SDK reads) on the same server. The console calls the same
   handler and renders HTML: the ratio is what the page costs on top.
2. **Peaks.** A real recording's stored WAV is replaced by ``--hours`` of two-channel noise; the
   bench times ``/console/recordings/{Sid}/peaks.json`` (the whole file read in 1 MiB chunks and
   reduced to 4,000 points a channel). The peer is sox reading the same file and computing its
   statistics (``sox FILE -n stat``, Debian's sox), the least any tool does to see every sample.

    .venv/bin/python bench/console.py [--calls 10000] [--hours 1] [--repeat 20]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from collections.abc import Callable
from contextlib import closing
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

import httpx
import numpy as np
from calls import PHONE, free_port, start_server

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
NEXT = re.compile(r'href="(/console/calls\?[^"]+)" rel="next"')


def _timed(run: Callable[[], object], repeat: int) -> tuple[float, float]:
    """p50 and max of ``run``'s wall time, in ms; an HTTP answer must be a success."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        answer = run()
        if isinstance(answer, httpx.Response):
            answer.raise_for_status()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), max(samples)


def _one_call(client: httpx.Client, account_sid: str, record: bool) -> str:
    client.post(
        "/phonograph/v1/Phones",
        json={
            "phone_number": PHONE,
            "answer_after_s": 0,
            "twiml": "<Response><Say>Hello there.</Say></Response>",
        },
    ).raise_for_status()
    data = {"To": PHONE, "From": "+15550001000", "Twiml": "<Response><Say>One two three.</Say></Response>"}
    if record:
        data |= {"Record": "true", "RecordingChannels": "dual", "Trim": "do-not-trim"}
    sid: str = client.post(f"/2010-04-01/Accounts/{account_sid}/Calls.json", data=data).json()["sid"]
    while client.get(f"/2010-04-01/Accounts/{account_sid}/Calls/{sid}.json").json()["status"] != "completed":
        time.sleep(0.2)
    return sid


def _copy_calls(database: Path, template_sid: str, count: int) -> None:
    """``count`` copies of the template call with new SIDs, one second apart going back (SQLite
    keeps a datetime as ``YYYY-MM-DD HH:MM:SS.ffffff``, which the list's keyset compares)."""
    with closing(sqlite3.connect(database)) as connection:
        columns = [row[1] for row in connection.execute("PRAGMA table_info(calls)")]
        template = connection.execute("SELECT * FROM calls WHERE sid = ?", (template_sid,)).fetchone()
        row = dict(zip(columns, template, strict=True))
        created = datetime.fromisoformat(row["date_created"])
        copies = []
        for n in range(count):
            stamp = (created - timedelta(seconds=n + 1)).strftime("%Y-%m-%d %H:%M:%S.%f")
            copies.append([{**row, "sid": f"CA{n:032x}", "date_created": stamp}[name] for name in columns])
        marks = ", ".join("?" for _ in columns)
        names = ", ".join(f'"{name}"' for name in columns)
        connection.executemany(f"INSERT INTO calls ({names}) VALUES ({marks})", copies)
        connection.commit()


def _noise_wav(path: Path, hours: float) -> None:
    rate, seconds = 8000, int(hours * 3600)
    rng = np.random.default_rng(1)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(rate)
        for _ in range(seconds // 60):
            out.writeframes(rng.integers(-8000, 8000, size=(rate * 60, 2), dtype=np.int16).tobytes())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--hours", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    sox = shutil.which("sox")
    if sox is None:
        sys.exit("bench/console.py needs sox (Debian: apt-get install sox) for the peaks' peer")
    data_dir = Path(tempfile.mkdtemp(prefix="phonograph-console-bench-"))
    process, client, account_sid = start_server(data_dir, free_port())
    peak_runs = max(3, args.repeat // 5)
    try:
        template = _one_call(client, account_sid, record=True)
        _copy_calls(data_dir / "phonograph.db", template, args.calls)
        stored = json.loads((data_dir / "credentials.json").read_text())
        console = httpx.Client(base_url=str(client.base_url), timeout=60)
        form = console.get("/console/login")
        csrf = CSRF.search(form.text)
        assert csrf is not None
        answer = console.post(
            "/console/login",
            data={
                "csrf": csrf.group(1),
                "account_sid": stored["account_sid"],
                "auth_token": stored["auth_token"],
            },
            headers={"Cookie": f"phonograph_login={form.cookies['phonograph_login']}"},
        )
        cookie = {"Cookie": f"phonograph_console={answer.cookies['phonograph_console']}"}

        api_path = f"/2010-04-01/Accounts/{account_sid}/Calls.json"
        deep_api = api_path + "?PageSize=50"
        deep_console = "/console/calls?PageSize=50"
        for _ in range(args.calls // 50 // 2):  # halfway down the list, by the pages' own links
            deep_api = client.get(deep_api).json()["next_page_uri"]
            found = NEXT.search(console.get(deep_console, headers=cookie).text)
            assert found is not None
            deep_console = found.group(1).replace("&amp;", "&")
        assert console.get(deep_console, headers=cookie).text.count('data-sid="') == 50

        rows = []
        for label, page_console, page_api in (
            ("calls, first page (50)", "/console/calls?PageSize=50", f"{api_path}?PageSize=50"),
            (f"calls, page {args.calls // 100} by keyset", deep_console, deep_api),
        ):
            console_ms = _timed(partial(console.get, page_console, headers=cookie), args.repeat)
            api_ms = _timed(partial(client.get, page_api), args.repeat)
            rows.append((label, console_ms, "API JSON list", api_ms))

        listed = client.get(f"/2010-04-01/Accounts/{account_sid}/Calls/{template}/Recordings.json").json()
        recording = listed["recordings"][0]["sid"]
        [wav] = list((data_dir / "media").rglob(f"{recording}*.wav"))
        _noise_wav(wav, args.hours)
        peaks_path = f"/console/recordings/{recording}/peaks.json"
        peaks_ms = _timed(partial(console.get, peaks_path, headers=cookie), peak_runs)
        stat = [sox, str(wav), "-n", "stat"]
        sox_ms = _timed(partial(subprocess.run, stat, capture_output=True, check=True), peak_runs)
        rows.append(
            (
                f"peaks of {args.hours:g} h dual ({wav.stat().st_size // 2**20} MiB)",
                peaks_ms,
                "sox -n stat",
                sox_ms,
            )
        )
    finally:
        process.terminate()
        process.wait(30)
        shutil.rmtree(data_dir, ignore_errors=True)

    print(f"\n{args.calls:,} calls; the median and max of {args.repeat} requests each (peaks: {peak_runs})\n")
    print("| what | console p50 ms | console max ms | peer | peer p50 ms | peer max ms | ratio (p50) |")
    print("|---|---:|---:|---|---:|---:|---:|")
    for label, (ours_p50, ours_max), peer, (peer_p50, peer_max) in rows:
        figures = f"{ours_p50:.1f} | {ours_max:.1f} | {peer} | {peer_p50:.1f} | {peer_max:.1f}"
        print(f"| {label} | {figures} | {ours_p50 / peer_p50:.2f} |")


if __name__ == "__main__":
    main()
