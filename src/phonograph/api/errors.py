"""Error rendering, in the shape of the API family that was called
(twilio.com/docs/configurations/recording-configuration-resource;
twilio.com/docs/configurations/batch-transcription-quickstart; twilio.com/docs/api/errors).

v2010 and v2: ``{code, message, more_info, status}``. v3: RFC 9457 ``{type, title, status, code,
detail}``, which the SDK recognises by those four keys (twilio/base/version.py).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from phonograph.api.auth import authenticate, not_found
from phonograph.api.context import get_context
from phonograph.core import (
    AuthenticationFailed,
    InternalError,
    InvalidParameter,
    MethodNotAllowed,
    PhonographError,
)
from phonograph.core.wire import is_storable_text

log = logging.getLogger(__name__)

RFC9457_TYPE_BASE = "https://www.twilio.com/docs/api/errors/"


def error_body(error: PhonographError, path: str) -> dict[str, Any]:
    if path.startswith("/v3/"):
        return {
            "type": f"{RFC9457_TYPE_BASE}{error.code}",
            "title": error.message,
            "status": error.status,
            "code": error.code,
            "detail": error.message,
            "instance": path,
        }
    return {
        "code": error.code,
        "message": error.message,
        "more_info": error.more_info,
        "status": error.status,
    }


def render_error(request: Request, error: PhonographError) -> JSONResponse:
    headers = {}
    if isinstance(error, AuthenticationFailed):
        headers["WWW-Authenticate"] = 'Basic realm="Twilio API"'
    if error.retry_after_s is not None:
        headers["Retry-After"] = str(error.retry_after_s)
    return JSONResponse(error_body(error, request.url.path), status_code=error.status, headers=headers)


async def _on_phonograph_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, PhonographError)
    return render_error(request, exc)


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 405:
        return render_error(request, MethodNotAllowed(f"Method {request.method} is not allowed here"))
    if exc.status_code == 404:
        # Credentials are checked before a path is said not to exist, as for the routes that do.
        try:
            await authenticate(request, await get_context(request))
        except AuthenticationFailed as failed:
            return render_error(request, failed)
        return render_error(request, not_found(request.url.path))
    return render_error(request, PhonographError(str(exc.detail), code=20001, status=exc.status_code))


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"][1:])
    return render_error(request, InvalidParameter(f"Invalid {where}: {first['msg']}"))


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error method=%s path=%s", request.method, request.url.path)
    return render_error(request, InternalError("Internal server error"))


class RefuseNulInPath:
    """A path with a NUL (``%00``) is a 400 before routing: no route could store or look it up
    (PostgreSQL refuses NUL in text), and the answer should not depend on the backend."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not is_storable_text(scope["path"]):
            response = render_error(
                Request(scope), InvalidParameter("The path must not contain a NUL character")
            )
            await response(scope, receive, send)
            return
        await self._app(scope, receive, send)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(PhonographError, _on_phonograph_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(Exception, _on_unexpected)
    app.add_middleware(RefuseNulInPath)
