"""``phonograph phones``: the virtual phones of a running server."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import typer

from phonograph.cli.remote import Remote, fail, remote_command

phones = typer.Typer(help="Virtual phones of a running server: list, add, remove.", no_args_is_help=True)
PHONES_PATH = "/phonograph/v1/Phones"


def _phone_line(phone: dict[str, Any]) -> str:
    twiml = "yes" if phone["twiml"] is not None else "no"
    return (
        f"{phone['phone_number']} {phone['answer']} after={phone['answer_after_s']:g}s"
        f" twiml={twiml} sid={phone['sid']}"
    )


@remote_command(phones, "list")
def list_phones(
    remote: Remote,
) -> None:
    """Print the account's virtual phones, newest first, one line each."""
    for phone in remote.request("GET", PHONES_PATH).json()["phones"]:
        typer.echo(_phone_line(phone))


@remote_command(phones, "add")
def add_phone(
    remote: Remote,
    number: Annotated[str, typer.Argument(help="The phone's number, E.164 (+15550001111).")],
    answer: Annotated[str, typer.Option(help="answer, busy, no-answer or failed.")] = "answer",
    answer_after_s: Annotated[float, typer.Option(help="Seconds it rings before it answers.")] = 1.0,
    twiml: Annotated[str | None, typer.Option(help="TwiML the phone runs once it answers.")] = None,
    twiml_file: Annotated[Path | None, typer.Option(help="A file holding that TwiML.")] = None,
) -> None:
    """Add a virtual phone to the account and print it."""
    if twiml is not None and twiml_file is not None:
        fail("give --twiml or --twiml-file, not both", 2)
    if twiml_file is not None:
        try:
            twiml = twiml_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            fail(f"cannot read --twiml-file {twiml_file}: {exc}", 2)
    body = {"phone_number": number, "answer": answer, "answer_after_s": answer_after_s, "twiml": twiml}
    typer.echo(_phone_line(remote.request("POST", PHONES_PATH, body).json()))


@remote_command(phones, "remove")
def remove_phone(
    remote: Remote,
    number: Annotated[str, typer.Argument(help="The phone's number, E.164 (+15550001111).")],
) -> None:
    """Remove the account's virtual phone with this number."""
    remote.request("DELETE", f"{PHONES_PATH}/{quote(number, safe='')}")
    typer.echo(f"removed {number}")
