"""Every example in the README and ``docs/`` runs against a real server, so none can rot.

A document's ``python`` blocks run in order in one namespace, as a reader pastes them into one
Python session, except a test file (``python pytest``: the pytest kit's example, which
tests/test_testing_kit.py runs under pytest); the ``js`` block (the Node quickstart, the only one)
runs with ``node``; ``sh`` blocks run only when their info string says ``test`` (most are set-up
commands); ``text`` and ``json`` blocks show output and shapes. What a reader would change is
substituted: the app at ``https://your-app.example`` becomes the test's web app, and the server and
credentials come from
``PHONOGRAPH_PUBLIC_URL``/``PHONOGRAPH_ACCOUNT_SID``/``PHONOGRAPH_AUTH_TOKEN``, which the examples
read as a reader's shell would hand them over. The quickstarts also run as a new user runs them: a
separate process that finds the credentials the server wrote in ``data/credentials.json``.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from phonograph.testing.audio import active_spans, has_speech, read_wav
from phonograph.testing.server import ServerProcess
from phonograph.testing.webapp import WebApp
from tests.conftest import TestAccount

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = (ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md")))
NODE_MODULES = ROOT / ".cache" / "node" / "node_modules"
YOUR_APP = "https://your-app.example"
RUN_TIMEOUT_S = 120
DOCUMENT_TIMEOUT_S = 300
FENCE = re.compile(r"^(?P<indent> *)```(?P<info>[^`\n]*)\n(?P<code>.*?)^(?P=indent)```[ \t]*$", re.M | re.S)
# The app behind https://your-app.example: it speaks until the call is ended.
APP_PATHS = ("/voice", "/status", "/rec", "/transcript")
VOICE_TWIML = '<Response><Say loop="0">Thank you for calling. This call is recorded.</Say></Response>'

# The examples do not depend on the store; one backend is enough.
on_sqlite = pytest.mark.parametrize("server", ["sqlite"], indirect=True)


@dataclass(frozen=True)
class Block:
    document: Path
    line: int
    language: str
    tags: frozenset[str]
    code: str

    @property
    def name(self) -> str:
        return f"{self.document.relative_to(ROOT)}:{self.line}"


def blocks(document: Path) -> list[Block]:
    text = document.read_text()
    found = []
    for match in FENCE.finditer(text):
        language, *tags = match["info"].split() or [""]
        indent = len(match["indent"])
        code = "".join(line[indent:] for line in match["code"].splitlines(keepends=True))
        line = text.count("\n", 0, match.start()) + 1
        found.append(Block(document, line, language, frozenset(tags), code))
    return found


def runnable(language: str) -> list[Block]:
    return [
        block
        for document in DOCUMENTS
        for block in blocks(document)
        if block.language == language
        and (language != "sh" or "test" in block.tags)
        and "pytest" not in block.tags
    ]


def quickstart(language: str) -> Block:
    readme = blocks(ROOT / "README.md")
    heading = (ROOT / "README.md").read_text().splitlines().index("## Quickstart") + 1
    return next(block for block in readme if block.language == language and block.line > heading)


@pytest.fixture
def your_app(webapp: WebApp) -> WebApp:
    webapp.twiml("/voice", VOICE_TWIML)
    for path in APP_PATHS[1:]:
        webapp.respond(path, b"", content_type="text/plain")
    return webapp


@pytest.fixture
def reader_env(
    server: ServerProcess, account: TestAccount, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """The environment a reader's shell hands the examples, set for this process too."""
    env = {
        "PHONOGRAPH_PUBLIC_URL": server.base_url,
        "PHONOGRAPH_ACCOUNT_SID": account.sid,
        "PHONOGRAPH_AUTH_TOKEN": account.auth_token,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


def test_every_example_block_is_found() -> None:
    """The fence pattern sees the quickstarts and the indented v3 example (a test of the finder)."""
    python = runnable("python")
    assert quickstart("python").code.startswith("import array, json")
    assert 'require("twilio")' in quickstart("js").code
    assert runnable("js") == [quickstart("js")], "only the Node quickstart is run: give a new js block a test"
    assert any(block.code.startswith("import uuid") for block in python)
    pytest_files = [b for d in DOCUMENTS for b in blocks(d) if "pytest" in b.tags]
    assert [b.document.name for b in pytest_files] == ["testing.md"], (
        "tests/test_testing_kit.py runs only that one"
    )
    unknown = {b.language for d in DOCUMENTS for b in blocks(d)} - {"python", "js", "sh", "text", "json"}
    assert not unknown, f"blocks in a language this test does not run: {unknown}"


@on_sqlite
@pytest.mark.parametrize(
    "document",
    [d for d in DOCUMENTS if any(b.language == "python" for b in blocks(d))],
    ids=lambda d: str(d.relative_to(ROOT)),
)
def test_the_python_blocks_of_a_document_run_in_order(
    document: Path,
    your_app: WebApp,
    reader_env: dict[str, str],
    account: TestAccount,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "__main__"}
    with _time_limit(DOCUMENT_TIMEOUT_S):  # an example that waits on a status that never comes
        for block in [b for b in blocks(document) if b.language == "python"]:
            code = block.code.replace(YOUR_APP, your_app.base_url)
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(code, block.name, "exec"), namespace)
    text = document.read_text()
    for path in APP_PATHS:  # every URL of the app that the examples name is fetched or called
        if YOUR_APP + path in text:
            your_app.wait_for(path)
    for hit in your_app.hits():
        assert your_app.valid_signature(hit, account.auth_token), hit.summary()


@contextlib.contextmanager
def _time_limit(seconds: int) -> Iterator[None]:
    def expire(_signum: int, _frame: object) -> None:
        raise TimeoutError(f"the examples ran longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _check_call_wav(path: Path) -> None:
    """The quickstart's WAV, analysed: two channels, the phone's speech on channel 1 first (it
    speaks on answer), the application's on channel 2 after its three-second pause."""
    samples, rate = read_wav(path.read_bytes())
    assert samples.shape[0] == 2
    phone, application = samples
    assert has_speech(phone, rate)
    assert has_speech(application, rate)
    phone_starts = active_spans(phone, rate)[0][0]
    application_starts = active_spans(application, rate)[0][0]
    assert application_starts - phone_starts > 2.0, (phone_starts, application_starts)


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT_S, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@on_sqlite
def test_the_python_quickstart_runs_as_pasted_next_to_the_servers_data_dir(
    server: ServerProcess, account: TestAccount, tmp_path: Path
) -> None:
    # As in a clone where `scripts/serve` runs: ./data/credentials.json, nothing in the environment
    # but where the server listens.
    (tmp_path / "data").mkdir()
    stored = {"account_sid": account.sid, "auth_token": account.auth_token}
    (tmp_path / "data" / "credentials.json").write_text(json.dumps(stored))
    env = {"PATH": os.environ["PATH"], "PHONOGRAPH_PUBLIC_URL": server.base_url}
    output = _run([sys.executable, "-c", quickstart("python").code], tmp_path, env)
    assert "channel 1: the phone you called" in output
    _check_call_wav(tmp_path / "call.wav")


@on_sqlite
def test_the_node_quickstart_runs_with_the_twilio_package_from_npm(
    reader_env: dict[str, str], tmp_path: Path
) -> None:
    node = shutil.which("node")
    assert node is not None, "scripts/test installs Node.js"
    assert (NODE_MODULES / "twilio").is_dir(), "scripts/test installs twilio from npm into .cache/node"
    (tmp_path / "quickstart.js").write_text(quickstart("js").code)
    env = {"PATH": os.environ["PATH"], "NODE_PATH": str(NODE_MODULES), **reader_env}
    output = _run([node, "quickstart.js"], tmp_path, env)
    assert "channel 2: your application" in output
    _check_call_wav(tmp_path / "call.wav")


@on_sqlite
@pytest.mark.parametrize("block", runnable("sh"), ids=lambda b: b.name)
def test_the_shell_blocks_marked_test_run(block: Block, reader_env: dict[str, str], tmp_path: Path) -> None:
    env = {"PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}", **reader_env}
    _run(["bash", "-euo", "pipefail", "-c", block.code], tmp_path, env)
