"""Every route and dependency is a coroutine function: FastAPI runs a plain ``def`` one on a worker
thread, a hop that cost every request a thread round trip (found by profiling bench/api.py)."""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from pathlib import Path

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from phonograph.app import build_app
from phonograph.settings import Settings


def _api_routes(routes: Sequence[BaseRoute]) -> list[APIRoute]:
    """The app's API routes; FastAPI ≥ 0.16x keeps an included router whole (``original_router``)."""
    found: list[APIRoute] = []
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            found.extend(_api_routes(included.routes))
        elif isinstance(route, APIRoute):
            found.append(route)
    return found


def _calls(dependant: Dependant) -> list[object]:
    found: list[object] = [dependant.call] if dependant.call is not None else []
    for inner in dependant.dependencies:
        found.extend(_calls(inner))
    return found


def _awaited(call: object) -> bool:
    """Whether FastAPI awaits ``call``: a coroutine function, or an object (a security scheme)
    whose ``__call__`` is one (fastapi/dependencies/models.py)."""
    if inspect.iscoroutinefunction(call):
        return True
    return not inspect.isroutine(call) and inspect.iscoroutinefunction(type(call).__call__)


def test_no_route_or_dependency_runs_on_a_worker_thread(tmp_path: Path) -> None:
    app = build_app(Settings.from_env({"PHONOGRAPH_DATA_DIR": str(tmp_path)}))
    routes = _api_routes(app.routes)
    assert len(routes) > 50  # every resource's routes, not just the health check
    threaded = {
        f"{route.path} {getattr(call, '__qualname__', call)}"
        for route in routes
        for call in _calls(route.dependant)
        if not _awaited(call)
    }
    assert threaded == set()
