"""A real phonograph server in a subprocess, as users run it: ``python -m phonograph serve``.

The pytest kit (``phonograph.testing.plugin``) starts one per test session (one per pytest-xdist
worker), on a free port with its own data directory.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

START_TIMEOUT_S = 30.0


def free_port() -> int:
    """A loopback TCP port the OS has just handed out (free unless someone takes it first)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class Credentials:
    account_sid: str
    auth_token: str


class ServerProcess:
    """Starts, stops and kills one server; ``base_url`` and the main account's credentials."""

    def __init__(self, data_dir: Path, env: dict[str, str] | None = None) -> None:
        self.data_dir = data_dir
        self.env = env or {}
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = data_dir / "server.log"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> ServerProcess:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # Only the settings given here: not a developer's own PHONOGRAPH_* from the shell.
        ambient = {name: value for name, value in os.environ.items() if not name.startswith("PHONOGRAPH_")}
        # SIP stays off unless a test asks for it: servers started side by side cannot all have 5060.
        env = {**ambient, "PHONOGRAPH_SIP_PORT": "0", **self.env}
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "phonograph",
                    "serve",
                    "--port",
                    str(self.port),
                    "--data-dir",
                    str(self.data_dir),
                    "--log-level",
                    "warning",
                ],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"server exited with {self._process.returncode}:\n{self.log_path.read_text()}"
                )
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"server not ready after {START_TIMEOUT_S}s:\n{self.log_path.read_text()}")

    @property
    def credentials(self) -> Credentials:
        if "PHONOGRAPH_ACCOUNT_SID" in self.env:
            return Credentials(self.env["PHONOGRAPH_ACCOUNT_SID"], self.env["PHONOGRAPH_AUTH_TOKEN"])
        data = json.loads((self.data_dir / "credentials.json").read_text())
        return Credentials(data["account_sid"], data["auth_token"])

    @property
    def output(self) -> str:
        return self.log_path.read_text()

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    @property
    def running(self) -> bool:
        """Started, and not yet stopped or waited for."""
        return self._process is not None

    def send(self, sig: int) -> None:
        """Send ``sig`` (``SIGSTOP`` to stall the server, ``SIGCONT`` to wake it) and go on."""
        assert self._process is not None
        self._process.send_signal(sig)

    def wait(self, timeout_s: float = START_TIMEOUT_S) -> int:
        """The exit code, once the server has exited by itself."""
        assert self._process is not None
        code = self._process.wait(timeout=timeout_s)
        self._process = None
        return code

    def stop(self, sig: int = signal.SIGTERM) -> int:
        """Send ``sig`` and wait for the exit code."""
        self.send(sig)
        return self.wait()

    def kill(self) -> None:
        self.stop(signal.SIGKILL)
