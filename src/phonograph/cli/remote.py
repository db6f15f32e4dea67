"""What every command that talks to a running server shares: where the server is, whose
credentials (the options, else ``PHONOGRAPH_ACCOUNT_SID``/``PHONOGRAPH_AUTH_TOKEN``, else the
server's ``credentials.json``), and requests that turn a refusal into a message and exit status 1."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, NoReturn

import httpx
import typer

from phonograph.core.server_terms import DEFAULT_HOST, DEFAULT_PORT

DEFAULT_SERVER = f"http://{DEFAULT_HOST}:{DEFAULT_PORT}"
HTTP_TIMEOUT_S = 10.0
DOWNLOAD_TIMEOUT_S = 120.0

ServerOption = Annotated[
    str,
    typer.Option("--server", "--url", envvar="PHONOGRAPH_PUBLIC_URL", help="Base URL of the running server."),
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


def fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


@dataclass(frozen=True)
class Login:
    account_sid: str
    auth_token: str


def _credentials(account_sid: str | None, auth_token: str | None, data_dir: Path | None) -> Login:
    if account_sid or auth_token:
        if not (account_sid and auth_token):
            fail("give both --account-sid and --auth-token, or neither", 2)
        return Login(account_sid, auth_token)
    # Only here does a command load the server's modules (the settings' checks, the data dir's
    # credentials): one given its credentials starts in a fraction of the time.
    from phonograph.app import stored_credentials
    from phonograph.settings import Settings, SettingsError

    try:
        settings = Settings.from_env(data_dir=data_dir)
    except SettingsError as exc:
        fail(str(exc), 2)
    if settings.account_sid and settings.auth_token:
        return Login(settings.account_sid, settings.auth_token)
    stored = stored_credentials(settings)
    if stored is None:
        fail(
            "no credentials: pass --account-sid and --auth-token, set PHONOGRAPH_ACCOUNT_SID and"
            f" PHONOGRAPH_AUTH_TOKEN, or point --data-dir at the server's data dir (not {settings.data_dir})",
            2,
        )
    return Login(stored.account_sid, stored.auth_token)


@dataclass(frozen=True)
class Remote:
    """A running server and the account the command acts as. The credentials are looked for when
    first needed, so that a command's own usage errors are reported before a missing one."""

    server: str
    account_sid_option: str | None = None
    auth_token_option: str | None = None
    data_dir: Path | None = None

    @functools.cached_property
    def credentials(self) -> Login:
        return _credentials(self.account_sid_option, self.auth_token_option, self.data_dir)

    @property
    def account_sid(self) -> str:
        return self.credentials.account_sid

    @property
    def api(self) -> str:
        """The account's 2010-04-01 path: ``/2010-04-01/Accounts/AC…``."""
        return f"/2010-04-01/Accounts/{self.account_sid}"

    def request(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        params: dict[str, str | int] | None = None,
        timeout_s: float = HTTP_TIMEOUT_S,
    ) -> httpx.Response:
        """The server's answer; a refusal or an unreachable server ends the command with status 1."""
        auth = (self.credentials.account_sid, self.credentials.auth_token)
        try:
            response = httpx.request(
                method,
                f"{self.server.rstrip('/')}{path}",
                json=body,
                params=params,
                auth=auth,
                timeout=timeout_s,
            )
        except httpx.HTTPError as exc:
            fail(f"cannot reach {self.server}: {exc}")
        if response.is_error:
            try:
                error = response.json()
                message = f"{error['message']} (code {error['code']}, HTTP {response.status_code})"
            except (ValueError, KeyError, TypeError):
                message = f"{response.text or response.reason_phrase} (HTTP {response.status_code})"
            fail(message)
        return response

    def get(self, path: str, **params: str | int) -> Any:
        """A GET's JSON body."""
        return self.request("GET", path, params=params).json()


_CONNECTION = [
    inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)
    for name, default, annotation in (
        ("server", DEFAULT_SERVER, ServerOption),
        ("account_sid", None, AccountSidOption),
        ("auth_token", None, AuthTokenOption),
        ("data_dir", None, DataDirOption),
    )
]


Command = Callable[..., None]


def remote_command(group: typer.Typer, name: str | None = None) -> Callable[[Command], Command]:
    """Register ``command(remote, ...)`` on ``group`` as a command that also takes ``--server``,
    ``--account-sid``, ``--auth-token`` and ``--data-dir`` and hands it the :class:`Remote` they
    name: every command that talks to a server finds it, and its credentials, the same way."""

    def register(command: Command) -> Command:
        own = [p for p in inspect.signature(command, eval_str=True).parameters.values() if p.name != "remote"]

        @functools.wraps(command)
        def run(**options: Any) -> None:
            connection = [options.pop(parameter.name) for parameter in _CONNECTION]
            command(Remote(*connection), **options)

        signature = inspect.Signature([*own, *_CONNECTION])
        # Typer reads the parameters from the signature and their types from the annotations.
        setattr(run, "__signature__", signature)  # noqa: B010 (mypy: functions have no such attribute)
        run.__annotations__ = {
            parameter.name: parameter.annotation for parameter in signature.parameters.values()
        }
        group.command(name)(run)
        return command

    return register
