"""What every call session shares: the database, the media clock, speech, audio, the app client,
the outbox, the wall clock, the recording service, the live legs and the task owner. Built once,
by app.py."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from phonograph.calls.audio_library import AudioLibrary
from phonograph.calls.capture import CaptureShelf
from phonograph.calls.contracts import CallLeg
from phonograph.core import Clock, TaskOwner
from phonograph.media import MediaClock, SpeechEngine
from phonograph.recording import RecordingService
from phonograph.sip import Dialogs
from phonograph.store import Database, NotificationLog, NotificationRepo
from phonograph.webhooks import AppClient, OutboundPolicy, OutboxWorker

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Problem:
    """An error or warning about a call, for the account's Notifications (Twilio's debugger)."""

    code: int
    message: str
    warning: bool = False
    request_url: str = ""
    request_method: str = ""
    request_variables: str = ""
    response_body: str = ""
    response_headers: str = ""


@dataclass
class Runtime:
    db: Database
    media: MediaClock
    speech: SpeechEngine
    audio: AudioLibrary
    app: AppClient
    outbox: OutboxWorker
    clock: Clock
    recordings: RecordingService
    captures: CaptureShelf = field(default_factory=lambda: CaptureShelf(0))
    outbound: OutboundPolicy = field(default_factory=OutboundPolicy)
    """Which addresses a tenant's SIP targets may reach (its URLs go through ``app``'s client)."""
    sip: Dialogs | None = None
    """The SIP port's calls, once it is started (None: no SIP, and a SIP target is a silent line)."""
    tasks: TaskOwner = field(default_factory=TaskOwner)
    sessions: dict[str, CallLeg] = field(default_factory=dict)

    @property
    def node_id(self) -> str:
        """This process's node: the owner of the live rows it makes (store/repos/nodes.py)."""
        return self.recordings.node_id

    async def report(self, account_sid: str, call_sid: str | None, problem: Problem) -> None:
        now = self.clock.now()
        async with self.db.transaction() as session:
            await NotificationRepo(session).create(
                account_sid=account_sid,
                call_sid=call_sid,
                error_code=problem.code,
                log=NotificationLog.WARNING if problem.warning else NotificationLog.ERROR,
                message_text=problem.message,
                request_url=problem.request_url,
                request_method=problem.request_method,
                request_variables=problem.request_variables,
                response_body=problem.response_body,
                response_headers=problem.response_headers,
                now=now,
            )
        log.info("call problem call=%s code=%s", call_sid, problem.code)
