"""Fixtures: real servers on SQLite and PostgreSQL, SDK clients, and a fresh subaccount per test.

Tests that take ``server`` run once per store backend. Each test works in its own subaccount, so
one server per backend serves the whole session without tests seeing each other's data.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from twilio.rest import Client

from phonograph.testing.kit import subaccount
from phonograph.testing.server import ServerProcess
from phonograph.testing.webapp import WebApp
from tests.support.postgres import PostgresServer
from tests.support.seaweedfs import SeaweedServer
from tests.support.stt_model import model_dir
from tests.support.twilio_client import schema_checked_http, sdk_client

BACKENDS = ("sqlite", "postgresql")
TEST_SPEED = 10


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    server = PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def seaweedfs() -> Iterator[SeaweedServer]:
    """An S3 endpoint (SeaweedFS) for this worker; tests keep apart by their own key prefixes."""
    server = SeaweedServer().start()
    yield server
    server.remove()


def transcription_env() -> dict[str, str]:
    """The settings that point a test server at the packaged speech-to-text model, offline."""
    return {"PHONOGRAPH_STT_MODEL": str(model_dir()), "HF_HUB_OFFLINE": "1"}


@pytest.fixture(scope="session", params=BACKENDS)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    # Media runs ten times faster than real time, and every call leg's tracks are captured for
    # audio analysis (GET /phonograph/v1/Calls/{CallSid}/Tracks.wav). Transcription uses the
    # Whisper model the test wheels ship, offline; the server loads it on its first job only.
    env = {
        "PHONOGRAPH_SPEED": str(TEST_SPEED),
        "PHONOGRAPH_CAPTURE_S": "120",
        **transcription_env(),
    }
    if request.param == "postgresql":
        env["PHONOGRAPH_DATABASE_URL"] = request.getfixturevalue("postgres").url()
    process = ServerProcess(tmp_path_factory.mktemp(f"server-{request.param}"), env).start()
    yield process
    process.stop()


@pytest.fixture
def main_client(server: ServerProcess) -> Client:
    creds = server.credentials
    return sdk_client(server.base_url, creds.account_sid, creds.auth_token)


@dataclass(frozen=True)
class TestAccount:
    """A subaccount made for one test, with its SDK client and raw HTTP client, and a raw client of
    its owner (the main account: it sets the subaccount's HIPAA and PCI modes, reads the clock)."""

    __test__ = False
    sid: str
    auth_token: str
    client: Client
    http: httpx.Client
    owner: httpx.Client


@contextmanager
def _subaccount(server: ServerProcess, friendly_name: str) -> Iterator[TestAccount]:
    main = server.credentials
    with (
        subaccount(server, friendly_name, schema_checked_http()) as made,
        httpx.Client(base_url=server.base_url, auth=(main.account_sid, main.auth_token), timeout=10) as owner,
    ):
        yield TestAccount(made.account_sid, made.auth_token, made.client, made.http, owner)


@pytest.fixture
def account(server: ServerProcess) -> Iterator[TestAccount]:
    with _subaccount(server, "test") as made:
        yield made


@pytest.fixture
def other_account(server: ServerProcess) -> Iterator[TestAccount]:
    """A second subaccount, to check that one account never sees another's resources."""
    with _subaccount(server, "other") as made:
        yield made


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture(autouse=True)
def _no_ambient_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Servers that tests start must not pick up a developer's own PHONOGRAPH_* settings."""
    for name in list(os.environ):
        if name.startswith("PHONOGRAPH_"):
            monkeypatch.delenv(name)


@pytest.fixture
def webapp() -> Iterator[WebApp]:
    """A started local web app for the server under test to fetch TwiML from and send webhooks to."""
    with WebApp() as app:
        yield app
    assert not app.errors, "a route callable raised:\n" + "\n".join(app.errors)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Each phase's report on the test item (``item.rep_call``): a fixture's teardown can tell
    whether the test failed (the console's browser tests keep a screenshot then)."""
    report: pytest.TestReport = yield
    setattr(item, f"rep_{report.when}", report)
    return report
