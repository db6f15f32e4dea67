"""The command line: ``phonograph serve``."""

from __future__ import annotations

import logging
import signal
from pathlib import Path
from types import FrameType

import typer
import uvicorn
from rich.console import Console

from phonograph.app import Credentials, build_app
from phonograph.settings import DEFAULT_HOST, DEFAULT_PORT, Settings, SettingsError

cli = typer.Typer(help="phonograph: Twilio-compatible call recording, self-hosted.", no_args_is_help=True)
console = Console()


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
    try:
        settings = Settings.from_env(host=host, port=port, data_dir=data_dir)
    except SettingsError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)

    def announce(credentials: Credentials) -> None:
        console.print(f"phonograph is listening on http://{settings.host}:{settings.port}", highlight=False)
        console.print(f"  Public URL:  {settings.public_url}", highlight=False)
        console.print(f"  Account SID: {credentials.account_sid}", highlight=False)
        console.print(f"  Auth Token:  {credentials.auth_token}", highlight=False)
        console.print(f"  Data dir:    {settings.data_dir}", highlight=False)

    app = build_app(settings, on_ready=announce)
    # uvicorn turns SIGTERM and SIGINT into a graceful shutdown: in-flight requests finish first.
    # Afterwards it re-raises the signal to the handler it found; this one makes that exit code 0.
    signal.signal(signal.SIGTERM, _exit_after_sigterm)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level=log_level, access_log=False)


def _exit_after_sigterm(_signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(0)


def main() -> None:
    cli()
