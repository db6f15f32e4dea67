"""The pytest kit (``phonograph[testing]``) as a user's suite meets it: a separate pytest run that
loads the plugin by its entry point and starts its own servers.

The documented IVR example runs from a fresh virtualenv that installs only ``phonograph[testing]``
and ``twilio``; the other runs use this checkout's environment (which has pytest-xdist).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

from tests.test_docs import ROOT, blocks

EXAMPLE_DOC = ROOT / "docs" / "testing.md"
INSTALL_TIMEOUT_S = 600
RUN_TIMEOUT_S = 300


def example() -> str:
    [block] = [block for block in blocks(EXAMPLE_DOC) if "pytest" in block.tags]
    return block.code


def run_pytest(
    python: Path | str, folder: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """pytest in ``folder`` as its own project: no ini file or conftest of this repository."""
    return subprocess.run(
        [str(python), "-m", "pytest", "-p", "no:cacheprovider", "--rootdir", str(folder), *args, str(folder)],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
        check=False,
        env=env,
    )


def test_the_documented_ivr_example_passes_in_a_fresh_virtualenv(tmp_path: Path) -> None:
    source = tmp_path / "phonograph"  # a copy, so that the build leaves nothing in the checkout
    shutil.copytree(ROOT / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    installed = subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            f"{source}[testing]",
            "twilio",
        ],
        capture_output=True,
        text=True,
        timeout=INSTALL_TIMEOUT_S,
        check=False,
    )
    assert installed.returncode == 0, installed.stderr
    project = tmp_path / "project"
    project.mkdir()
    (project / "test_ivr.py").write_text(example())
    result = run_pytest(python, project, "-q")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


def test_each_xdist_worker_has_its_own_server(tmp_path: Path) -> None:
    seen = tmp_path / "seen"
    seen.mkdir()
    (tmp_path / "test_where.py").write_text(
        "import os, pathlib\n"
        "def test_where(phonograph):\n"
        "    worker = os.environ['PYTEST_XDIST_WORKER']\n"
        f"    pathlib.Path({str(seen)!r}, worker).write_text(phonograph.base_url)\n"
        "    assert phonograph.client.calls.list() == []\n"
    )
    result = run_pytest(sys.executable, tmp_path, "-q", "-n", "2", "--dist", "each")
    assert result.returncode == 0, result.stdout + result.stderr
    urls = {path.name: path.read_text() for path in seen.iterdir()}
    assert sorted(urls) == ["gw0", "gw1"]
    assert len(set(urls.values())) == 2, urls


def test_the_app_fixture_fails_a_test_that_got_a_forged_signature(tmp_path: Path) -> None:
    (tmp_path / "test_forged.py").write_text(
        "import httpx\n"
        "def test_signed_with_another_token(phonograph, phonograph_app):\n"
        "    url = phonograph_app.twiml('/voice', '<Response/>')\n"
        "    httpx.post(url, data={'CallSid': 'CA1'}, headers={'X-Twilio-Signature': 'forged'})\n"
        "def test_signed_by_the_server(phonograph, phonograph_app):\n"
        "    url = phonograph_app.twiml('/voice', '<Response><Hangup/></Response>')\n"
        "    number = phonograph.phone()\n"
        "    call = phonograph.client.calls.create(to=number, from_='+15017122661', url=url)\n"
        "    phonograph.wait_for_call(call.sid)\n"
        "    [hit] = phonograph_app.hits('/voice')\n"
        "    assert hit.signature_valid is True\n"
    )
    result = run_pytest(sys.executable, tmp_path, "-q", "-rE")
    # The forged test passes its body and errors in teardown, where the fixture checks.
    assert "2 passed, 1 error" in result.stdout, result.stdout + result.stderr
    assert "ERROR test_forged.py::test_signed_with_another_token" in result.stdout
    assert "wrong X-Twilio-Signature" in result.stdout


def test_the_server_settings_come_from_the_env_fixture_alone(tmp_path: Path) -> None:
    """An overridden ``phonograph_server_env`` reaches the server, and the shell's settings do not
    (a bad speed from the shell would stop it starting; a zero capture would make Tracks.wav 404)."""
    (tmp_path / "conftest.py").write_text(
        "import pytest\n"
        "@pytest.fixture(scope='session')\n"
        "def phonograph_server_env():\n"
        "    return {'PHONOGRAPH_SPEED': '10', 'PHONOGRAPH_CAPTURE_S': '5'}\n"
    )
    (tmp_path / "test_settings.py").write_text(
        "def test_tracks_are_captured(phonograph):\n"
        "    number = phonograph.phone('<Response><Hangup/></Response>')\n"
        "    call = phonograph.client.calls.create(to=number, from_='+15017122661', twiml='<Response/>')\n"
        "    phonograph.wait_for_call(call.sid)\n"
        "    tracks = phonograph.http.get(f'/phonograph/v1/Calls/{call.sid}/Tracks.wav')\n"
        "    assert tracks.status_code == 200, tracks.text\n"
    )
    shell = {**os.environ, "PHONOGRAPH_SPEED": "not a number", "PHONOGRAPH_CAPTURE_S": "0"}
    result = run_pytest(sys.executable, tmp_path, "-q", env=shell)
    assert result.returncode == 0, result.stdout + result.stderr
