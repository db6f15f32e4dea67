"""Room ``api``: HTTP routes per resource, auth, paging, error rendering."""

from fastapi import FastAPI

from phonograph.api import admin, health, v2010, voice_v1, voice_v2, voice_v3
from phonograph.api.admission import AdmitWrites
from phonograph.api.context import ApiContext
from phonograph.api.errors import install_error_handlers
from phonograph.api.metrics import HttpLatency, Metrics, MetricsAccess
from phonograph.api.principals import Principals


def install(app: FastAPI, context: ApiContext) -> None:
    """Mount every route on ``app`` and give the routes their context."""
    app.state.context = context
    install_error_handlers(app)
    app.add_middleware(AdmitWrites)
    app.add_middleware(HttpLatency, metrics=context.metrics)
    app.include_router(health.router)
    app.include_router(v2010.router)
    app.include_router(voice_v1.router)
    app.include_router(voice_v2.router)
    app.include_router(voice_v3.router)
    app.include_router(admin.router)


__all__ = ["ApiContext", "Metrics", "MetricsAccess", "Principals", "install"]
