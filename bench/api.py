"""Latency of phonograph's REST path under an open-loop load, against a minimal FastAPI app (the floor).

Three operations, each at fixed request rates for a few seconds:
- ``fetch``: ``GET /Calls/{Sid}.json`` of one call;
- ``list``: ``GET /Calls.json?PageSize=50`` (the account holds more than 50 calls);
- ``create``: ``POST /Calls.json`` to a virtual phone that answers and hangs up at once.

The floor is the smallest FastAPI app that answers the same paths with a fixed Call JSON, started by
this program under the same uvicorn. Open loop: request ``n`` is due at ``start + n / rate`` and its
latency counts from then, so a server that falls behind shows its queue (no coordinated omission).
The generator is one asyncio process with persistent connections (a new one whenever none is idle),
writing pre-built requests; it shares the machine's cores with the server, as a co-located load
generator does. A request with no answer within 10 s counts as an error, as does any 4xx/5xx.

    .venv/bin/python bench/api.py [--rates 50,100,200,400] [--duration-s 5] [--ops fetch,list,create]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from calls import free_port, start_server

PHONE = "+15550007777"
HANGUP = "<Response><Hangup/></Response>"
TIMEOUT_S = 10.0
MAX_CONNECTIONS = 512


@dataclass
class Target:
    """Where requests go and what they are: one pre-built HTTP/1.1 request per operation."""

    port: int
    requests: dict[str, bytes]


@dataclass
class Result:
    latencies_ms: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)

    def row(self, quantile: float) -> float:
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(quantile * len(ordered)))]


def build_request(method: str, path: str, authorization: str, body: bytes = b"") -> bytes:
    lines = [
        f"{method} {path} HTTP/1.1",
        "Host: 127.0.0.1",
        f"Authorization: {authorization}",
        f"Content-Length: {len(body)}",
    ]
    if body:
        lines.append("Content-Type: application/x-www-form-urlencoded")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def read_response(reader: asyncio.StreamReader) -> int:
    """The status of one response, its body read and dropped (Content-Length or chunked)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding") == "chunked":
        while size := int((await reader.readuntil(b"\r\n")).strip(), 16):
            await reader.readexactly(size + 2)
        await reader.readuntil(b"\r\n")
    return status


class Load:
    """Open-loop load on one target: ``run(op, rate, seconds)`` returns every request's outcome."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.opened = 0

    async def one(self, request: bytes, due: float, result: Result) -> None:
        if self.idle:
            reader, writer = self.idle.pop()
        elif self.opened >= MAX_CONNECTIONS:
            result.errors["no connection"] += 1
            return
        else:
            self.opened += 1
            reader, writer = await asyncio.open_connection("127.0.0.1", self.target.port)
        try:
            writer.write(request)
            status = await asyncio.wait_for(read_response(reader), TIMEOUT_S)
        except (TimeoutError, OSError, asyncio.IncompleteReadError) as exc:
            result.errors[type(exc).__name__] += 1
            writer.close()
            self.opened -= 1
            return
        result.latencies_ms.append(1000 * (time.perf_counter() - due))
        if status >= 400:
            result.errors[str(status)] += 1
        self.idle.append((reader, writer))

    async def run(self, op: str, rate: float, seconds: float) -> Result:
        result = Result()
        request = self.target.requests[op]
        start = time.perf_counter() + 0.05
        tasks = []
        for n in range(int(rate * seconds)):
            due = start + n / rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            tasks.append(asyncio.create_task(self.one(request, due, result)))
        await asyncio.gather(*tasks)
        return result

    def close(self) -> None:
        for _, writer in self.idle:
            writer.close()


FLOOR_APP = """
import json, os, sys
from urllib.parse import parse_qs
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

answers = json.loads(os.environ["FLOOR_ANSWERS"])
app = FastAPI()

@app.get("/{path:path}")
async def fetch(path: str, request: Request) -> JSONResponse:
    return JSONResponse(answers["list" if request.url.query else "fetch"])

@app.post("/{path:path}")
async def create(path: str, request: Request) -> JSONResponse:
    parse_qs((await request.body()).decode())
    return JSONResponse(answers["create"], status_code=201)

uvicorn.Server(uvicorn.Config(app, port=int(sys.argv[1]), log_level="warning", access_log=False)).run()
"""


def start_floor(answers: dict[str, object]) -> tuple[subprocess.Popen[bytes], int]:
    """The floor app on a free port, answering each operation with phonograph's own answer to it."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", FLOOR_APP, str(port)],
        env={**os.environ, "FLOOR_ANSWERS": json.dumps(answers)},
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/")
            return process, port
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit("the floor app did not start")


def phonograph_target(
    client: httpx.Client, account_sid: str, auth_token: str, port: int
) -> tuple[Target, dict[str, object]]:
    """A phone that answers and hangs up, 60 ended calls to list, and one to fetch; with phonograph's
    answer to each operation, for the floor to give."""
    client.post(
        "/phonograph/v1/Phones", json={"phone_number": PHONE, "answer_after_s": 0, "twiml": HANGUP}
    ).raise_for_status()
    calls = f"/2010-04-01/Accounts/{account_sid}/Calls"
    form = {"To": PHONE, "From": "+15550001000", "Twiml": HANGUP}
    sids = [client.post(f"{calls}.json", data=form).json()["sid"] for _ in range(60)]
    authorization = "Basic " + base64.b64encode(f"{account_sid}:{auth_token}".encode()).decode()
    answers = {
        "fetch": client.get(f"{calls}/{sids[0]}.json").json(),
        "list": client.get(f"{calls}.json", params={"PageSize": 50}).json(),
        "create": client.get(f"{calls}/{sids[-1]}.json").json(),
    }
    target = Target(
        port,
        {
            "fetch": build_request("GET", f"{calls}/{sids[0]}.json", authorization),
            "list": build_request("GET", f"{calls}.json?PageSize=50", authorization),
            "create": build_request(
                "POST", f"{calls}.json", authorization, str(httpx.QueryParams(form)).encode()
            ),
        },
    )
    return target, answers


async def measure(target: Target, op: str, rate: float, seconds: float) -> Result:
    load = Load(target)
    try:
        return await load.run(op, rate, seconds)
    finally:
        load.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", default="50,100,200,400")
    parser.add_argument("--duration-s", type=float, default=5.0)
    parser.add_argument("--ops", default="fetch,list,create")
    args = parser.parse_args()
    rates = [float(rate) for rate in args.rates.split(",")]
    with tempfile.TemporaryDirectory() as data:
        server, client, account_sid = start_server(Path(data), free_port())
        auth_token = json.loads((Path(data) / "credentials.json").read_text())["auth_token"]
        port = int(str(client.base_url).rsplit(":", 1)[1].rstrip("/"))
        ours, answers = phonograph_target(client, account_sid, auth_token, port)
        floor, floor_port = start_floor(answers)
        theirs = Target(floor_port, ours.requests)
        try:
            print(
                f"{'op':<7} {'req/s':>6} | {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'errors':>7} | "
                f"{'floor p50':>9} {'p99':>7} {'max':>7} {'err':>4} | {'p99 ratio':>9}"
            )
            for op in args.ops.split(","):
                for rate in rates:
                    mine = asyncio.run(measure(ours, op, rate, args.duration_s))
                    base = asyncio.run(measure(theirs, op, rate, args.duration_s))
                    errors = sum(mine.errors.values())
                    print(
                        f"{op:<7} {rate:>6.0f} | {mine.row(0.5):>8.1f} {mine.row(0.99):>8.1f} "
                        f"{mine.row(1.0):>8.1f} {errors:>7} | {base.row(0.5):>9.1f} {base.row(0.99):>7.1f} "
                        f"{base.row(1.0):>7.1f} {sum(base.errors.values()):>4} | "
                        f"{mine.row(0.99) / base.row(0.99):>9.1f}",
                        flush=True,
                    )
                    if mine.errors:
                        print(f"        errors: {dict(mine.errors)}", file=sys.stderr)
                    time.sleep(1.0)  # let created calls end before the next step
        finally:
            floor.terminate()
            server.terminate()
            server.wait(timeout=60)


if __name__ == "__main__":
    main()
