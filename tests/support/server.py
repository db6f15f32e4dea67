"""Servers restarted on one data directory, for the crash tests."""

from __future__ import annotations

from pathlib import Path

import httpx
from twilio.rest import Client

from phonograph.testing.server import ServerProcess
from tests.support.twilio_client import sdk_client


class Servers:
    """Servers started one after another on one data directory (a SIGKILL and a restart in between)."""

    def __init__(self, data_dir: Path, env: dict[str, str]) -> None:
        self.data_dir = data_dir
        # One node, restarted: the next process settles what the killed one left (calls/nodes.py).
        # Each start takes a new port, which the default node id would follow.
        self.env = {"PHONOGRAPH_NODE_ID": f"restarted-{data_dir.name}", **env}
        self.current: ServerProcess | None = None

    def start(self) -> ServerProcess:
        assert self.current is None
        self.current = ServerProcess(self.data_dir, self.env).start()
        return self.current

    def kill(self) -> None:
        assert self.current is not None
        self.current.kill()
        self.current = None

    def client(self) -> Client:
        assert self.current is not None
        creds = self.current.credentials
        return sdk_client(self.current.base_url, creds.account_sid, creds.auth_token)

    def http(self) -> httpx.Client:
        assert self.current is not None
        creds = self.current.credentials
        return httpx.Client(
            base_url=self.current.base_url, auth=(creds.account_sid, creds.auth_token), timeout=10
        )
