"""What every route needs, built once in app.py and handed to routes through ``request.app.state``."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from phonograph.core import Clock
from phonograph.store import Database


@dataclass(frozen=True)
class ApiContext:
    db: Database
    clock: Clock
    public_url: str

    def absolute(self, path: str) -> str:
        """An absolute URL for a path we serve (``uri`` fields stay relative, as Twilio's do)."""
        return self.public_url + path


def get_context(request: Request) -> ApiContext:
    context: ApiContext = request.app.state.context
    return context
