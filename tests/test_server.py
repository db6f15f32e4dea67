"""The server contract (docs/architecture.md): first start, restart, credentials from the environment,
bad settings, /healthz and SIGTERM. Each test runs its own SQLite server."""

from __future__ import annotations

import json
import os
import re
import socket
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from twilio.rest import Client

from phonograph.core import new_secret, new_sid
from phonograph.testing.kit import wait_for_call, wait_for_recording
from phonograph.testing.server import START_TIMEOUT_S, ServerProcess, free_port
from tests.support.api import (
    ACCOUNTS,
    KEY_PROBE,
    account_path,
    assert_not_found,
    assert_unauthorized,
    http_client,
    keys_path,
    ok_json,
)
from tests.support.cli import Run, phonograph
from tests.support.twilio_client import sdk_client


def server_client(server: ServerProcess) -> Client:
    return sdk_client(server.base_url, server.credentials.account_sid, server.credentials.auth_token)


def announced(server: ServerProcess, sid: str, token: str) -> tuple[int, int]:
    """How many times the server printed the Account SID (once per start) and the Auth Token
    (only on the start that made it)."""
    sids = len(re.findall(rf"Account SID:\s+{sid}\b", server.output))
    return sids, server.output.count(token)


def healthz(server: ServerProcess) -> int:
    return httpx.get(f"{server.base_url}/healthz", timeout=10).status_code


@contextmanager
def started(server: ServerProcess) -> Iterator[ServerProcess]:
    """Start ``server``; kill it if the checks inside fail. Callers stop it with SIGTERM after."""
    server.start()
    try:
        yield server
    except BaseException:
        server.kill()
        raise


def env_credentials(sid: str, token: str) -> dict[str, str]:
    return {"PHONOGRAPH_ACCOUNT_SID": sid, "PHONOGRAPH_AUTH_TOKEN": token}


def test_first_start_makes_the_main_account_and_a_restart_keeps_it(data_dir: Path) -> None:
    credentials_file = data_dir / "credentials.json"
    with started(ServerProcess(data_dir)) as server:
        assert stat.S_IMODE(credentials_file.stat().st_mode) == 0o600
        stored = json.loads(credentials_file.read_text())
        sid, token = stored["account_sid"], stored["auth_token"]
        assert re.fullmatch(r"AC[0-9a-f]{32}", sid)
        assert announced(server, sid, token) == (1, 1)
        assert server.output.count(f"Data dir:    {data_dir} (new: made on this start)") == 1
        assert healthz(server) == 200
        with http_client(server.base_url, sid, token) as main:
            assert ok_json(main.get(account_path(sid)))["owner_account_sid"] == sid
            sub = ok_json(main.post(ACCOUNTS, data={"FriendlyName": "survives restarts"}), 201)
            key = ok_json(main.post(keys_path(sub["sid"]), data={"FriendlyName": "survives too"}), 201)
    assert server.stop() == 0

    with started(server):
        assert json.loads(credentials_file.read_text()) == stored
        assert announced(server, sid, token) == (2, 1)
        assert server.output.count("(new: made on this start)") == 1  # the first start's
        assert f"Auth Token:  (in {credentials_file})" in server.output
        with http_client(server.base_url, sid, token) as main:
            assert ok_json(main.get(account_path(sub["sid"])))["friendly_name"] == "survives restarts"
            assert [item["sid"] for item in ok_json(main.get(keys_path(sub["sid"])))["keys"]] == [key["sid"]]
        with http_client(server.base_url, key["sid"], key["secret"]) as as_key:
            assert_not_found(as_key.get(KEY_PROBE))
        with http_client(server.base_url, sub["sid"], sub["auth_token"]) as as_sub:
            assert ok_json(as_sub.get(account_path(sub["sid"])))["sid"] == sub["sid"]
    assert server.stop() == 0


def test_credentials_from_the_environment(data_dir: Path) -> None:
    sid, token, new_token = new_sid("AC"), new_secret(), new_secret()
    with started(ServerProcess(data_dir, env_credentials(sid, token))) as server:
        assert announced(server, sid, token) == (1, 0)
        assert "Auth Token:  (in PHONOGRAPH_AUTH_TOKEN)" in server.output
        with http_client(server.base_url, sid, token) as main:
            body = ok_json(main.get(account_path(sid)))
            assert (body["sid"], body["owner_account_sid"], body["status"]) == (sid, sid, "active")
            sub = ok_json(main.post(ACCOUNTS, data={"FriendlyName": "before the new token"}), 201)
    assert server.stop() == 0

    with started(ServerProcess(data_dir, env_credentials(sid, new_token))) as server:
        with http_client(server.base_url, sid, token) as old:
            assert_unauthorized(old.get(account_path(sid)))
        with http_client(server.base_url, sid, new_token) as main:
            assert ok_json(main.get(account_path(sid)))["auth_token"] == new_token
            assert ok_json(main.get(account_path(sub["sid"])))["friendly_name"] == "before the new token"
    assert server.stop() == 0


# Settings.from_env is checked case by case in tests/unit/test_settings.py; these check the process.
BAD_SETTINGS = {
    "sid without token": ({"PHONOGRAPH_ACCOUNT_SID": "AC" + "0" * 32}, "PHONOGRAPH_AUTH_TOKEN"),
    "sid not hex": (
        {"PHONOGRAPH_ACCOUNT_SID": "AC" + "z" * 32, "PHONOGRAPH_AUTH_TOKEN": "0" * 32},
        "PHONOGRAPH_ACCOUNT_SID",
    ),
    "speed not a number": ({"PHONOGRAPH_SPEED": "fast"}, "PHONOGRAPH_SPEED"),
}


@pytest.mark.parametrize(("env", "variable"), BAD_SETTINGS.values(), ids=BAD_SETTINGS.keys())
def test_bad_settings_stop_the_server_before_it_starts(
    data_dir: Path, env: dict[str, str], variable: str
) -> None:
    command = [
        sys.executable,
        "-m",
        "phonograph",
        "serve",
        "--port",
        str(free_port()),
        "--data-dir",
        str(data_dir),
    ]
    result = subprocess.run(
        command,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=START_TIMEOUT_S,
        check=False,
    )
    assert result.returncode != 0
    assert variable in result.stdout + result.stderr
    assert not data_dir.exists()


def test_a_busy_port_stops_the_server_before_it_creates_anything(data_dir: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "phonograph", "serve", "--port", str(port), "--data-dir", str(data_dir)],
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT_S,
            check=False,
        )
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stdout + result.stderr
    assert not data_dir.exists()


def test_everything_the_server_writes_is_its_users_alone(data_dir: Path) -> None:
    data_dir.mkdir(mode=0o755)  # an operator's folder, made before the first start
    with started(ServerProcess(data_dir, {"PHONOGRAPH_SPEED": "10"})) as server:
        client = server_client(server)
        call = client.calls.create(
            to="+15550100001",
            from_="+15550100002",
            twiml="<Response><Say>Kept private.</Say></Response>",
            record=True,
        )
        assert wait_for_call(client, call.sid).status == "completed"
        [recording] = client.recordings.list(call_sid=call.sid)
        assert wait_for_recording(client, recording.sid).status == "completed"
        written = [path for path in data_dir.rglob("*") if path != server.log_path]
        assert {path.name for path in written} >= {"phonograph.db", "credentials.json", "journal", "media"}
        assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
        for path in written:
            expected = 0o700 if path.is_dir() else 0o600
            assert stat.S_IMODE(path.stat().st_mode) & ~expected == 0, path
    assert server.stop() == 0


def reset(data_dir: Path, *args: str, answer: str = "") -> Run:
    return phonograph(None, "reset", "--data-dir", str(data_dir), *args, answer=answer)


def test_reset_deletes_a_stopped_servers_data_dir_only_when_asked(data_dir: Path) -> None:
    with started(ServerProcess(data_dir)) as server:
        refused = reset(data_dir, "--yes")
        assert refused.code == 2
        assert "stop it first" in refused.err
        assert healthz(server) == 200
    assert server.stop() == 0
    assert not (data_dir / "server.pid").exists()

    declined = reset(data_dir, answer="n\n")
    assert declined.code == 1
    assert (data_dir / "credentials.json").exists()
    done = reset(data_dir, answer="y\n")
    assert done.code == 0, done.err
    assert not data_dir.exists()
    assert "nothing to reset" in reset(data_dir, "--yes").out


def test_reset_keeps_the_installed_models(data_dir: Path) -> None:
    model = data_dir / "models" / "base"
    model.mkdir(parents=True)
    (model / "model.bin").write_bytes(b"weights")
    assert "holds only models" in reset(data_dir, "--yes").out
    ServerProcess(data_dir).start().stop()
    done = reset(data_dir, "--yes")
    assert done.code == 0, done.err
    assert "kept its models" in done.out
    assert sorted(entry.name for entry in data_dir.iterdir()) == ["models"]
    assert (model / "model.bin").read_bytes() == b"weights"


def test_reset_after_a_kill_and_never_of_a_folder_that_is_not_a_data_dir(
    data_dir: Path, tmp_path: Path
) -> None:
    ServerProcess(data_dir).start().kill()  # SIGKILL: the pid file stays, naming a dead process
    assert (data_dir / "server.pid").exists()
    assert reset(data_dir, "--yes").code == 0
    assert not data_dir.exists()

    somewhere = tmp_path / "documents"
    somewhere.mkdir()
    (somewhere / "letter.txt").write_text("keep me")
    refused = reset(somewhere, "--yes")
    assert refused.code == 2
    assert "does not look like a phonograph data dir" in refused.err
    assert (somewhere / "letter.txt").read_text() == "keep me"


def test_a_server_whose_chosen_port_was_taken_before_it_started_moves_to_another(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data")
    taken = server.port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as squatter:
        # Another program takes the port between the kit choosing it and the server binding it.
        squatter.bind(("127.0.0.1", taken))
        squatter.listen()
        server.start()
    try:
        assert server.port != taken
        assert httpx.get(f"{server.base_url}/healthz").status_code == 200
    finally:
        server.stop()
