"""What every console page shares: templates, the session (``Viewer``), CSRF-checked forms, and
errors shown as pages.

The console is a skin over the API: its pages call the API's own handlers and helpers with the
principal the session stands for, so a page shows exactly what those credentials see over the
API, and a form is checked by the same code as the API request it stands for.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qsl, quote, urlencode

from fastapi import Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.types import Message

from phonograph.api import ApiContext
from phonograph.api.auth import reach_account
from phonograph.api.body import read_body
from phonograph.api.principals import Principal
from phonograph.console.sessions import COOKIE, SESSION_S, ConsoleSession, Signer
from phonograph.core import Forbidden, MalformedBody, PhonographError
from phonograph.core.errors import MORE_INFO_BASE
from phonograph.store import Account, AccountRepo, AccountStatus, ApiKeyRepo, ConsoleLogoutRepo

PREFIX = "/console"
TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    # Every value is escaped unless a template says otherwise (none does): names, bodies and
    # transcripts are the tenant's text.
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
TEMPLATES.globals["error_link"] = lambda code: f"{MORE_INFO_BASE}{code}"


@dataclass(frozen=True)
class ConsoleState:
    api: ApiContext
    signer: Signer


def state(request: Request) -> ConsoleState:
    console: ConsoleState = request.app.state.console
    return console


class LoginNeeded(Exception):
    """No valid session: the page sends the browser to the login form."""


@dataclass(frozen=True)
class Viewer:
    """Who is looking (the session's principal) and at which account (theirs or a subaccount)."""

    session: ConsoleSession
    principal: Principal
    account: Account
    context: ApiContext

    @property
    def acting(self) -> Principal:
        """The principal for API resources that take their account from the credentials (v2
        Configurations, virtual phones): the viewed account, which the principal reaches."""
        return Principal(self.account, self.principal.key_sid)


async def _principal(context: ApiContext, signer: Signer, session: ConsoleSession) -> Principal | None:
    """The session's principal while it holds: not logged out, the Auth Token unchanged, the API
    key not deleted, the account active."""
    async with context.db.read() as db:
        if await ConsoleLogoutRepo(db).logged_out(session.digest):
            return None
        account = await AccountRepo(db).get(session.account_sid)
        key = None if session.key_sid is None else await ApiKeyRepo(db).get(session.key_sid)
    if account is None or account.status is not AccountStatus.ACTIVE:
        return None
    if session.key_sid is None:
        credential = account.auth_token
    elif key is None or key.account_sid != account.sid:
        return None
    else:
        credential = key.secret_sha256
    if not hmac.compare_digest(signer.fingerprint(credential), session.fingerprint):
        return None
    return Principal(account, session.key_sid)


async def viewer(request: Request) -> Viewer:
    console = state(request)
    now_s = int(console.api.clock.now().timestamp())
    session = console.signer.load(request.cookies.get(COOKIE), now_s)
    if session is None:
        raise LoginNeeded
    principal = await _principal(console.api, console.signer, session)
    if principal is None:
        raise LoginNeeded
    account = await reach_account(console.api, principal, session.viewing, request.url.path)
    return Viewer(session, principal, account, console.api)


Viewing = Annotated[Viewer, Depends(viewer)]


async def checked_form(request: Request, viewer: Viewer | None = None, csrf: str | None = None) -> Request:
    """The request with its form read and its CSRF token checked (the session's, or ``csrf`` for
    the login form), made readable again for the API handler that takes it over."""
    body = await read_body(request)
    try:
        fields = dict(parse_qsl(body.decode(), keep_blank_values=True))
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedBody("The form is not valid application/x-www-form-urlencoded") from exc
    expected = csrf if viewer is None else viewer.session.csrf
    given = fields.get("csrf", "")
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        raise Forbidden("The form's CSRF token is missing or wrong: reload the page and try again")
    replayed = with_body(
        request, body, request.headers.get("content-type", "application/x-www-form-urlencoded")
    )
    replayed.state.form = fields
    return replayed


def with_body(request: Request, body: bytes, content_type: str, **extra: str) -> Request:
    """A request like ``request`` whose body is ``body`` (and with the ``extra`` headers, such as
    ``if_match``): a console form that stands for a JSON API request (a configuration, media
    settings, a phone) hands the API's handler that JSON."""
    given = {name.replace("_", "-").encode(): value.encode() for name, value in extra.items()}
    replaced = (b"content-type", b"content-length", *given)
    headers = [(name, value) for name, value in request.scope["headers"] if name not in replaced]
    headers += [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode())]
    headers += list(given.items())
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return Request({**request.scope, "headers": headers}, receive)


def secure_cookie(request: Request) -> bool:
    """``Secure`` over HTTPS, and on loopback, where browsers send a Secure cookie over plain HTTP;
    a server reached over plain HTTP from elsewhere would never get its cookie back."""
    if request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https":
        return True
    host = request.url.hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def set_session(request: Request, response: Response, session: ConsoleSession) -> None:
    response.set_cookie(
        COOKIE,
        state(request).signer.dump(session),
        max_age=SESSION_S,
        path=PREFIX,
        secure=secure_cookie(request),
        httponly=True,
        samesite="lax",
    )


def page(request: Request, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    html = TEMPLATES.get_template(template).render(request=request, prefix=PREFIX, **values)
    return HTMLResponse(html, status_code=status_code, headers=_PAGE_HEADERS)


def redirect(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


def console_path(target: str | None, default: str) -> str:
    """``target`` if it is a path of the console, else ``default``: where a form sends the browser
    next (after logging in, after a replay), never another site."""
    if target and target.startswith(f"{PREFIX}/") and "\\" not in target:
        return target
    return default


def next_link(api_page: dict[str, Any], base: str) -> str | None:
    """The console link to the next page of an API list (its ``next_page_uri``'s query)."""
    uri = api_page.get("next_page_uri")
    if not uri:
        return None
    return f"{base}?{uri.partition('?')[2]}"


def login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return redirect(f"{PREFIX}/login?next={quote(target, safe='')}")


# Pages are never cached, framed, or sniffed; scripts come from this server only (the vendored
# htmx and wavesurfer.js), so an injected <script> would not run even if escaping failed.
_PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "media-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'"
    ),
}


def _without_blanks(request: Request) -> Request:
    """The request without its blank query values: a browser sends every field of a GET form, the
    unfilled ones blank, and the API's filters would take a blank ``To`` for a number."""
    query = request.query_params.multi_items()
    if all(value for _, value in query):
        return request
    kept = urlencode([(name, value) for name, value in query if value]).encode()
    return Request({**request.scope, "query_string": kept}, request.receive)


class ConsoleRoute(APIRoute):
    """A console route: no session sends the browser to log in, a filter form's blank fields are
    not given, and an error is a page with its Twilio code, never JSON or a 500."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(_without_blanks(request))
            except LoginNeeded:
                if request.method == "GET":
                    return login_redirect(request)
                return page(request, "error.html", 401, code=20003, status=401, message="Log in again.")
            except PhonographError as error:
                message = str(error)
                return page(
                    request, "error.html", error.status, code=error.code, status=error.status, message=message
                )

        return guarded
