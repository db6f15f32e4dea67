"""Several nodes on one PostgreSQL (started here), two measurements.

Control latency across nodes: a recording pause or resume sent to a node that does not run the
call (carried by the command bus, calls/bus.py) against the same control sent to the node that
does (in-process), on three nodes.

Each control is a ``POST …/Calls/{CallSid}/Recordings/Twilio.CURRENT.json`` alternating
``Status=paused`` and ``Status=in-progress`` over a few recorded calls owned by node a, half sent
to a and half through node b; its time is the request's round trip, which holds the owner
applying it and the reply coming back. The
floor is ``GET /healthz`` on the same node (one database round trip). Sequential requests, one at
a time: this measures the path, not throughput.

CPU per recorded call: ``--cpu-calls`` recorded calls (a silent far end, recorded from the start)
held for ``--cpu-s`` seconds on one node with media in a folder (the peer: no bus peers, no
segments), on one node with media on S3 (SeaweedFS, started here: journal segments shipped every
2 s), and split over two nodes on S3 (the bus, heartbeats, frames kept for routed controls). The
CPU is the nodes' own (user + system), per call-second; PostgreSQL and SeaweedFS are not counted.

    .venv/bin/python bench/nodes.py [--controls 200] [--calls 5] [--cpu-calls 40] [--cpu-s 10]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.postgres import PostgresServer
from tests.support.seaweedfs import SeaweedServer

from phonograph.core import new_secret, new_sid
from phonograph.testing.server import ServerProcess

PHONE = "+15550008888"
STAY = "<Response><Pause length='600'/></Response>"
API = "/2010-04-01/Accounts"
CLOCK_TICKS_PER_S = os.sysconf("SC_CLK_TCK")


def percentiles(values_ms: list[float]) -> tuple[float, float]:
    ordered = sorted(values_ms)
    return ordered[len(ordered) // 2], ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


def timed(request: Callable[..., httpx.Response], *args: Any, **kwargs: Any) -> float:
    started = time.perf_counter()
    answer = request(*args, **kwargs)
    elapsed_ms = (time.perf_counter() - started) * 1000
    answer.raise_for_status()
    return elapsed_ms


def recorded_calls(owner: httpx.Client, account_sid: str, count: int) -> list[str]:
    owner.post(
        "/phonograph/v1/Phones", json={"phone_number": PHONE, "answer_after_s": 0, "twiml": STAY}
    ).raise_for_status()
    sids = []
    for _ in range(count):
        made = owner.post(
            f"{API}/{account_sid}/Calls.json",
            data={"To": PHONE, "From": "+15550000001", "Twiml": STAY, "Record": "true"},
        )
        made.raise_for_status()
        sids.append(made.json()["sid"])
    deadline = time.monotonic() + 60
    for sid in sids:
        while not owner.get(f"{API}/{account_sid}/Calls/{sid}/Recordings.json").json()["recordings"]:
            if time.monotonic() > deadline:
                raise SystemExit(f"call {sid} has no recording")
            time.sleep(0.05)
    return sids


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS_PER_S


def cpu_per_call_s(env: dict[str, str], root: Path, nodes: int, calls: int, hold_s: float) -> float:
    """CPU seconds the nodes spend per second of one recorded call."""
    account_sid, token = env["PHONOGRAPH_ACCOUNT_SID"], env["PHONOGRAPH_AUTH_TOKEN"]
    started = [
        ServerProcess(root / f"n{index}", {**env, "PHONOGRAPH_NODE_ID": f"n{index}"}).start()
        for index in range(nodes)
    ]
    clients = [
        httpx.Client(base_url=node.base_url, auth=(account_sid, token), timeout=30) for node in started
    ]
    try:
        number = f"+1555{uuid.uuid4().int % 10_000_000:07d}"
        phone = {"phone_number": number, "answer_after_s": 0, "twiml": STAY}
        clients[0].post("/phonograph/v1/Phones", json=phone).raise_for_status()
        made = []
        for index in range(calls):
            client = clients[index % nodes]
            call = {"To": number, "From": "+15550000001", "Twiml": STAY, "Record": "true"}
            answer = client.post(f"{API}/{account_sid}/Calls.json", data=call)
            answer.raise_for_status()
            made.append((client, f"{API}/{account_sid}/Calls/{answer.json()['sid']}.json"))
        for client, path in made:
            while client.get(path).json()["status"] != "in-progress":
                time.sleep(0.05)
        before = sum(cpu_s(node.pid) for node in started)
        time.sleep(hold_s)
        used = sum(cpu_s(node.pid) for node in started) - before
        for client, path in made:
            client.post(path, data={"Status": "completed"}).raise_for_status()
        return used / (calls * hold_s)
    finally:
        for client in clients:
            client.close()
        for node in started:
            node.stop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--controls", type=int, default=200)
    parser.add_argument("--calls", type=int, default=5)
    parser.add_argument("--cpu-calls", type=int, default=40)
    parser.add_argument("--cpu-s", type=float, default=10.0)
    args = parser.parse_args()
    account_sid, token = new_sid("AC"), new_secret()
    postgres = PostgresServer().start()
    nodes: list[ServerProcess] = []
    try:
        env = {
            "PHONOGRAPH_DATABASE_URL": postgres.create_database("bench_nodes"),
            "PHONOGRAPH_ACCOUNT_SID": account_sid,
            "PHONOGRAPH_AUTH_TOKEN": token,
        }
        root = Path(tempfile.mkdtemp(prefix="phonograph-bench-nodes-"))
        for name in ("a", "b", "c"):
            nodes.append(ServerProcess(root / name, {**env, "PHONOGRAPH_NODE_ID": name}).start())
        a, b, _c = (
            httpx.Client(base_url=node.base_url, auth=(account_sid, token), timeout=30) for node in nodes
        )
        calls = recorded_calls(a, account_sid, args.calls)
        results: dict[str, list[float]] = {"owner (in-process)": [], "other node (bus)": [], "floor": []}
        # Each control changes the recording's state (a pause, then a resume), half of them sent to
        # the owner and half through another node, in the order a:pause b:resume b:pause a:resume.
        steps = (("owner (in-process)", a, "paused"), ("other node (bus)", b, "in-progress"))
        steps += (("other node (bus)", b, "paused"), ("owner (in-process)", a, "in-progress"))
        for index in range(args.controls):
            call_sid = calls[index % len(calls)]
            name, node, status = steps[index // len(calls) % len(steps)]
            path = f"{API}/{account_sid}/Calls/{call_sid}/Recordings/Twilio.CURRENT.json"
            results[name].append(timed(node.post, path, data={"Status": status}))
            results["floor"].append(timed(b.get, "/healthz"))
        local_p50, local_p99 = percentiles(results["owner (in-process)"])
        print(
            f"\n{args.controls} controls over {args.calls} recorded calls on node a; 3 nodes, one PostgreSQL"
        )
        print(f"{'control sent to':<22}{'p50 ms':>10}{'p99 ms':>10}{'p50 ratio':>12}{'p99 ratio':>12}")
        for name, values in results.items():
            p50, p99 = percentiles(values)
            print(f"{name:<22}{p50:>10.1f}{p99:>10.1f}{p50 / local_p50:>12.2f}{p99 / local_p99:>12.2f}")
        for node in nodes:
            node.stop()
        nodes.clear()
        seaweed = SeaweedServer().start()
        try:
            s3 = {**seaweed.env(), "PHONOGRAPH_STORAGE_URL": seaweed.url(f"bench-{uuid.uuid4().hex}")}
            runs = [
                ("1 node, folder (peer)", {}, 1),
                ("1 node, S3 segments", s3, 1),
                ("2 nodes, S3 segments", s3, 2),
            ]
            rows = []
            for name, extra, count in runs:
                database = postgres.create_database(f"bench_cpu_{uuid.uuid4().hex[:8]}")
                run_env = {**env, **extra, "PHONOGRAPH_SPEED": "1", "PHONOGRAPH_DATABASE_URL": database}
                rows.append(
                    (
                        name,
                        cpu_per_call_s(
                            run_env, root / name.replace(" ", "_"), count, args.cpu_calls, args.cpu_s
                        ),
                    )
                )
        finally:
            seaweed.stop()
        print(f"\n{args.cpu_calls} recorded calls held {args.cpu_s:g} s; the nodes' CPU per call-second")
        print(f"{'run':<24}{'CPU ms / call-s':>18}{'ratio':>10}")
        for name, per_call_s in rows:
            print(f"{name:<24}{per_call_s * 1000:>18.2f}{per_call_s / rows[0][1]:>10.2f}")
    finally:
        for node in nodes:
            node.stop()
        postgres.stop()


if __name__ == "__main__":
    main()
