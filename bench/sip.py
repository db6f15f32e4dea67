"""How many concurrent recorded SIP calls one phonograph process carries at speed 1 with no late
media ticks and no RTP packet missing from the recordings; and its CPU per call against the same
number of recorded virtual-phone calls.

sipp is the peer: it places every call of a step to a SIP Domain (let in by an IP list) and plays
the same RTP into each, from a pcap this program writes (PCMU noise, one packet per 20 ms, no two
alike). The domain's app records the call (``<Start><Recording>``, dual) and plays a tone back, so
RTP flows both ways. While the calls are up, the program measures the server's CPU and the media
clock's late ticks; once they ended it fetches every recording and looks for each packet sipp sent,
sample for sample, among the 20 ms frames of the phone's channel: a packet lost, dropped late or
concealed is missing. Then the same number of recorded calls to a virtual phone
(as ``bench/calls.py --record``) gives the CPU per call to compare with.

    .venv/bin/python bench/sip.py [--steps 100,250,500] [--call-s 20]
"""

from __future__ import annotations

import argparse
import io
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

import httpx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.calls import (
    add_tone_phone,
    cpu_s,
    create_calls,
    free_port,
    play_twiml,
    serve_audio,
    start_server,
    tone_wav,
    wait_live,
)
from tests.support.rtp_pcap import FRAME_SAMPLES, RtpStreamWriter, noise, ulaw

DOMAIN = "bench.sip.example"
HEADER_BYTES = 12
SETTLE_S = 2.0
"""Calls are measured from this long after the last one connected, until this long before the
first one ends: set-up and tear-down are not the steady state."""


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


SCENARIO = """<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="bench call">
  <send retrans="500">
    <![CDATA[

      INVITE sip:bench@[domain] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport
      From: <sip:caller@[local_ip]:[local_port]>;tag=[call_number]
      To: <sip:bench@[domain]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:caller@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=sipp 1 1 IN IP4 [local_ip]
      s=-
      c=IN IP4 [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0
      a=rtpmap:0 PCMU/8000
      a=ptime:20

    ]]>
  </send>
  <recv response="100" optional="true" />
  <recv response="180" />
  <recv response="200" rrs="true" />
  <send>
    <![CDATA[

      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport
      From: <sip:caller@[local_ip]:[local_port]>;tag=[call_number]
      [last_To:]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <pause milliseconds="1000" />
  <nop><action><exec play_pcap_audio="PCAP" /></action></nop>
  <pause milliseconds="PAUSE_MS" />
  <send retrans="500">
    <![CDATA[

      BYE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport
      From: <sip:caller@[local_ip]:[local_port]>;tag=[call_number]
      [last_To:]
      Call-ID: [call_id]
      CSeq: 2 BYE
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="200" />
</scenario>
"""


def open_domain(client: httpx.Client, account_sid: str, voice_url: str) -> None:
    base = f"/2010-04-01/Accounts/{account_sid}/SIP"
    domain = client.post(
        f"{base}/Domains.json", data={"DomainName": DOMAIN, "VoiceUrl": voice_url, "VoiceMethod": "GET"}
    ).json()
    addresses = client.post(f"{base}/IpAccessControlLists.json", data={"FriendlyName": "sipp"}).json()
    client.post(
        f"{base}/IpAccessControlLists/{addresses['sid']}/IpAddresses.json",
        data={"FriendlyName": "loopback", "IpAddress": "127.0.0.1"},
    ).raise_for_status()
    client.post(
        f"{base}/Domains/{domain['sid']}/Auth/Calls/IpAccessControlListMappings.json",
        data={"IpAccessControlListSid": addresses["sid"]},
    ).raise_for_status()


def write_pcap(path: Path, seconds: float) -> set[bytes]:
    """sipp's RTP: ``seconds`` of noise; the payloads of its packets."""
    stream = RtpStreamWriter()
    stream.audio(noise(seconds))
    stream.write_pcap(path)
    return {packet[HEADER_BYTES:] for _, packet in stream.packets}


def run_sipp(work: Path, sip_port: int, calls: int, call_s: float, pcap: Path) -> subprocess.Popen[str]:
    binary = shutil.which("sipp")
    if binary is None:
        raise SystemExit("sipp is not installed (Debian's sip-tester; scripts/bootstrap installs it)")
    scenario = work / "bench.xml"
    pause_ms = int((call_s - 1) * 1000)
    scenario.write_text(SCENARIO.replace("PCAP", str(pcap)).replace("PAUSE_MS", str(pause_ms)))
    return subprocess.Popen(
        [
            binary,
            f"127.0.0.1:{sip_port}",
            "-sf",
            str(scenario),
            "-key",
            "domain",
            DOMAIN,
            "-i",
            "127.0.0.1",
            "-p",
            str(free_udp_port()),
            "-mi",
            "127.0.0.1",
            "-mp",
            str(free_udp_port()),
            "-m",
            str(calls),
            "-l",
            str(calls),
            "-r",
            "100",
            "-nostdin",
            "-timeout",
            f"{int(call_s * 4 + 120)}s",
            "-trace_err",
            "-error_file",
            str(work / "sipp_errors.log"),
        ],
        cwd=work,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def phone_channel(wav: bytes) -> np.ndarray:
    with wave.open(io.BytesIO(wav)) as reader:
        samples = np.frombuffer(reader.readframes(reader.getnframes()), dtype=np.int16)
        return samples.reshape(-1, reader.getnchannels())[:, 0]


def found_packets(samples: np.ndarray, sent: set[bytes]) -> int:
    """How many of the ``sent`` payloads a recording's phone channel holds as whole 20 ms frames.
    The frames start where the phone's first sample is (noise is never zero), however the
    recording's start fell."""
    audible = np.flatnonzero(samples)
    if not len(audible):
        return 0
    start = int(audible[0])
    frames = samples[start : start + (len(samples) - start) // FRAME_SAMPLES * FRAME_SAMPLES]
    heard = {ulaw(frame) for frame in frames.reshape(-1, FRAME_SAMPLES)}
    return len(heard & sent)


def recordings_of(client: httpx.Client, account_sid: str) -> dict[str, list[str]]:
    """The account's recordings' SIDs by status."""
    uri: str | None = f"/2010-04-01/Accounts/{account_sid}/Recordings.json?PageSize=1000"
    by_status: dict[str, list[str]] = {}
    while uri is not None:
        page = client.get(uri).json()
        for item in page["recordings"]:
            by_status.setdefault(item["status"], []).append(item["sid"])
        uri = page["next_page_uri"]
    return by_status


def measure(
    client: httpx.Client, pid: int, hold_s: float, peer_pid: int | None = None
) -> tuple[float, dict[str, float], float]:
    """Server CPU (share of one core), media stats and the peer's CPU over ``hold_s``."""
    client.get("/phonograph/v1/Media", params={"Reset": "true"})
    cpu_before, wall_before = cpu_s(pid), time.monotonic()
    peer_before = cpu_s(peer_pid) if peer_pid is not None else 0.0
    time.sleep(hold_s)
    wall_s = time.monotonic() - wall_before
    cpu_share = (cpu_s(pid) - cpu_before) / wall_s
    peer_share = (cpu_s(peer_pid) - peer_before) / wall_s if peer_pid is not None else 0.0
    return cpu_share, client.get("/phonograph/v1/Media", params={"Reset": "true"}).json(), peer_share


def sip_step(
    calls: int, call_s: float, app_url: str
) -> tuple[float, dict[str, float], float, int, int, int, int]:
    """A fresh server carrying ``calls`` SIP calls from sipp: (CPU share, media stats, sipp's CPU
    share, calls recorded, packets sent per call, packets found in the recordings, packets missing
    from them, a call without a completed recording missing all of its)."""
    with tempfile.TemporaryDirectory() as data:
        work = Path(data)
        sip_port = free_udp_port()
        process, client, account_sid = start_server(
            # sipp is one source address placing every call, like an SBC: it needs a trunk's rate.
            work / "data",
            free_port(),
            {"PHONOGRAPH_SIP_PORT": str(sip_port), "PHONOGRAPH_SIP_RATE": "1000"},
        )
        try:
            open_domain(client, account_sid, f"{app_url}/voice.xml")
            pcap = work / "phone.pcap"
            # The phone starts 1 s after its ACK (the app's recording has started by then) and talks
            # for all but the call's last 2 s: every packet it sends belongs in the recording.
            sent = write_pcap(pcap, call_s - 3)
            sipp = run_sipp(work, sip_port, calls, call_s, pcap)
            started = time.monotonic()
            wait_live(client, account_sid, calls, 0, timeout_s=call_s)
            time.sleep(SETTLE_S)
            # Until SETTLE_S before the first call ends (sipp started them at 100 a second).
            left_s = call_s - (time.monotonic() - started) - SETTLE_S + calls / 100
            cpu_share, stats, sipp_share = measure(
                client, process.pid, max(1.0, left_s - calls / 100), sipp.pid
            )
            _, errors = sipp.communicate(timeout=call_s * 4 + 180)
            if sipp.returncode != 0:
                raise SystemExit(f"sipp failed ({sipp.returncode}): {errors[-2000:]}")
            found = 0
            deadline = time.monotonic() + 120
            # Until every recording has ended (completed, or absent: nothing audible was captured).
            while True:
                by_status = recordings_of(client, account_sid)
                ended = len(by_status.get("completed", [])) + len(by_status.get("absent", []))
                if ended >= calls or time.monotonic() > deadline:
                    break
                time.sleep(0.5)
            sids = by_status.get("completed", [])
            for sid in sids:
                wav = client.get(f"/2010-04-01/Accounts/{account_sid}/Recordings/{sid}.wav").content
                found += found_packets(phone_channel(wav), sent)
            # A call whose recording did not complete lost every packet it sent.
            return cpu_share, stats, sipp_share, len(sids), len(sent), found, calls * len(sent) - found
        finally:
            process.terminate()
            process.wait(timeout=60)


def phone_step(calls: int, hold_s: float, tones_url: str) -> float:
    """The same number of recorded virtual-phone calls (bench/calls.py --record): CPU share."""
    with tempfile.TemporaryDirectory() as data:
        process, client, account_sid = start_server(Path(data), free_port())
        try:
            add_tone_phone(client, tones_url)
            create_calls(client, account_sid, [play_twiml(f"{tones_url}/440.wav")] * calls, True, 64)
            wait_live(client, account_sid, calls, 0)
            cpu_share, _, _ = measure(client, process.pid, hold_s)
            return cpu_share
        finally:
            process.terminate()
            process.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", default="100,250,500")
    parser.add_argument("--call-s", type=float, default=20.0, help="how long sipp keeps each call up")
    args = parser.parse_args()
    voice = (
        "<Response><Start><Recording recordingChannels='dual'/></Start>"
        "<Play loop='0'>{tones}/440.wav</Play></Response>"
    )
    tones = {"/440.wav": tone_wav(440), "/620.wav": tone_wav(620)}
    audio, audio_url = serve_audio(lambda path: tones.get(path, b""))
    # The app's TwiML is a file too (the domain's VoiceMethod is GET).
    twiml = voice.format(tones=audio_url).encode()
    app, app_url = serve_audio(lambda path: twiml if path.startswith("/voice.xml?") else b"", "text/xml")
    print(
        f"{'calls':>6} {'recorded':>8} {'sent/call':>9} {'found':>8} {'missing':>7} {'late':>5} "
        f"{'p99 ms':>7} {'sipp %':>7} {'cpu %':>7} {'cpu/call %':>10} {'phones cpu/call %':>17} {'ratio':>6}",
        flush=True,
    )
    try:
        for calls in [int(step) for step in args.steps.split(",")]:
            cpu, stats, sipp_cpu, recorded, packets, frames, missing = sip_step(calls, args.call_s, app_url)
            phones_cpu = phone_step(calls, max(1.0, args.call_s - 2 * SETTLE_S), audio_url)
            per_call, phones_per_call = 100 * cpu / calls, 100 * phones_cpu / calls
            print(
                f"{calls:>6} {recorded:>8} {packets:>9} {frames:>8} {missing:>7} {stats['late_ticks']:>5} "
                f"{stats['lateness_p99_ms']:>7.2f} {100 * sipp_cpu:>7.1f} {100 * cpu:>7.1f} "
                f"{per_call:>10.3f} {phones_per_call:>17.3f} {per_call / phones_per_call:>6.2f}",
                flush=True,
            )
    finally:
        app.shutdown()
        audio.shutdown()


if __name__ == "__main__":
    main()
