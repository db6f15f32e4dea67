"""Wiring: settings, database, clock and routes into one ASGI app, and the bootstrap (main) account.

The main account comes from the environment, from the data dir, or is made on first start.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from phonograph import __version__, api, console
from phonograph.calls import AudioLibrary, CallEngine, CaptureShelf, Runtime
from phonograph.core import Clock, SystemClock, new_secret, new_sid
from phonograph.media import EspeakEngine, MediaClock
from phonograph.recording import RecordingService
from phonograph.settings import Settings
from phonograph.sip import (
    Admission,
    CallSetup,
    Challenger,
    RateLimiter,
    Registrar,
    RtpIo,
    RtpPorts,
    RtpStreams,
    SipEndpoint,
    SipSockets,
)
from phonograph.store import AccountRepo, Database, open_blob_store
from phonograph.transcription import MediaFetcher, TranscriptionService, TranscriptionWorker, WhisperEngine
from phonograph.webhooks import AppClient, EventLog, OutboxWorker, outbound_client

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Credentials:
    account_sid: str
    auth_token: str
    generated: bool = False
    """Made by this start (then printed once); a token from the environment or the data dir is not."""


def stored_credentials(settings: Settings) -> Credentials | None:
    """The main account kept in ``<data-dir>/credentials.json``, if the server has made one."""
    if not settings.credentials_file.exists():
        return None
    data = json.loads(settings.credentials_file.read_text())
    return Credentials(data["account_sid"], data["auth_token"])


def make_private_dir(path: Path) -> None:
    """``path`` exists and only this user may enter it (0700): it holds the database with every
    Auth Token, the journals and the media. Files made in it are 0600 by the umask ``phonograph
    serve`` sets (cli/server.py)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)


def _store(settings: Settings, credentials: Credentials) -> None:
    path = settings.credentials_file
    make_private_dir(path.parent)
    # Written before it is readable by others: the token is a password.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump({"account_sid": credentials.account_sid, "auth_token": credentials.auth_token}, handle)


async def ensure_main_account(db: Database, settings: Settings, clock: Clock) -> Credentials:
    """The main account's credentials; the account exists (with this token) when this returns."""
    if settings.account_sid and settings.auth_token:
        credentials = Credentials(settings.account_sid, settings.auth_token)
    else:
        credentials = stored_credentials(settings) or Credentials(new_sid("AC"), new_secret(), generated=True)
        _store(settings, credentials)
    async with db.transaction() as session:
        repo = AccountRepo(session)
        if await repo.get(credentials.account_sid) is None:
            await repo.create(
                sid=credentials.account_sid,
                auth_token=credentials.auth_token,
                friendly_name="phonograph main account",
                owner_account_sid=None,
                now=clock.now(),
            )
            log.info("account created sid=%s owner=None", credentials.account_sid)
        else:
            await repo.set_auth_token(credentials.account_sid, credentials.auth_token, clock.now())
    return credentials


# sysexits.h EX_TEMPFAIL: a supervisor may start the node again; it registers afresh.
EXIT_LEASE_LOST = 75


def exit_at_once() -> None:
    """This node lost its lease: another node has settled its calls and recordings, so anything it
    wrote now (a second final callback) would contradict that. It stops here, without the graceful
    shutdown that would write (calls/nodes.py)."""
    logging.shutdown()
    os._exit(EXIT_LEASE_LOST)


def build_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    on_ready: Callable[[Credentials], None] | None = None,
    sip_sockets: SipSockets | None = None,
) -> FastAPI:
    """The server. Start-up migrates the database and makes sure the main account exists.
    ``sip_sockets``: the sockets SIP answers on (bound by cli/server.py); None runs no SIP."""
    clock = clock or SystemClock()
    db = Database(settings.database_url)
    blobs = open_blob_store(settings.storage_url)

    # One connection pool, behind the outbound policy, for every request made on a tenant's behalf;
    # the call engine closes it when it stops, after the transcription worker has (lifespan below).
    http = outbound_client(settings.outbound)
    events = EventLog(db, clock)
    app_client = AppClient(http, events=events)
    outbox = OutboxWorker(db, app_client, clock, retention=settings.callback_retention)
    # The engine loads its model on the first job: the server starts without faster-whisper.
    engine = WhisperEngine(settings.stt_model, settings.stt_threads, workers=settings.stt_workers)
    worker = TranscriptionWorker(
        db,
        blobs,
        clock,
        engine,
        MediaFetcher(http),
        settings.public_url,
        outbox.notify,
        concurrency=settings.stt_workers,
    )
    transcriptions = TranscriptionService(db, clock, worker, queue_limit=settings.stt_queue)
    media = MediaClock(settings.speed)
    recordings = RecordingService(
        db,
        clock,
        media,
        blobs,
        settings.journal_dir,
        settings.public_url,
        outbox.notify,
        node_id=settings.node_id,
        on_transcriptions=worker.wake,
    )
    runtime = Runtime(
        db=db,
        media=media,
        speech=EspeakEngine(settings.say_cache_bytes),
        audio=AudioLibrary(http, max_bytes=settings.play_cache_bytes),
        app=app_client,
        outbox=outbox,
        clock=clock,
        recordings=recordings,
        captures=CaptureShelf(settings.capture_s),
        outbound=settings.outbound,
    )
    calls = CallEngine(
        runtime,
        events,
        http,
        address=settings.public_url,
        on_lease_lost=exit_at_once,
        lease_s=settings.node_lease_s,
        bus_delay_s=settings.bus_delay_s,
        drain_s=settings.drain_s,
    )

    admission = Admission(db, Challenger(clock), settings.sip_digest)
    rtp = RtpStreams(RtpIo())
    media.before_frame.append(rtp.before_frame)
    media.after_frame.append(rtp.after_frame)
    sip = SipEndpoint(
        admission,
        Registrar(db, admission, clock),
        CallSetup(calls, RtpPorts(settings.host, *settings.rtp_ports), settings.sip_advertise, rtp),
        limiter=RateLimiter(time.monotonic, rate_per_s=settings.sip_rate),
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        make_private_dir(settings.data_dir)
        await db.migrate()
        credentials = await ensure_main_account(db, settings, clock)
        await calls.start()
        worker.start()
        if sip_sockets is not None:
            await sip.start(sip_sockets)
            runtime.sip = sip.dialogs
        if on_ready is not None:
            on_ready(credentials)
        try:
            yield
        finally:
            await sip.stop()
            await worker.stop()
            await calls.stop()
            await db.close()

    app = FastAPI(
        title="phonograph",
        version=__version__,
        lifespan=lifespan,
        docs_url="/phonograph/docs",
        redoc_url=None,
        openapi_url="/phonograph/openapi.json",
    )
    context = api.ApiContext(
        db=db,
        clock=clock,
        calls=calls,
        transcriptions=transcriptions,
        principals=api.Principals(clock),
        metrics=api.Metrics(settings.metrics),
        outbox=outbox,
    )
    api.install(app, context)
    if settings.console:
        make_private_dir(settings.data_dir)
        console.install(app, context, console.secret_key(settings.secret_key, settings.data_dir))
    app.add_middleware(StampMediaFrame, calls=calls, clock=clock)
    return app


class StampMediaFrame:
    """Notes the media frame each request arrived on (``request.state.media_frame``), and when
    (``arrived_at``, for a node that owns the call elsewhere, calls/bus.py), before auth and
    parsing: a recording pause or resume takes effect at that frame (recording/recorder.py).
    While a request that may control a recording (a POST to ``…/Recordings/{Sid}.json``) is
    handled, recorders keep the frames from that one on; while one that may start a call's
    recording (a POST to ``…/Calls/{CallSid}/Recordings.json``) is, so does the call's leg, and
    the recording starts on that frame."""

    def __init__(self, app: ASGIApp, calls: CallEngine, clock: Clock) -> None:
        self._app = app
        self._calls = calls
        self._clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        frame = self._calls.media_frame()
        state = scope.setdefault("state", {})
        state["media_frame"], state["arrived_at"] = frame, self._clock.now()
        path: str = scope["path"]
        keeping: AbstractContextManager[None] = contextlib.nullcontext()
        if scope["method"] == "POST" and "/Recordings/" in path:
            keeping = self._calls.hold_frames(frame)
        elif scope["method"] == "POST" and path.endswith("/Recordings.json") and "/Calls/" in path:
            keeping = self._calls.keep_frames(path.rsplit("/", 2)[-2])
        with keeping:
            await self._app(scope, receive, send)
