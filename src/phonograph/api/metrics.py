"""What ``GET /metrics`` (health.py) answers: the server's load in the Prometheus text format
(prometheus-client), for operators (prometheus.io/docs/instrumenting/exposition_formats/).

Who may read it is ``PHONOGRAPH_METRICS``: ``auth`` (the default) a main account's credentials, as
for ``/phonograph/v1/Media``, since the numbers are every tenant's (a Prometheus scrape config
gives them with ``basic_auth``); ``open`` anyone who reaches the port (a scraper on a private
network); ``off`` nobody (404).

The gauges are read when scraped: live calls, media legs and recordings, and the media clock's
tick lateness from the engine's memory; the callback outbox backlog and the unfinished
transcription jobs from the database (two counts). HTTP latency is a histogram by method, route
template (``/2010-04-01/Accounts/{account_sid}/Calls.json``, never a SID: the series stay few) and
status code, observed by ``HttpLatency`` around every request.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from enum import StrEnum

from prometheus_client import CollectorRegistry, Gauge, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Seconds; most answers take a few milliseconds, a recording's media or a list page more.
LATENCY_BUCKETS_S = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
UNMATCHED_ROUTE = "unmatched"
# A client may send any method name: the rest share one label value, so the series stay bounded.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
OTHER_METHOD = "other"
LATENESS_QUANTILES = (("0.5", "lateness_p50_ms"), ("0.99", "lateness_p99_ms"), ("1", "lateness_max_ms"))


class MetricsAccess(StrEnum):
    AUTH = "auth"
    OPEN = "open"
    OFF = "off"


class Metrics:
    """One server's registry (not prometheus-client's global one: each app counts its own)."""

    def __init__(self, access: MetricsAccess = MetricsAccess.AUTH) -> None:
        self.access = access
        self.registry = CollectorRegistry()

        def gauge(name: str, documentation: str, labels: tuple[str, ...] = ()) -> Gauge:
            return Gauge(name, documentation, labels, registry=self.registry)

        self.http_seconds = Histogram(
            "phonograph_http_request_duration_seconds",
            "Time to answer an HTTP request, by method, route template and status code.",
            ("method", "route", "status"),
            buckets=LATENCY_BUCKETS_S,
            registry=self.registry,
        )
        self.calls = gauge("phonograph_calls_live", "Calls in progress on this server.")
        self.legs = gauge("phonograph_media_legs", "Call legs on the media clock.")
        self.recordings = gauge("phonograph_recordings_live", "Recordings in progress (including paused).")
        self.lateness_s = gauge(
            "phonograph_media_tick_lateness_seconds",
            "How late the media clock's ticks ran, in real seconds, since the window began.",
            ("quantile",),
        )
        self.late_ticks = gauge("phonograph_media_late_ticks", "Ticks that ran late since the window began.")
        self.outbox = gauge("phonograph_outbox_backlog", "Status callbacks waiting to be delivered.")
        self.transcriptions = gauge(
            "phonograph_transcription_queue", "Transcription jobs queued or running (all accounts)."
        )

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        shown = method if method in METHODS else OTHER_METHOD
        self.http_seconds.labels(shown, route, str(status)).observe(seconds)

    def render(self, media: Mapping[str, float], outbox_backlog: int, transcription_queue: int) -> bytes:
        """The text exposition, with the gauges set from what was just read."""
        self.calls.set(media["calls"])
        self.legs.set(media["legs"])
        self.recordings.set(media["recordings"])
        self.late_ticks.set(media["late_ticks"])
        for quantile, key in LATENESS_QUANTILES:
            self.lateness_s.labels(quantile).set(media[key] / 1000)
        self.outbox.set(outbox_backlog)
        self.transcriptions.set(transcription_queue)
        return generate_latest(self.registry)


class HttpLatency:
    """Times every HTTP request, from its arrival to its last body byte, into ``Metrics``."""

    def __init__(
        self, app: ASGIApp, metrics: Metrics, timer: Callable[[], float] = time.perf_counter
    ) -> None:
        self._app = app
        self._metrics = metrics
        self._timer = timer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        started_s = self._timer()
        status = 500  # what the client gets when the app raises before it answers

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self._app(scope, receive, sending)
        finally:
            self._metrics.observe_request(
                scope["method"], route_template(scope), status, self._timer() - started_s
            )


def route_template(scope: Scope) -> str:
    """The path template of the route the request matched, from the root (``UNMATCHED_ROUTE``
    when none did). The router leaves the route in the scope, but FastAPI gives a route only its
    path within the routers it was included through; their prefixes (``/2010-04-01``,
    ``/phonograph/v1``) are the shortest start of the request path whose rest the route matches."""
    route = scope.get("route")
    template: str | None = getattr(route, "path_format", None)
    if route is None or not template:
        return UNMATCHED_ROUTE
    path: str = scope["path"]
    start = 0
    while start >= 0:
        if route.path_regex.match(path[start:]):
            return path[:start] + template
        start = path.find("/", start + 1)
    return template
