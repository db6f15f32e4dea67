"""Room ``console``: the web console at ``/console`` — server-rendered pages (Jinja2) over the API's
own handlers, htmx for live parts and wavesurfer.js for the player, both vendored (no CDN)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from phonograph.api import ApiContext
from phonograph.console import calls, conferences, dashboard, login, logs, recordings, settings
from phonograph.console.sessions import Signer, secret_key
from phonograph.console.web import PREFIX, ConsoleState


def install(app: FastAPI, context: ApiContext, key: bytes) -> None:
    """Serve the console on ``app``; ``/`` leads to it. ``key`` signs its sessions."""
    app.state.console = ConsoleState(context, Signer(key))
    app.mount(
        f"{PREFIX}/static", StaticFiles(directory=Path(__file__).parent / "static"), name="console-static"
    )
    for module in (login, calls, conferences, recordings, logs, dashboard, settings):
        app.include_router(module.router, include_in_schema=False)

    @app.get("/", include_in_schema=False)
    async def root() -> RedirectResponse:
        return RedirectResponse(PREFIX, status_code=307)


__all__ = ["install", "secret_key"]
