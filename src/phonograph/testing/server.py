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
PORT_ATTEMPTS = 3
ADDRESS_IN_USE = "Address already in use"


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
        # The port was free when chosen, but another program may take it before the server binds
        # it: until the server has started once, a start that finds it taken moves to another.
        self._port_may_move = True

    def start(self) -> ServerProcess:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # Only the settings given here: not a developer's own PHONOGRAPH_* from the shell.
        ambient = {name: value for name, value in os.environ.items() if not name.startswith("PHONOGRAPH_")}
        # SIP stays off unless a test asks for it: servers started side by side cannot all have 5060.
        env = {**ambient, "PHONOGRAPH_SIP_PORT": "0", **self.env}
        for attempt in range(1, PORT_ATTEMPTS + 1):
            logged = self.log_path.stat().st_size if self.log_path.exists() else 0
            self._launch(env)
            try:
                self._wait_ready()
            except RuntimeError:
                taken = ADDRESS_IN_USE in self.log_path.read_text()[logged:]
                if not (self._port_may_move and taken and attempt < PORT_ATTEMPTS and self._process is None):
                    raise
                self.port = free_port()
                self.base_url = f"http://127.0.0.1:{self.port}"
                continue
            self._port_may_move = False
            return self
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _launch(self, env: dict[str, str]) -> None:
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

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                code, self._process = self._process.returncode, None
                raise RuntimeError(f"server exited with {code}:\n{self.log_path.read_text()}")
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
