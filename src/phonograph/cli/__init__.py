"""The command line. ``serve``, ``reset`` (``server.py``) and ``models`` (``models.py``) work on a
data dir; the rest talk to a running server (``remote.py``): ``phones``, ``transcribe``, and the
look-around commands (``look.py``: ``calls``, ``recordings``, ``notifications``,
``configurations``, ``callbacks``)."""

from __future__ import annotations

import typer

from phonograph.cli.look import callbacks, calls, configurations, notifications, recordings
from phonograph.cli.models import models
from phonograph.cli.phones import phones
from phonograph.cli.remote import remote_command
from phonograph.cli.server import reset, serve
from phonograph.cli.transcribe import transcribe

cli = typer.Typer(help="phonograph: Twilio-compatible call recording, self-hosted.", no_args_is_help=True)
cli.command()(serve)
cli.command()(reset)
remote_command(cli)(transcribe)
for group, name in (
    (phones, "phones"),
    (calls, "calls"),
    (recordings, "recordings"),
    (notifications, "notifications"),
    (configurations, "configurations"),
    (callbacks, "callbacks"),
    (models, "models"),
):
    cli.add_typer(group, name=name)


def main() -> None:
    cli()
