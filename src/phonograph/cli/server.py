"""``phonograph serve`` and ``phonograph reset``: a server and its data dir."""

from __future__ import annotations

import logging
import os
import shutil
import signal
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from phonograph.cli.remote import fail as _fail
from phonograph.core import DEFAULT_HOST, DEFAULT_PORT, redact_userinfo
from phonograph.core.transcription_terms import MODELS_FOLDER

if TYPE_CHECKING:
    from phonograph.app import Credentials
    from phonograph.settings import Settings
    from phonograph.sip import SipSockets

# The server's own modules are loaded by the commands that need them, not by every command:
# ``phonograph calls list`` starts without them.

console = Console()


def serve(
    host: str = typer.Option(DEFAULT_HOST, help="Interface to listen on."),
    port: int = typer.Option(DEFAULT_PORT, help="TCP port to listen on."),
    data_dir: Path | None = typer.Option(None, help="Where the database and media live [default: ./data]."),
    log_level: str = typer.Option("info", help="debug, info, warning or error."),
) -> None:
    """Run the whole server in one process (SQLite and local files by default)."""
    import uvicorn

    from phonograph.app import build_app

    settings = settings_or_exit(host=host, port=port, data_dir=data_dir)
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logging.basicConfig(level=log_level.upper(), handlers=[handler])
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)

    # The port is taken before anything is created: a second server on a busy port leaves no data
    # dir behind. Everything the server writes is its user's alone (the database holds every Auth
    # Token; journals and media hold calls): files 0600, directories 0700.
    listening = _bind(settings.host, settings.port)
    sip_sockets = _bind_sip(settings.host, settings.sip_port) if settings.sip_port else None
    os.umask(0o077)
    # A server started from another folder finds no ./data there and makes a new account: say so.
    new_data_dir = not _holds_data(settings.data_dir)

    def announce(credentials: Credentials) -> None:
        # A token is printed once, when it is made; one from the environment or the data dir is not.
        token = credentials.auth_token if credentials.generated else f"(in {_token_source(settings)})"
        for line in (
            f"phonograph is listening on http://{settings.host}:{settings.port}",
            f"  Public URL:  {settings.public_url}",
            f"  Account SID: {credentials.account_sid}",
            f"  Auth Token:  {token}",
            f"  Data dir:    {settings.data_dir}" + (" (new: made on this start)" if new_data_dir else ""),
        ):
            console.print(line, highlight=False, soft_wrap=True)

    app = build_app(settings, on_ready=announce, sip_sockets=sip_sockets)
    # uvicorn turns SIGTERM and SIGINT into a graceful shutdown: in-flight requests finish first.
    # Afterwards it re-raises the signal to the handler it found; this one makes that exit code 0.
    signal.signal(signal.SIGTERM, _exit_after_sigterm)
    server = uvicorn.Server(uvicorn.Config(app, log_level=log_level, access_log=False))
    with _pid_file(settings.data_dir):
        server.run(sockets=[listening])


DATA_DIR_MARKS = ("credentials.json", "phonograph.db", "journal", "media")
"""What a server writes into its data dir; ``reset`` deletes no folder that has none of them."""


def _holds_data(data_dir: Path) -> bool:
    return any((data_dir / mark).exists() for mark in DATA_DIR_MARKS)


PID_FILE = "server.pid"
"""In the data dir while a server uses it, so that ``reset`` refuses to pull it from under one."""


@contextmanager
def _pid_file(data_dir: Path) -> Iterator[None]:
    from phonograph.app import make_private_dir

    make_private_dir(data_dir)
    path = data_dir / PID_FILE
    path.write_text(f"{os.getpid()}\n")
    try:
        yield
    finally:
        path.unlink(missing_ok=True)


def _serving_pid(data_dir: Path) -> int | None:
    """The process serving ``data_dir``, if one is alive (a killed server leaves its file behind)."""
    try:
        pid = int((data_dir / PID_FILE).read_text())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


def reset(
    data_dir: Path | None = typer.Option(None, help="The data dir to delete [default: ./data]."),
    yes: bool = typer.Option(False, "--yes", help="Delete without asking."),
) -> None:
    """Delete a stopped server's data dir: its database, credentials, journals and recordings. Its
    speech-to-text models (``phonograph models``) are kept: they hold no one's data."""
    path = settings_or_exit(data_dir=data_dir).data_dir
    if not path.exists():
        typer.echo(f"nothing to reset: {path} does not exist")
        return
    if not _holds_data(path):
        if (path / MODELS_FOLDER).is_dir():
            typer.echo(f"nothing to reset: {path} holds only models")
            return
        _fail(f"{path} does not look like a phonograph data dir; nothing deleted", 2)
    if (pid := _serving_pid(path)) is not None:
        _fail(f"a server (pid {pid}) is using {path}; stop it first", 2)
    if not yes:
        typer.confirm(f"Delete {path} with its accounts, calls and recordings?", abort=True)
    kept = path / MODELS_FOLDER
    for entry in path.iterdir():
        if entry == kept:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    if kept.is_dir():
        typer.echo(f"deleted {path}'s accounts, calls and recordings; kept its models in {kept}")
    else:
        path.rmdir()
        typer.echo(f"deleted {path}")


def settings_or_exit(
    *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, data_dir: Path | None
) -> Settings:
    from phonograph.settings import Settings, SettingsError

    try:
        return Settings.from_env(host=host, port=port, data_dir=data_dir)
    except SettingsError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None


def _bind(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` for the server, or exit 2 saying the port is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP spelled out: asyncio sets TCP_NODELAY only on sockets whose proto says TCP, and
    # without it a response written in two parts waits 40 ms for the client's delayed ACK (Nagle).
    listening = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listening.bind((host, port))
    except OSError as exc:
        listening.close()
        console.print(f"[red]error:[/red] cannot listen on {host}:{port}: {exc.strerror}")
        raise typer.Exit(2) from None
    return listening


def _bind_sip(host: str, port: int) -> SipSockets:
    """The UDP socket and the listening TCP socket SIP answers on (sip/endpoint.py), or exit 2
    saying which one is taken."""
    from phonograph.sip import SipSockets

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    bound: list[socket.socket] = []
    for name, kind in (("udp", socket.SOCK_DGRAM), ("tcp", socket.SOCK_STREAM)):
        made = socket.socket(family, kind)
        if kind == socket.SOCK_STREAM:
            made.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            made.bind((host, port))
            if kind == socket.SOCK_STREAM:
                made.listen(128)
        except OSError as exc:
            for other in (made, *bound):
                other.close()
            console.print(
                f"[red]error:[/red] cannot listen for SIP on {name} {host}:{port}: {exc.strerror} "
                "(PHONOGRAPH_SIP_PORT=0 runs without SIP)"
            )
            raise typer.Exit(2) from None
        bound.append(made)
    return SipSockets(udp=bound[0], tcp=bound[1])


def _token_source(settings: Settings) -> str:
    if os.environ.get("PHONOGRAPH_AUTH_TOKEN"):
        return "PHONOGRAPH_AUTH_TOKEN"
    return str(settings.credentials_file)


class RedactingFormatter(logging.Formatter):
    """Log lines with URL passwords (``https://user:***@host``) redacted, tracebacks included: a
    tenant's ``user:password@`` callback URL never reaches the log in the clear."""

    def format(self, record: logging.LogRecord) -> str:
        return redact_userinfo(super().format(record))


def _exit_after_sigterm(_signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(0)
