"""Fair speech: how long a call waits for its short ``<Say>`` while another call speaks 60 KB.

One phonograph process at speed 1 with track capture on. Each run places a call whose TwiML is a
short ``<Say>`` (distinct text, so nothing is cached) and measures, on the call's own captured
outbound track, how much media time passes between the answer and the first speech: once alone,
and once while another call (placed just before) speaks a 60 KB ``<Say>`` fetched from a local
app. The floor is the short call alone (it includes the time the virtual line takes to answer).
The long call's own wait for its first speech is measured too, and compared with the peer: the
same espeak-ng engine synthesizing that whole text in this process (what every call waited for,
on top of the floor, before ``<Say>`` was spoken piece by piece).

    .venv/bin/python bench/say.py [--runs 5] [--long-kb 60]
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
import wave
from pathlib import Path

import httpx
import numpy as np
from calls import free_port, serve_audio, start_server

from phonograph.media import EspeakEngine

SPEECH_PEAK = 1000  # a sample louder than this is speech (the line is silent otherwise)
ENDED = ("completed", "failed", "busy", "no-answer", "canceled")


def long_document(run: int, kilobytes: int) -> bytes:
    clause = f"Clause {{n}} of run {run}: the terms you agreed to apply to this call. "
    text = ""
    n = 0
    while len(text) < kilobytes * 1000:
        text += clause.format(n=n)
        n += 1
    return f"<Response><Say>{text}</Say></Response>".encode()


class Line:
    def __init__(self, client: httpx.Client, account_sid: str) -> None:
        self.client, self.calls = client, f"/2010-04-01/Accounts/{account_sid}/Calls"

    def place(self, **params: str) -> str:
        created = self.client.post(
            f"{self.calls}.json", data={"To": "+15550109999", "From": "+15550108888", **params}
        )
        created.raise_for_status()
        return str(created.json()["sid"])

    def status(self, sid: str) -> str:
        return str(self.client.get(f"{self.calls}/{sid}.json").json()["status"])

    def wait(self, sid: str, statuses: tuple[str, ...]) -> None:
        deadline = time.monotonic() + 300
        while self.status(sid) not in statuses:
            if time.monotonic() > deadline:
                raise TimeoutError(sid)
            time.sleep(0.05)

    def hang_up(self, sid: str) -> None:
        self.client.post(f"{self.calls}/{sid}.json", data={"Status": "completed"}).raise_for_status()

    def first_speech_s(self, sid: str) -> float:
        """Media seconds from the answer to the first speech on the call's outbound track."""
        deadline = time.monotonic() + 300
        while True:
            response = self.client.get(f"/phonograph/v1/Calls/{sid}/Tracks.wav")
            response.raise_for_status()
            with wave.open(io.BytesIO(response.content)) as reader:
                rate_hz = reader.getframerate()
                samples = np.frombuffer(reader.readframes(reader.getnframes()), "<i2").reshape(-1, 2)
            loud = np.flatnonzero(np.abs(samples[:, 1].astype(np.int32)) > SPEECH_PEAK)
            if len(loud):
                return float(loud[0] / rate_hz)
            if time.monotonic() > deadline:
                raise TimeoutError(sid)
            time.sleep(0.05)


def short_say(line: Line, run: int, kind: str) -> float:
    sid = line.place(Twiml=f"<Response><Say>Run {run} {kind}: press one for sales.</Say></Response>")
    try:
        return line.first_speech_s(sid)
    finally:
        line.wait(sid, ENDED)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--long-kb", type=int, default=60)
    args = parser.parse_args()
    documents = {f"/long-{run}.xml": long_document(run, args.long_kb) for run in range(args.runs)}
    app, app_url = serve_audio(lambda path: documents.get(path.split("?")[0], b""), "text/xml")
    alone: list[float] = []
    contended: list[float] = []
    long_first: list[float] = []
    with tempfile.TemporaryDirectory() as data:
        process, client, account_sid = start_server(Path(data), free_port(), {"PHONOGRAPH_CAPTURE_S": "60"})
        line = Line(client, account_sid)
        try:
            short_say(line, -1, "warm-up")
            for run in range(args.runs):
                alone.append(short_say(line, run, "alone"))
                long_sid = line.place(Url=f"{app_url}/long-{run}.xml", Method="GET")
                line.wait(long_sid, ("in-progress",))
                contended.append(short_say(line, run, "beside"))
                long_first.append(line.first_speech_s(long_sid))
                line.hang_up(long_sid)
                line.wait(long_sid, ENDED)
        finally:
            process.terminate()
            process.wait(timeout=60)
            app.shutdown()
    text = documents["/long-0.xml"].decode().removeprefix("<Response><Say>").removesuffix("</Say></Response>")
    began = time.perf_counter()
    EspeakEngine().synthesize(text)
    whole_s = time.perf_counter() - began
    print(f"{args.runs} runs; the long <Say> is {len(text):,} characters; media seconds, speed 1")
    floor = statistics.median(alone)
    print("| wait for first speech | p50 s | max s | added to the floor's p50 s | ratio vs floor |")
    print("|---|---|---|---|---|")
    rows = [
        ("short <Say>, alone (floor)", alone),
        ("short <Say>, beside the long one", contended),
        ("the long <Say> itself", long_first),
    ]
    for name, values in rows:
        p50 = statistics.median(values)
        print(f"| {name} | {p50:.3f} | {max(values):.3f} | {p50 - floor:.3f} | {p50 / floor:.2f}x |")
    print(f"| peer: espeak-ng synthesizing the whole long text | | | {whole_s:.3f} | |")


if __name__ == "__main__":
    main()
