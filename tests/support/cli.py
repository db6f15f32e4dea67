"""The ``phonograph`` command line run as users run it: a subprocess, its exit code and output."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from phonograph.testing.server import ServerProcess
from tests.conftest import TestAccount

RUN_TIMEOUT_S = 60
# Wide enough that rich never folds a SID or a URL in the tables the tests read.
COLUMNS = "400"


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def phonograph(cwd: Path | None, *args: str, env: dict[str, str] | None = None, answer: str = "") -> Run:
    """``python -m phonograph ARGS`` in ``cwd`` with ``answer`` on its stdin."""
    done = subprocess.run(
        [sys.executable, "-m", "phonograph", *args],
        cwd=cwd,
        env={**os.environ, "COLUMNS": COLUMNS, **(env or {})},
        input=answer,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
        check=False,
    )
    return Run(done.returncode, done.stdout, done.stderr)


def as_account(server: ServerProcess, account: TestAccount) -> list[str]:
    return ["--server", server.base_url, "--account-sid", account.sid, "--auth-token", account.auth_token]
