"""The SIP port of a running server (issue 15, first slice), driven by sipp over loopback: OPTIONS
is answered; an INVITE for nothing phonograph knows is refused (404) and never becomes a call;
garbage never stops the port; a SIP port another program holds stops the server before it creates
anything."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from phonograph.testing.server import START_TIMEOUT_S, ServerProcess, free_port
from tests.support.twilio_client import sdk_client

SCENARIOS = Path(__file__).parent / "data" / "sipp"
SIPP_TIMEOUT_S = 30
"""sipp's own bound for a scenario that fails; a passing one takes milliseconds."""


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def sip_server(tmp_path: Path) -> Iterator[tuple[ServerProcess, int]]:
    port = free_udp_port()
    server = ServerProcess(tmp_path / "data", {"PHONOGRAPH_SIP_PORT": str(port)}).start()
    try:
        yield server, port
    finally:
        server.stop()


def sipp(scenario: str, port: int, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("sipp")
    assert binary is not None, "scripts/test installs sipp (Debian's sip-tester)"
    return subprocess.run(
        [
            binary,
            f"127.0.0.1:{port}",
            "-sf",
            str(SCENARIOS / scenario),
            "-i",
            "127.0.0.1",
            "-p",
            str(free_udp_port()),
            "-m",
            "1",
            "-timeout",
            f"{SIPP_TIMEOUT_S}s",
            "-timeout_error",
            "-nostdin",
            "-trace_err",
            "-error_file",
            str(tmp_path / "sipp_errors.log"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=SIPP_TIMEOUT_S + 30,
        check=False,
    )


def test_sipp_gets_an_answer_to_options(sip_server: tuple[ServerProcess, int], tmp_path: Path) -> None:
    _, port = sip_server
    done = sipp("options.xml", port, tmp_path)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


def test_an_invite_for_nothing_known_is_refused_and_never_becomes_a_call(
    sip_server: tuple[ServerProcess, int], tmp_path: Path
) -> None:
    server, port = sip_server
    done = sipp("invite_refused.xml", port, tmp_path)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    client = sdk_client(server.base_url, server.credentials.account_sid, server.credentials.auth_token)
    assert client.calls.list() == []


def test_garbage_on_the_port_never_stops_it(sip_server: tuple[ServerProcess, int], tmp_path: Path) -> None:
    _, port = sip_server
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as junk:
        for data in (
            b"",
            b"\x00" * 1400,
            b"SIP/2.0 200 OK\r\n\r\n",
            b"INVITE sip:x SIP/2.0\r\nVia: ;;;\r\n\r\n",
        ):
            junk.sendto(data, ("127.0.0.1", port))
    done = sipp("options.xml", port, tmp_path)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


def test_a_busy_sip_port_stops_the_server_before_it_creates_anything(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "phonograph",
                "serve",
                "--port",
                str(free_port()),
                "--data-dir",
                str(data_dir),
            ],
            env={"PATH": "/usr/bin:/bin", "PHONOGRAPH_SIP_PORT": str(port)},
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT_S,
            check=False,
        )
    assert result.returncode == 2
    assert f"cannot listen for SIP on udp 127.0.0.1:{port}" in result.stdout + result.stderr
    assert not data_dir.exists()
