"""The command line: ``phonograph serve`` and ``phonograph reset`` for a data dir, and ``phonograph
phones`` and ``phonograph transcribe`` for a running server."""

from __future__ import annotations

import logging
import os
import shutil
import signal
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Annotated, Any, NoReturn
from urllib.parse import quote

import httpx
import typer
import uvicorn
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from phonograph.app import Credentials, build_app, make_private_dir, stored_credentials
from phonograph.core import redact_userinfo
from phonograph.settings import DEFAULT_HOST, DEFAULT_PORT, Settings, SettingsError

cli = typer.Typer(help="phonograph: Twilio-compatible call recording, self-hosted.", no_args_is_help=True)
phones = typer.Typer(help="Virtual phones of a running server: list, add, remove.", no_args_is_help=True)
cli.add_typer(phones, name="phones")
console = Console()

DEFAULT_SERVER = f"http://{DEFAULT_HOST}:{DEFAULT_PORT}"
PHONES_PATH = "/phonograph/v1/Phones"
HTTP_TIMEOUT_S = 10.0


@cli.callback()
def _root() -> None:
    """Keep ``serve`` a subcommand even while it is the only one."""


@cli.command()
def serve(
    host: str = typer.Option(DEFAULT_HOST, help="Interface to listen on."),
    port: int = typer.Option(DEFAULT_PORT, help="TCP port to listen on."),
    data_dir: Path | None = typer.Option(None, help="Where the database and media live [default: ./data]."),
    log_level: str = typer.Option("info", help="debug, info, warning or error."),
) -> None:
    """Run the whole server in one process (SQLite and local files by default)."""
    settings = _settings(host=host, port=port, data_dir=data_dir)
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logging.basicConfig(level=log_level.upper(), handlers=[handler])
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)

    # The port is taken before anything is created: a second server on a busy port leaves no data
    # dir behind. Everything the server writes is its user's alone (the database holds every Auth
    # Token; journals and media hold calls): files 0600, directories 0700.
    listening = _bind(settings.host, settings.port)
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

    app = build_app(settings, on_ready=announce)
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


@cli.command()
def reset(
    data_dir: Path | None = typer.Option(None, help="The data dir to delete [default: ./data]."),
    yes: bool = typer.Option(False, "--yes", help="Delete without asking."),
) -> None:
    """Delete a stopped server's data dir: its database, credentials, journals and recordings."""
    path = _settings(data_dir=data_dir).data_dir
    if not path.exists():
        typer.echo(f"nothing to reset: {path} does not exist")
        return
    if not _holds_data(path):
        _fail(f"{path} does not look like a phonograph data dir; nothing deleted", 2)
    if (pid := _serving_pid(path)) is not None:
        _fail(f"a server (pid {pid}) is using {path}; stop it first", 2)
    if not yes:
        typer.confirm(f"Delete {path} with its accounts, calls and recordings?", abort=True)
    shutil.rmtree(path)
    typer.echo(f"deleted {path}")


def _settings(*, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, data_dir: Path | None) -> Settings:
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


# --- phonograph phones -----------------------------------------------------------------------------

ServerOption = Annotated[
    str,
    typer.Option("--server", envvar="PHONOGRAPH_PUBLIC_URL", help="Base URL of the running server."),
]
AccountSidOption = Annotated[
    str | None, typer.Option("--account-sid", help="Account SID [default: PHONOGRAPH_ACCOUNT_SID]")
]
AuthTokenOption = Annotated[
    str | None, typer.Option("--auth-token", help="Auth Token [default: PHONOGRAPH_AUTH_TOKEN]")
]
DataDirOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir", help="The server's data dir, for its credentials.json when no others are given."
    ),
]


def _fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _credentials(account_sid: str | None, auth_token: str | None, data_dir: Path | None) -> Credentials:
    """From the options, else the environment, else the server's ``<data-dir>/credentials.json``."""
    if account_sid or auth_token:
        if not (account_sid and auth_token):
            _fail("give both --account-sid and --auth-token, or neither", 2)
        return Credentials(account_sid, auth_token)
    try:
        settings = Settings.from_env(data_dir=data_dir)
    except SettingsError as exc:
        _fail(str(exc), 2)
    if settings.account_sid and settings.auth_token:
        return Credentials(settings.account_sid, settings.auth_token)
    stored = stored_credentials(settings)
    if stored is None:
        _fail(
            "no credentials: pass --account-sid and --auth-token, set PHONOGRAPH_ACCOUNT_SID and"
            f" PHONOGRAPH_AUTH_TOKEN, or point --data-dir at the server's data dir (not {settings.data_dir})",
            2,
        )
    return stored


def _request(
    server: str, credentials: Credentials, method: str, path: str, body: dict[str, Any] | None = None
) -> httpx.Response:
    """The server's answer; a refusal or an unreachable server ends the command with status 1."""
    auth = (credentials.account_sid, credentials.auth_token)
    try:
        response = httpx.request(
            method, f"{server.rstrip('/')}{path}", json=body, auth=auth, timeout=HTTP_TIMEOUT_S
        )
    except httpx.HTTPError as exc:
        _fail(f"cannot reach {server}: {exc}")
    if response.is_error:
        try:
            error = response.json()
            message = f"{error['message']} (code {error['code']}, HTTP {response.status_code})"
        except (ValueError, KeyError, TypeError):
            message = f"{response.text or response.reason_phrase} (HTTP {response.status_code})"
        _fail(message)
    return response


def _phone_line(phone: dict[str, Any]) -> str:
    twiml = "yes" if phone["twiml"] is not None else "no"
    return (
        f"{phone['phone_number']} {phone['answer']} after={phone['answer_after_s']:g}s"
        f" twiml={twiml} sid={phone['sid']}"
    )


@phones.command("list")
def list_phones(
    server: ServerOption = DEFAULT_SERVER,
    account_sid: AccountSidOption = None,
    auth_token: AuthTokenOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Print the account's virtual phones, newest first, one line each."""
    credentials = _credentials(account_sid, auth_token, data_dir)
    for phone in _request(server, credentials, "GET", PHONES_PATH).json()["phones"]:
        typer.echo(_phone_line(phone))


@phones.command("add")
def add_phone(
    number: Annotated[str, typer.Argument(help="The phone's number, E.164 (+15550001111).")],
    answer: Annotated[str, typer.Option(help="answer, busy, no-answer or failed.")] = "answer",
    answer_after_s: Annotated[float, typer.Option(help="Seconds it rings before it answers.")] = 1.0,
    twiml: Annotated[str | None, typer.Option(help="TwiML the phone runs once it answers.")] = None,
    twiml_file: Annotated[Path | None, typer.Option(help="A file holding that TwiML.")] = None,
    server: ServerOption = DEFAULT_SERVER,
    account_sid: AccountSidOption = None,
    auth_token: AuthTokenOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Add a virtual phone to the account and print it."""
    if twiml is not None and twiml_file is not None:
        _fail("give --twiml or --twiml-file, not both", 2)
    if twiml_file is not None:
        try:
            twiml = twiml_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            _fail(f"cannot read --twiml-file {twiml_file}: {exc}", 2)
    credentials = _credentials(account_sid, auth_token, data_dir)
    body = {"phone_number": number, "answer": answer, "answer_after_s": answer_after_s, "twiml": twiml}
    typer.echo(_phone_line(_request(server, credentials, "POST", PHONES_PATH, body).json()))


@phones.command("remove")
def remove_phone(
    number: Annotated[str, typer.Argument(help="The phone's number, E.164 (+15550001111).")],
    server: ServerOption = DEFAULT_SERVER,
    account_sid: AccountSidOption = None,
    auth_token: AuthTokenOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Remove the account's virtual phone with this number."""
    credentials = _credentials(account_sid, auth_token, data_dir)
    _request(server, credentials, "DELETE", f"{PHONES_PATH}/{quote(number, safe='')}")
    typer.echo(f"removed {number}")


# --- phonograph transcribe -------------------------------------------------------------------------

TRANSCRIPTIONS_PATH = "/phonograph/v1/Transcriptions"
POLL_INTERVAL_S = 0.2
FINISHED_STATUSES = ("COMPLETED", "FAILED")
TENTHS_PER_MINUTE = 600
UrlOption = Annotated[str, typer.Option("--url", "--server", help="Base URL of the running server.")]


def _clock(seconds: float) -> str:
    """``mm:ss.t``: 1.23 s is ``00:01.2``."""
    minutes, tenths = divmod(round(seconds * 10), TENTHS_PER_MINUTE)
    return f"{minutes:02d}:{tenths // 10:02d}.{tenths % 10}"


def _sentence_line(sentence: dict[str, Any]) -> str:
    """``[00:01.2–00:03.4] ch1 CUSTOMER: text`` (the participant's type, when the job has one)."""
    span = f"[{_clock(sentence['startTime'])}\u2013{_clock(sentence['endTime'])}]"
    participant = sentence.get("participant") or {}
    who = f"ch{sentence['channel']}" + (f" {participant['type']}" if participant.get("type") else "")
    return f"{span} {who}: {sentence['text']}"


def _follow(server: str, credentials: Credentials, jobs: dict[str, dict[str, Any]]) -> None:
    """Poll every job until each has finished, showing their progress on stderr; ``jobs`` (by
    recording SID) ends up holding each one's last state."""
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TextColumn("{task.fields[status]}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=Console(stderr=True)) as progress:
        tasks: dict[str, TaskID] = {
            recording_sid: progress.add_task(recording_sid, total=1.0, status=job["status"])
            for recording_sid, job in jobs.items()
        }
        while True:
            for recording_sid, job in jobs.items():
                done = 1.0 if job["status"] == "COMPLETED" else job["progress"]
                progress.update(tasks[recording_sid], completed=done, status=job["status"])
            if all(job["status"] in FINISHED_STATUSES for job in jobs.values()):
                return
            time.sleep(POLL_INTERVAL_S)
            for recording_sid, job in jobs.items():
                if job["status"] not in FINISHED_STATUSES:
                    path = f"{TRANSCRIPTIONS_PATH}/{job['id']}"
                    jobs[recording_sid] = _request(server, credentials, "GET", path).json()


@cli.command()
def transcribe(
    recording_sids: Annotated[list[str], typer.Argument(help="Recording SIDs (RE…) to transcribe.")],
    server: UrlOption = DEFAULT_SERVER,
    account_sid: AccountSidOption = None,
    auth_token: AuthTokenOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Transcribe completed recordings with the server's speech-to-text model, and print them.

    Each recording becomes a transcription job (TR…, listed with the account's transcriptions). A
    progress bar follows the jobs on stderr; then each transcript is printed on stdout, one line per
    sentence: time span, channel, participant type and text. The exit status is 1 when a job failed.
    """
    credentials = _credentials(account_sid, auth_token, data_dir)
    base = f"/phonograph/v1/Accounts/{credentials.account_sid}/Recordings"
    jobs = {
        sid: _request(server, credentials, "POST", f"{base}/{quote(sid, safe='')}/Transcriptions").json()
        for sid in dict.fromkeys(recording_sids)
    }
    _follow(server, credentials, jobs)
    failed = False
    for recording_sid, job in jobs.items():
        if len(jobs) > 1:
            typer.echo(f"{recording_sid} ({job['id']}):")
        if job["status"] == "FAILED":
            failed = True
            typer.echo(f"error: {recording_sid}: {job['errorMessage']} (code {job['errorCode']})", err=True)
            continue
        for sentence in job["sentences"] or []:
            typer.echo(_sentence_line(sentence))
    if failed:
        raise typer.Exit(1)


def main() -> None:
    cli()
