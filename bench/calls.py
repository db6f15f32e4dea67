"""How many concurrent calls one phonograph process carries at speed 1 with no late media ticks.

Each call: the API creates it with TwiML that plays a tone forever (the outbound track); it
rings a virtual phone that plays another tone forever (the inbound track). The bench ramps the
number of live calls step by step, holds each step, and prints per step: live calls, media legs,
server CPU (% of one core) and CPU per call, tick lateness p50/p99/max (real ms) and late ticks
(wake-ups a whole 20 ms frame behind), and how the step's creates were answered: 429s (each tried
again after its ``Retry-After``) and 5xx (must be none). The creates go out ``--workers`` at a time
(64: a burst). No peer tool runs on this machine, so there is no ratio.
With ``--record`` every call is also recorded (``Record=true``, dual): each frame of both tracks
goes into its journal, flushed and fsynced every half second.

With ``--conference`` a step's count is conferences: each has three participants, each a call
whose TwiML is ``<Dial><Conference record="record-from-start" beep="false">room-N</Conference>``
to the virtual phone's tone (so two legs per participant), and one conference recording of the
mix. A step is measured once every conference is ``in-progress`` with its recording running; the
table shows conferences and participants instead of calls, and CPU per participant.

    .venv/bin/python bench/calls.py [--steps 250,500,1000,1500] [--hold-s 10] [--record] [--conference]
        [--workers 64]
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import wave
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

PHONE = "+15550007777"
PARTICIPANTS_PER_CONFERENCE = 3
CLOCK_TICKS_PER_S = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def tone_wav(frequency_hz: float, duration_s: float = 2.0, rate_hz: int = 8000) -> bytes:
    count = int(duration_s * rate_hz)
    samples = bytearray()
    for n in range(count):
        value = int(12000 * math.sin(2 * math.pi * frequency_hz * n / rate_hz))
        samples += value.to_bytes(2, "little", signed=True)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(rate_hz)
        writer.writeframes(bytes(samples))
    return buffer.getvalue()


def serve_tones() -> tuple[ThreadingHTTPServer, str]:
    tones = {"/440.wav": tone_wav(440), "/620.wav": tone_wav(620)}
    return serve_audio(lambda path: tones.get(path, b""))


def serve_audio(
    body_for: Callable[[str], bytes], content_type: str = "audio/wav"
) -> tuple[ThreadingHTTPServer, str]:
    """Files, WAV unless told, cacheable for an hour: ``body_for(path)`` (empty: 404); the server
    and its URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = body_for(self.path)
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", content_type)
            self.send_header("Cache-Control", "max-age=3600")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS_PER_S


def start_server(
    data_dir: Path, port: int, settings: dict[str, str] | None = None
) -> tuple[subprocess.Popen[bytes], httpx.Client, str]:
    """A server on ``port`` at speed 1 (``settings``: more PHONOGRAPH_* variables), its client and
    main Account SID."""
    env = {
        **os.environ,
        "PHONOGRAPH_SPEED": "1",
        "PHONOGRAPH_DATA_DIR": str(data_dir),
        "PHONOGRAPH_SIP_PORT": "0",  # no bench here uses SIP, and 5060 may be someone else's
        **(settings or {}),
    }
    # The server's warnings and errors, kept after the run for a bench that fails.
    log = tempfile.NamedTemporaryFile(prefix="phonograph-bench-", suffix=".log", delete=False)  # noqa: SIM115
    print(f"server log: {log.name}", file=sys.stderr)
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("phonograph")),
            "serve",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz").status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    credentials = json.loads((data_dir / "credentials.json").read_text())
    client = httpx.Client(
        base_url=base, auth=(credentials["account_sid"], credentials["auth_token"]), timeout=60
    )
    return process, client, credentials["account_sid"]


def play_twiml(tone_url: str) -> str:
    return f'<Response><Play loop="0">{tone_url}</Play></Response>'


def add_tone_phone(client: httpx.Client, tones_url: str) -> None:
    """The virtual phone ``PHONE``: answers at once and plays a 620 Hz tone until hung up on."""
    client.post(
        "/phonograph/v1/Phones",
        json={"phone_number": PHONE, "answer_after_s": 0, "twiml": play_twiml(f"{tones_url}/620.wav")},
    ).raise_for_status()


def conference_twiml(room: str) -> str:
    conference = f'<Conference record="record-from-start" beep="false">{room}</Conference>'
    return f"<Response><Dial>{conference}</Dial></Response>"


def create_calls(
    client: httpx.Client, account_sid: str, twimls: list[str], record: bool, workers: int
) -> Counter[int]:
    """One call to the virtual phone per TwiML document, ``workers`` requests at a time; a 429 is
    tried again after its ``Retry-After``, as a careful client does. The statuses of every answer."""
    data = {"To": PHONE, "From": "+15550001000"}
    if record:
        data |= {"Record": "true", "RecordingChannels": "dual"}
    statuses: Counter[int] = Counter()

    def create(twiml: str) -> None:
        while True:
            response = client.post(
                f"/2010-04-01/Accounts/{account_sid}/Calls.json", data=data | {"Twiml": twiml}
            )
            statuses[response.status_code] += 1
            if response.status_code != 429:
                return
            time.sleep(float(response.headers.get("Retry-After", "1")))

    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(create, twimls))
    return statuses


def in_progress(client: httpx.Client, account_sid: str, resource: str) -> list[dict[str, object]]:
    """Every ``in-progress`` item of the account's ``resource`` list (``Conferences``,
    ``Recordings``), page after page."""
    uri: str | None = f"/2010-04-01/Accounts/{account_sid}/{resource}.json?PageSize=1000"
    items: list[dict[str, object]] = []
    while uri is not None:
        page = client.get(uri).json()
        items += [item for item in page[resource.lower()] if item["status"] == "in-progress"]
        uri = page["next_page_uri"]
    return items


def waiting_for(client: httpx.Client, account_sid: str, calls: int, conferences: int) -> str | None:
    """What the step still waits for: every call connected and, with ``conferences``, every
    conference started with its conference recording running; None once all are."""
    legs = int(client.get("/phonograph/v1/Media").json()["legs"])
    if legs < 2 * calls:
        return f"{legs} of {2 * calls} media legs"
    if not conferences:
        return None
    started = len(in_progress(client, account_sid, "Conferences"))
    recordings = in_progress(client, account_sid, "Recordings")
    recorded = len({item["conference_sid"] for item in recordings if item["conference_sid"]})
    if started == recorded == conferences:
        return None
    return f"{started} of {conferences} conferences in progress, {recorded} recorded"


def wait_live(
    client: httpx.Client, account_sid: str, calls: int, conferences: int, timeout_s: float = 600
) -> None:
    deadline = time.monotonic() + timeout_s
    while (waiting := waiting_for(client, account_sid, calls, conferences)) is not None:
        if time.monotonic() > deadline:
            raise SystemExit(f"calls did not all connect within {timeout_s} s: {waiting}")
        time.sleep(0.5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", default="250,500,1000,1500")
    parser.add_argument("--hold-s", type=float, default=10.0)
    parser.add_argument("--record", action="store_true", help="record every call (Record=true, dual)")
    parser.add_argument(
        "--conference", action="store_true", help="steps count 3-party recorded conferences, not calls"
    )
    parser.add_argument("--workers", type=int, default=64, help="creates in flight at once (the burst)")
    args = parser.parse_args()
    steps = [int(step) for step in args.steps.split(",")]
    calls_each = PARTICIPANTS_PER_CONFERENCE if args.conference else 1
    tones, tones_url = serve_tones()
    with tempfile.TemporaryDirectory() as data:
        process, client, account_sid = start_server(Path(data), free_port())
        try:
            add_tone_phone(client, tones_url)
            if args.conference:
                counts, per = f"{'confs':>6} {'parts':>6}", "cpu/part %"
            else:
                counts, per = f"{'calls':>6}", "cpu/call %"
            print(
                f"{counts} {'legs':>6} {'cpu %':>7} {per:>10} "
                f"{'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'late':>5} {'429s':>5} {'5xx':>4}"
            )
            live = 0
            for target in steps:
                if args.conference:
                    rooms = range(live, target)
                    twimls = [conference_twiml(f"room-{n}") for n in rooms for _ in range(calls_each)]
                else:
                    twimls = [play_twiml(f"{tones_url}/440.wav")] * (target - live)
                statuses = create_calls(client, account_sid, twimls, args.record, args.workers)
                live = target
                calls = live * calls_each
                wait_live(client, account_sid, calls, live if args.conference else 0)
                client.get("/phonograph/v1/Media", params={"Reset": "true"})
                cpu_before, wall_before = cpu_s(process.pid), time.monotonic()
                time.sleep(args.hold_s)
                cpu_share = (cpu_s(process.pid) - cpu_before) / (time.monotonic() - wall_before)
                stats = client.get("/phonograph/v1/Media", params={"Reset": "true"}).json()
                counted = f"{live:>6} {calls:>6}" if args.conference else f"{live:>6}"
                print(
                    f"{counted} {stats['legs']:>6} {100 * cpu_share:>7.1f} {100 * cpu_share / calls:>10.3f} "
                    f"{stats['lateness_p50_ms']:>7.2f} {stats['lateness_p99_ms']:>7.2f} "
                    f"{stats['lateness_max_ms']:>7.2f} {stats['late_ticks']:>5} {statuses[429]:>5} "
                    f"{sum(n for status, n in statuses.items() if status >= 500):>4}",
                    flush=True,
                )
        finally:
            process.terminate()
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                # A server stuck in shutdown must not outlive the bench (and its temporary data).
                process.kill()
                print("the server did not stop within 60 s of SIGTERM: killed", file=sys.stderr)
            tones.shutdown()


if __name__ == "__main__":
    main()
