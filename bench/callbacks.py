"""Callback latency: from a recording's completion to its status callback reaching the app.

The bench makes ``--recordings`` calls to a virtual phone that plays a tone, each recorded with
``Record=true`` and a ``RecordingStatusCallback`` to a local app, then ends them all at once (one
REST ``Status=completed`` each, from a pool of threads). Every recording stops, is finalized and
turns ``completed``; its callback is written to the outbox in that same transaction. The app notes
each callback's arrival; the completion instant is the recording row's ``date_updated`` (stamped as
its completing transaction begins), read from the server's SQLite file afterwards (microseconds,
the same machine's clock). The table shows p50/p99/max of arrival minus completion, and of arrival
minus the moment the call's hang-up request was answered (what finalizing the recordings adds:
reading journals, composing and writing WAVs, 100 transactions queued behind one writer).

It runs twice: with media in a folder (the embedded default) and on S3 (a SeaweedFS started here,
``weed mini`` from the test extra). A recording turns ``completed`` only once its WAV is stored, so
the S3 upload is in hang-up→app, not in completion→app.

The floor, in the same program: the same app receiving as many POSTs sent at once by one
``httpx.AsyncClient`` (send to arrival), what delivery costs on this machine without phonograph.
Target (issue 12): p99 under 100 ms.

    .venv/bin/python bench/callbacks.py [--recordings 100]
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import httpx
from calls import PHONE, add_tone_phone, free_port, play_twiml, serve_tones, start_server

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.support
from tests.support.seaweedfs import SeaweedServer

WAIT_S = 300.0


class Arrivals:
    """When each callback reached the app, by ``RecordingSid`` (or the floor's ``n``)."""

    def __init__(self) -> None:
        self.at_s: dict[str, float] = {}
        self.lock = threading.Lock()

    def note(self, key: str) -> None:
        arrived = time.time()
        with self.lock:
            self.at_s.setdefault(key, arrived)


@contextmanager
def app(arrivals: Arrivals) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as a real app's server does

        def do_POST(self) -> None:
            form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
            if form.get("RecordingStatus") == ["completed"]:
                arrivals.note(form["RecordingSid"][0])
            elif "n" in form:
                arrivals.note(form["n"][0])
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            pass

    class Server(ThreadingHTTPServer):
        request_queue_size = 1024  # the default 5 refuses a burst's connections

    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/callback"
    finally:
        server.shutdown()


def percentiles(values_ms: list[float]) -> tuple[float, float, float]:
    ordered = sorted(values_ms)
    return ordered[len(ordered) // 2], ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], ordered[-1]


def completions(db_path: Path) -> dict[str, float]:
    """Each completed recording's ``date_updated`` as a Unix time."""
    with closing(sqlite3.connect(db_path)) as db:
        rows = db.execute("SELECT sid, date_updated FROM recordings WHERE status = 'completed'").fetchall()
    return {sid: datetime.fromisoformat(stamp).replace(tzinfo=UTC).timestamp() for sid, stamp in rows}


def call_sids(db_path: Path) -> dict[str, str]:
    """Each recording's call."""
    with closing(sqlite3.connect(db_path)) as db:
        return dict(db.execute("SELECT sid, call_sid FROM recordings").fetchall())


def wait_until(done: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not done():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.1)


def phonograph_latencies_ms(count: int, settings: dict[str, str]) -> tuple[list[float], list[float]]:
    """From each recording's completion, and from its call's hang-up being answered, to arrival."""
    arrivals = Arrivals()
    tones, tones_url = serve_tones()
    with tempfile.TemporaryDirectory() as data, app(arrivals) as callback_url:
        server, client, account_sid = start_server(Path(data), free_port(), settings)
        try:
            add_tone_phone(client, tones_url)
            calls = f"/2010-04-01/Accounts/{account_sid}/Calls"
            form = {
                "To": PHONE,
                "From": "+15550001000",
                "Twiml": play_twiml(f"{tones_url}/440.wav"),
                "Record": "true",
                "Trim": "do-not-trim",
                "RecordingStatusCallback": callback_url,
            }
            with ThreadPoolExecutor(16) as pool:
                sids = list(
                    pool.map(lambda _: client.post(f"{calls}.json", data=form).json()["sid"], range(count))
                )
            recordings = f"/2010-04-01/Accounts/{account_sid}/Recordings.json"

            def all_recording() -> bool:
                page = client.get(recordings, params={"PageSize": 1000}).json()["recordings"]
                return sum(item["status"] == "in-progress" for item in page) == count

            wait_until(all_recording, "every call to be recorded")
            time.sleep(2.0)  # two seconds of audio each

            def hang_up(sid: str) -> float:
                client.post(f"{calls}/{sid}.json", data={"Status": "completed"}).raise_for_status()
                return time.time()

            with ThreadPoolExecutor(count) as pool:
                hung_up = dict(zip(sids, pool.map(hang_up, sids), strict=True))
            wait_until(lambda: len(arrivals.at_s) == count, f"{count} completed callbacks")
            completed = completions(Path(data) / "phonograph.db")
            recording_calls = call_sids(Path(data) / "phonograph.db")
            return (
                [1000 * (arrivals.at_s[sid] - completed[sid]) for sid in arrivals.at_s],
                [1000 * (arrivals.at_s[sid] - hung_up[recording_calls[sid]]) for sid in arrivals.at_s],
            )
        finally:
            server.terminate()
            server.wait(timeout=60)
            tones.shutdown()


def floor_latencies_ms(count: int) -> list[float]:
    arrivals = Arrivals()
    with app(arrivals) as callback_url:

        async def send_all() -> dict[str, float]:
            async with httpx.AsyncClient(limits=httpx.Limits(max_connections=count)) as http:
                sent = {str(n): time.time() for n in range(count)}
                await asyncio.gather(*(http.post(callback_url, data={"n": n}) for n in sent))
            return sent

        sent = asyncio.run(send_all())
        return [1000 * (arrivals.at_s[n] - sent[n]) for n in sent]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recordings", type=int, default=100)
    args = parser.parse_args()
    rows: list[tuple[str, tuple[float, float, float]]] = []
    seaweed = SeaweedServer().start()
    try:
        for store, settings in (
            ("folder", {}),
            ("s3", {"PHONOGRAPH_STORAGE_URL": seaweed.url("bench"), **seaweed.env()}),
        ):
            from_completion, from_hang_up = phonograph_latencies_ms(args.recordings, settings)
            rows.append((f"{store}: completion→app", percentiles(from_completion)))
            rows.append((f"{store}: hang-up→app", percentiles(from_hang_up)))
    finally:
        seaweed.remove()
    floor = percentiles(floor_latencies_ms(args.recordings))
    rows.append(("floor httpx send→app", floor))
    print(f"{'':<30} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'p99 ratio':>10}")
    for name, row in rows:
        print(f"{name:<30} {row[0]:>8.1f} {row[1]:>8.1f} {row[2]:>8.1f} {row[1] / floor[1]:>10.1f}")


if __name__ == "__main__":
    main()
