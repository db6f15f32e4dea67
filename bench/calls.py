"""How many concurrent calls one phonograph process carries at speed 1 with no late media ticks.

Each call: the API creates it with TwiML that plays a tone forever (the outbound track); it
rings a virtual phone that plays another tone forever (the inbound track). The bench ramps the
number of live calls step by step, holds each step, and prints per step: live calls, media legs,
server CPU (% of one core) and CPU per call, tick lateness p50/p99/max (real ms) and late ticks
(wake-ups a whole 20 ms frame behind). No peer tool runs on this machine, so there is no ratio.
With ``--record`` every call is also recorded (``Record=true``, dual): each frame of both tracks
goes through the recorder's delay line into its journal, flushed and fsynced every second.

    .venv/bin/python bench/calls.py [--steps 250,500,1000,1500] [--hold-s 10] [--record]
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
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

PHONE = "+15550007777"
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

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = tones.get(self.path, b"")
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "audio/wav")
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


def start_server(data_dir: Path, port: int) -> tuple[subprocess.Popen[bytes], httpx.Client, str]:
    env = {**os.environ, "PHONOGRAPH_SPEED": "1", "PHONOGRAPH_DATA_DIR": str(data_dir)}
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
        stderr=subprocess.DEVNULL,
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


def create_calls(client: httpx.Client, account_sid: str, count: int, tone_url: str, record: bool) -> None:
    twiml = f'<Response><Play loop="0">{tone_url}</Play></Response>'
    data = {"To": PHONE, "From": "+15550001000", "Twiml": twiml}
    if record:
        data |= {"Record": "true", "RecordingChannels": "dual"}

    def create(_: int) -> None:
        response = client.post(f"/2010-04-01/Accounts/{account_sid}/Calls.json", data=data)
        response.raise_for_status()

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(create, range(count)))


def wait_live(client: httpx.Client, calls: int, timeout_s: float = 600) -> None:
    deadline = time.monotonic() + timeout_s
    while client.get("/phonograph/v1/Media").json()["legs"] < 2 * calls:
        if time.monotonic() > deadline:
            raise SystemExit(f"calls did not all connect within {timeout_s} s")
        time.sleep(0.5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", default="250,500,1000,1500")
    parser.add_argument("--hold-s", type=float, default=10.0)
    parser.add_argument("--record", action="store_true", help="record every call (Record=true, dual)")
    args = parser.parse_args()
    steps = [int(step) for step in args.steps.split(",")]
    tones, tones_url = serve_tones()
    with tempfile.TemporaryDirectory() as data:
        process, client, account_sid = start_server(Path(data), free_port())
        try:
            client.post(
                "/phonograph/v1/Phones",
                json={
                    "phone_number": PHONE,
                    "answer_after_s": 0,
                    "twiml": f'<Response><Play loop="0">{tones_url}/620.wav</Play></Response>',
                },
            ).raise_for_status()
            print(
                f"{'calls':>6} {'legs':>6} {'cpu %':>7} {'cpu/call %':>10} "
                f"{'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'late':>5}"
            )
            live = 0
            for target in steps:
                create_calls(client, account_sid, target - live, f"{tones_url}/440.wav", args.record)
                live = target
                wait_live(client, live)
                client.get("/phonograph/v1/Media", params={"Reset": "true"})
                cpu_before, wall_before = cpu_s(process.pid), time.monotonic()
                time.sleep(args.hold_s)
                cpu_share = (cpu_s(process.pid) - cpu_before) / (time.monotonic() - wall_before)
                stats = client.get("/phonograph/v1/Media", params={"Reset": "true"}).json()
                print(
                    f"{live:>6} {stats['legs']:>6} {100 * cpu_share:>7.1f} {100 * cpu_share / live:>10.3f} "
                    f"{stats['lateness_p50_ms']:>7.2f} {stats['lateness_p99_ms']:>7.2f} "
                    f"{stats['lateness_max_ms']:>7.2f} {stats['late_ticks']:>5}",
                    flush=True,
                )
        finally:
            process.terminate()
            process.wait(timeout=60)
            tones.shutdown()


if __name__ == "__main__":
    main()
